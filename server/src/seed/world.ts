import {
  CREDIT_CATEGORIES,
  CREDIT_FIELDS,
  isIndustryClass,
  usccCheckCharacter,
  USCC_CHARSET,
  type TBlacklistType,
  type TCourtCaseStatus,
  type TCourtRole,
  type TCreditCategory,
  type TEnforcementStatus,
  type THonourType,
  type TLicenceStatus,
  type TOrgType,
  type TPenaltySeverity,
  type TPenaltyType,
  type TTaxCreditLevel,
  type TUnknownUsccPolicy,
} from '@xyd/shared';
import { demoEnterprises, type DemoEnterprise } from './demo';

/**
 * The demo world (演示数据): a pure, seeded model of a province's small firms and the credit data its departments
 * hold about them. The same options always give the same rows, and a firm's data depends only on the seed, its
 * index and the window, so a small world is a prefix of a larger one. Rows are made one at a time by iterators:
 * 100k firms over 36 months is about ten million rows, and none of them is kept.
 *
 * Rows are in push form (the record keys of CREDIT_FIELDS, money in integer fen, enums by value, ISO dates);
 * `fileCells` turns one into the cells a department's CSV export would hold (money in 元, enums by label, 是/否).
 * Both forms normalise to the same record, so a row sent either way is the same version to the pipeline.
 *
 * Real sources are not clean, and the world is not either: `worldFileRows` is a department's file as it arrives,
 * with a few mistyped rows (a wrong check character, a letter O for a zero, three decimals, month 13, an empty
 * required cell, an unknown label) and a few rows about firms that have no registration. The mistyped rows are
 * copies of good rows under new external ids, so every good record is still sent and every story still holds.
 * One source stops sending some months before the window ends. Pushes stay clean.
 */

export interface WorldOptions {
  enterprises: number;
  /** Months of monthly data (tax, social security, utilities) ending with `endMonth`. */
  months?: number;
  seed?: number;
  /** 'YYYY-MM', the last month of the window; it must have ended (the pipeline refuses future periods). */
  endMonth: string;
}

export interface World {
  enterprises: number;
  months: number;
  seed: number;
  endMonth: string;
  /** Month numbers (year × 12 + month − 1) of the window's first and last month. */
  startAbs: number;
  endAbs: number;
  /** Day numbers (days since 1970-01-01) of the window's first and last day. */
  startDay: number;
  endDay: number;
  /** Eight hex digits naming these options: pushed batch ids carry it, so a different world never replays another's batch. */
  fingerprint: string;
}

export const WORLD_DEFAULT_MONTHS = 36;
export const WORLD_DEFAULT_SEED = 2026;
export const WORLD_MAX_ENTERPRISES = 1_000_000;
export const WORLD_MAX_MONTHS = 120;

/** Options that make no world: the message is Chinese and names the option. */
export class WorldOptionsError extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Seeded randomness: a counter-based seed per (firm, month, stream), then mulberry32 within it.

function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function seedOf(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) h = mix32(h ^ mix32(Math.trunc(part) + 0x632be5ab));
  return h;
}

class Rand {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  between(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)]!;
  }

  weighted<T>(list: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, w] of list) total += w;
    let r = this.next() * total;
    for (const [value, w] of list) {
      r -= w;
      if (r < 0) return value;
    }
    return list[list.length - 1]![0];
  }

  /** 1 ± spread, roughly normal. */
  noise(spread: number): number {
    return 1 + (this.next() + this.next() + this.next() - 1.5) * (spread / 0.75);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Calendar

const DAY_MS = 86_400_000;
const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const dayOf = (year: number, month: number, day: number): number => Date.UTC(year, month - 1, day) / DAY_MS;
const isoDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
export const monthKey = (abs: number): string => `${Math.floor(abs / 12)}-${pad2((abs % 12) + 1)}`;
const monthOfAbs = (abs: number): number => (abs % 12) + 1;
const yearOfAbs = (abs: number): number => Math.floor(abs / 12);
const firstDayOf = (abs: number): number => dayOf(yearOfAbs(abs), monthOfAbs(abs), 1);
const lastDayOf = (abs: number): number => firstDayOf(abs + 1) - 1;
const absOfDay = (day: number): number => {
  const d = new Date(day * DAY_MS);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};
const yearOfDay = (day: number): number => new Date(day * DAY_MS).getUTCFullYear();
/** The same calendar day `years` later (28 February for 29 February). */
const addYears = (day: number, years: number): number => {
  const d = new Date(day * DAY_MS);
  const month = d.getUTCMonth() + 1;
  const date = Math.min(d.getUTCDate(), month === 2 ? 28 : 31);
  return dayOf(d.getUTCFullYear() + years, month, date);
};

/** The last month that has ended at `now` in Asia/Shanghai: the default end of the window. */
export function lastCompleteMonth(now: Date = new Date()): string {
  const shanghai = new Date(now.getTime() + 8 * 3_600_000);
  return monthKey(shanghai.getUTCFullYear() * 12 + shanghai.getUTCMonth() - 1);
}

/** Checks the options and fixes the window; throws WorldOptionsError naming what is wrong. */
export function resolveWorld(options: WorldOptions, now: Date = new Date()): World {
  const enterprises = options.enterprises;
  const months = options.months ?? WORLD_DEFAULT_MONTHS;
  const seed = options.seed ?? WORLD_DEFAULT_SEED;
  if (!Number.isInteger(enterprises) || enterprises < 1 || enterprises > WORLD_MAX_ENTERPRISES) {
    throw new WorldOptionsError(`企业数（--enterprises）应为 1 到 ${WORLD_MAX_ENTERPRISES.toLocaleString('en-US')} 之间的整数，当前为 ${String(enterprises)}`);
  }
  if (!Number.isInteger(months) || months < 1 || months > WORLD_MAX_MONTHS) {
    throw new WorldOptionsError(`月份数（--months）应为 1 到 ${WORLD_MAX_MONTHS} 之间的整数，当前为 ${String(months)}`);
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31 - 1) {
    throw new WorldOptionsError(`随机种子（--seed）应为 0 到 2147483647 之间的整数，当前为 ${String(seed)}`);
  }
  const match = /^(\d{4})-(\d{2})$/.exec(options.endMonth ?? '');
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) {
    throw new WorldOptionsError(`截止月份（--end-month）应为 YYYY-MM，如 2026-06，当前为 ${String(options.endMonth)}`);
  }
  const endAbs = Number(match[1]) * 12 + Number(match[2]) - 1;
  const latest = lastCompleteMonth(now);
  if (options.endMonth > latest) throw new WorldOptionsError(`截止月份（--end-month）${options.endMonth} 尚未结束，最晚为 ${latest}`);
  const startAbs = endAbs - months + 1;
  if (startAbs < 2000 * 12) throw new WorldOptionsError(`数据窗口不能早于 2000 年：${options.endMonth} 往前 ${months} 个月已到 ${monthKey(startAbs)}`);
  return {
    enterprises,
    months,
    seed,
    endMonth: options.endMonth,
    startAbs,
    endAbs,
    startDay: firstDayOf(startAbs),
    endDay: lastDayOf(endAbs),
    fingerprint: seedOf(seed, enterprises, months, endAbs).toString(16).padStart(8, '0'),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Places, industries, sources

export interface District {
  code: string;
  /** 杭州市 */
  city: string;
  /** 西湖区 */
  name: string;
  /** 杭西: the prefix of the district's decision numbers. */
  abbr: string;
  weight: number;
}

/** GB/T 2260 districts of Zhejiang the world's firms are registered in (the demo's eight first). */
export const WORLD_DISTRICTS: readonly District[] = [
  { code: '330106', city: '杭州市', name: '西湖区', abbr: '杭西', weight: 9 },
  { code: '330108', city: '杭州市', name: '滨江区', abbr: '杭滨', weight: 7 },
  { code: '330110', city: '杭州市', name: '余杭区', abbr: '杭余', weight: 9 },
  { code: '330105', city: '杭州市', name: '拱墅区', abbr: '杭拱', weight: 6 },
  { code: '330102', city: '杭州市', name: '上城区', abbr: '杭上', weight: 6 },
  { code: '330109', city: '杭州市', name: '萧山区', abbr: '杭萧', weight: 9 },
  { code: '330212', city: '宁波市', name: '鄞州区', abbr: '甬鄞', weight: 7 },
  { code: '330203', city: '宁波市', name: '海曙区', abbr: '甬海', weight: 5 },
  { code: '330111', city: '杭州市', name: '富阳区', abbr: '杭富', weight: 4 },
  { code: '330113', city: '杭州市', name: '临平区', abbr: '杭临', weight: 4 },
  { code: '330114', city: '杭州市', name: '钱塘区', abbr: '杭钱', weight: 4 },
  { code: '330205', city: '宁波市', name: '江北区', abbr: '甬江', weight: 3 },
  { code: '330206', city: '宁波市', name: '北仑区', abbr: '甬仑', weight: 5 },
  { code: '330281', city: '宁波市', name: '余姚市', abbr: '余', weight: 4 },
  { code: '330302', city: '温州市', name: '鹿城区', abbr: '温鹿', weight: 5 },
  { code: '330402', city: '嘉兴市', name: '南湖区', abbr: '嘉南', weight: 4 },
  { code: '330602', city: '绍兴市', name: '越城区', abbr: '绍越', weight: 4 },
  { code: '330782', city: '金华市', name: '义乌市', abbr: '义', weight: 5 },
];
const DISTRICT_BY_CODE = new Map(WORLD_DISTRICTS.map((d) => [d.code, d]));
const DISTRICT_WEIGHTS = WORLD_DISTRICTS.map((d) => [d, d.weight] as const);

/** How a firm's activity moves through the year (index 0 = January). */
type Season = 'flat' | 'office' | 'retail' | 'agriculture' | 'logistics' | 'construction';
const ELECTRICITY_SEASON: Record<Season, readonly number[]> = {
  // Factories run flat out but for the Spring Festival.
  flat: [0.96, 0.68, 1.0, 1.01, 1.02, 1.04, 1.08, 1.08, 1.02, 1.0, 1.02, 1.04],
  office: [1.08, 0.78, 0.95, 0.88, 0.94, 1.14, 1.32, 1.3, 1.04, 0.9, 0.94, 1.1],
  // Shops and kitchens: air conditioning makes July and August peak.
  retail: [1.08, 1.0, 0.9, 0.88, 0.98, 1.22, 1.45, 1.45, 1.15, 0.95, 0.94, 1.08],
  // Irrigation and greenhouses through the growing season.
  agriculture: [0.5, 0.46, 0.78, 1.08, 1.3, 1.5, 1.62, 1.5, 1.28, 1.0, 0.7, 0.56],
  logistics: [0.96, 0.7, 0.94, 0.95, 0.98, 1.0, 1.0, 1.0, 1.0, 1.06, 1.32, 1.24],
  construction: [0.9, 0.52, 1.0, 1.06, 1.06, 1.0, 0.84, 0.84, 1.06, 1.1, 1.1, 1.0],
};
const REVENUE_SEASON: Record<Season, readonly number[]> = {
  flat: [0.95, 0.66, 1.0, 1.02, 1.02, 1.05, 1.0, 1.0, 1.04, 1.02, 1.06, 1.14],
  office: [0.92, 0.72, 0.98, 1.0, 1.0, 1.06, 0.98, 0.96, 1.02, 1.0, 1.06, 1.3],
  retail: [1.22, 1.14, 0.9, 0.9, 0.98, 1.0, 0.94, 0.94, 1.0, 1.08, 1.2, 1.28],
  agriculture: [0.5, 0.42, 0.6, 0.9, 1.1, 1.3, 1.3, 1.4, 1.5, 1.4, 0.9, 0.6],
  logistics: [0.98, 0.7, 0.94, 0.96, 0.98, 1.0, 0.98, 0.98, 1.0, 1.08, 1.4, 1.3],
  construction: [0.9, 0.45, 1.0, 1.05, 1.06, 1.04, 0.88, 0.88, 1.06, 1.1, 1.14, 1.3],
};

interface LicenceKind {
  name: string;
  prefix: string;
  /** {city} {district} are filled in. */
  issuer: string;
}

export interface IndustryProfile {
  key: string;
  /** GB/T 4754-2017 小类 codes. */
  codes: readonly string[];
  /** Words for firm names (the first is the demo's). */
  trades: readonly string[];
  season: Season;
  weight: number;
  /** Monthly revenue per employee (元), tax paid as a share of revenue. */
  revenuePerHead: number;
  taxRate: number;
  /** Monthly use per employee: kWh, tonnes of water, m³ of gas (0: no gas connection). */
  kwhPerHead: number;
  waterPerHead: number;
  gasPerHead: number;
  /** Trade and logistics firms hold warehouse receipts (仓单). */
  logistics: boolean;
  licence: LicenceKind | null;
  honours: readonly THonourType[];
  goods: readonly string[];
  scope: string;
}

/** The first twelve follow the demo enterprises' trades, in their order. */
export const INDUSTRY_PROFILES: readonly IndustryProfile[] = [
  {
    key: 'machinery',
    codes: ['C3484', 'C3482', 'C3489', 'C3670'],
    trades: ['精密机械', '机械制造', '五金机械'],
    season: 'flat',
    weight: 14,
    revenuePerHead: 38_000,
    taxRate: 0.026,
    kwhPerHead: 1_900,
    waterPerHead: 5,
    gasPerHead: 25,
    logistics: false,
    licence: { name: '排污许可证', prefix: '91PW', issuer: '{city}生态环境局' },
    honours: ['specialised', 'high_tech', 'red_list'],
    goods: [],
    scope: '机械零部件加工；通用设备制造；货物进出口',
  },
  {
    key: 'textile',
    codes: ['C1713', 'C1712', 'C1711'],
    trades: ['印染', '纺织', '织造'],
    season: 'flat',
    weight: 7,
    revenuePerHead: 26_000,
    taxRate: 0.022,
    kwhPerHead: 2_300,
    waterPerHead: 38,
    gasPerHead: 120,
    logistics: false,
    licence: { name: '排污许可证', prefix: '91PW', issuer: '{city}生态环境局' },
    honours: ['red_list', 'specialised'],
    goods: [],
    scope: '棉印染精加工；纺织品制造；货物进出口',
  },
  {
    key: 'electronics',
    codes: ['C3914', 'C3913', 'C3982'],
    trades: ['智能控制', '电子科技', '智能科技'],
    season: 'flat',
    weight: 8,
    revenuePerHead: 52_000,
    taxRate: 0.03,
    kwhPerHead: 1_300,
    waterPerHead: 3,
    gasPerHead: 0,
    logistics: false,
    licence: null,
    honours: ['high_tech', 'specialised'],
    goods: [],
    scope: '工业控制计算机及系统制造；电子元器件制造；软件开发',
  },
  {
    key: 'software',
    codes: ['I6513', 'I6511', 'I6519'],
    trades: ['软件', '信息技术', '网络科技'],
    season: 'office',
    weight: 8,
    revenuePerHead: 32_000,
    taxRate: 0.045,
    kwhPerHead: 260,
    waterPerHead: 1,
    gasPerHead: 0,
    logistics: false,
    licence: null,
    honours: ['high_tech', 'tax_a'],
    goods: [],
    scope: '软件开发；信息技术咨询服务；数据处理服务',
  },
  {
    key: 'wholesale',
    codes: ['F5132', 'F5131', 'F5174'],
    trades: ['服饰', '贸易', '商贸实业'],
    season: 'retail',
    weight: 10,
    revenuePerHead: 85_000,
    taxRate: 0.011,
    kwhPerHead: 320,
    waterPerHead: 2,
    gasPerHead: 0,
    logistics: true,
    licence: null,
    honours: ['red_list', 'tax_a'],
    goods: ['针织面料', '男式衬衫', '五金配件', '不锈钢紧固件', '棉纱'],
    scope: '服装服饰批发；纺织品批发；五金产品批发；货物进出口',
  },
  {
    key: 'retail',
    codes: ['F5211', 'F5212', 'F5213'],
    trades: ['商贸', '百货', '超市'],
    season: 'retail',
    weight: 12,
    revenuePerHead: 42_000,
    taxRate: 0.013,
    kwhPerHead: 900,
    waterPerHead: 4,
    gasPerHead: 0,
    logistics: true,
    licence: { name: '食品经营许可证', prefix: 'JY1', issuer: '{city}{district}市场监督管理局' },
    honours: ['red_list'],
    goods: ['预包装食品', '日用百货', '家用电器', '粮油制品'],
    scope: '日用百货零售；食品销售；家用电器销售',
  },
  {
    key: 'catering',
    codes: ['H6210', 'H6220', 'H6232'],
    trades: ['餐饮', '餐饮管理', '食府'],
    season: 'retail',
    weight: 10,
    revenuePerHead: 16_000,
    taxRate: 0.02,
    kwhPerHead: 650,
    waterPerHead: 9,
    gasPerHead: 160,
    logistics: false,
    licence: { name: '食品经营许可证', prefix: 'JY2', issuer: '{city}{district}市场监督管理局' },
    honours: ['red_list'],
    goods: [],
    scope: '餐饮服务；食品销售；外卖递送服务',
  },
  {
    key: 'logistics',
    codes: ['G5431', 'G5437', 'G5821', 'G5920'],
    trades: ['物流', '供应链', '运输'],
    season: 'logistics',
    weight: 8,
    revenuePerHead: 30_000,
    taxRate: 0.018,
    kwhPerHead: 520,
    waterPerHead: 2,
    gasPerHead: 0,
    logistics: true,
    licence: { name: '道路运输经营许可证', prefix: '浙交运管许可', issuer: '{city}交通运输局' },
    honours: ['red_list', 'tax_a'],
    goods: ['冷轧钢板 1.0mm', '聚丙烯颗粒', '电解铜', '瓦楞纸板', '冷冻水产品'],
    scope: '道路货物运输；普通货物仓储服务；国内货物运输代理',
  },
  {
    key: 'agriculture',
    codes: ['A0141', 'A0164', 'A0142'],
    trades: ['农业', '生态农业', '茶业'],
    season: 'agriculture',
    weight: 5,
    revenuePerHead: 13_000,
    taxRate: 0.003,
    kwhPerHead: 420,
    waterPerHead: 30,
    gasPerHead: 0,
    logistics: false,
    licence: { name: '农作物种子生产经营许可证', prefix: 'C3301', issuer: '{city}农业农村局' },
    honours: ['red_list'],
    goods: [],
    scope: '蔬菜种植；茶叶种植；农产品初加工',
  },
  {
    key: 'tech_services',
    codes: ['M7530', 'M7520', 'M7484'],
    trades: ['科技服务', '知识产权', '工程设计'],
    season: 'office',
    weight: 7,
    revenuePerHead: 26_000,
    taxRate: 0.04,
    kwhPerHead: 240,
    waterPerHead: 1,
    gasPerHead: 0,
    logistics: false,
    licence: null,
    honours: ['high_tech', 'tax_a'],
    goods: [],
    scope: '科技中介服务；知识产权服务；工程设计',
  },
  {
    key: 'food',
    codes: ['C1391', 'C1392', 'C1373'],
    trades: ['食品', '食品科技', '农产品加工'],
    season: 'flat',
    weight: 5,
    revenuePerHead: 34_000,
    taxRate: 0.02,
    kwhPerHead: 1_500,
    waterPerHead: 24,
    gasPerHead: 90,
    logistics: false,
    licence: { name: '食品生产许可证', prefix: 'SC1', issuer: '{city}市场监督管理局' },
    honours: ['red_list', 'specialised'],
    goods: [],
    scope: '食品生产；农副食品加工；食品销售',
  },
  {
    key: 'construction',
    codes: ['E4710', 'E4813'],
    trades: ['建设', '建筑工程', '市政工程'],
    season: 'construction',
    weight: 6,
    revenuePerHead: 45_000,
    taxRate: 0.03,
    kwhPerHead: 480,
    waterPerHead: 12,
    gasPerHead: 0,
    logistics: false,
    licence: { name: '建筑业企业资质证书', prefix: 'D2330', issuer: '浙江省住房和城乡建设厅' },
    honours: ['red_list'],
    goods: [],
    scope: '房屋建筑工程施工；市政公用工程施工；建筑劳务分包',
  },
];
const PROFILE_WEIGHTS = INDUSTRY_PROFILES.map((p) => [p, p.weight] as const);

for (const profile of INDUSTRY_PROFILES) {
  for (const code of profile.codes) {
    if (!isIndustryClass(code)) throw new Error(`world: ${code} is not a GB/T 4754-2017 class`);
  }
}

export type WorldSourceKey = 'market' | 'tax' | 'hrss' | 'grid' | 'court' | 'logistics';

export interface WorldSource {
  key: WorldSourceKey;
  name: string;
  /** The organisation that owns the source; null: the platform's own operations centre. */
  organisation: { name: string; type: TOrgType; regionCode: string } | null;
  categories: readonly TCreditCategory[];
  regionCodes: readonly string[];
  /** What the pipeline does with a row about a firm it has no registration for. */
  unknownUscc: TUnknownUsccPolicy;
  /** The source stopped sending this many months before the window's end (0: it still sends). */
  silentMonths: number;
}

/** The departments that send the world's data, with what each may send and where. */
export const WORLD_SOURCES: readonly WorldSource[] = [
  {
    key: 'market',
    name: '省市场监管局 企业登记与监管数据',
    organisation: { name: '浙江省市场监督管理局', type: 'government', regionCode: '330000' },
    categories: ['registration', 'licence', 'penalty', 'honour'],
    regionCodes: ['330000'],
    unknownUscc: 'reject',
    silentMonths: 0,
  },
  {
    key: 'tax',
    name: '省税务局 纳税与税收违法数据',
    organisation: { name: '国家税务总局浙江省税务局', type: 'government', regionCode: '330000' },
    categories: ['tax', 'blacklist'],
    regionCodes: ['330000'],
    unknownUscc: 'reject',
    silentMonths: 0,
  },
  {
    key: 'hrss',
    name: '人社 社会保险参保缴费数据',
    organisation: { name: '浙江省人力资源和社会保障厅', type: 'government', regionCode: '330000' },
    categories: ['social_security'],
    regionCodes: ['330100', '330200'],
    // Social insurance often enrols a new firm's staff before its registration reaches the platform: held until it does.
    unknownUscc: 'hold',
    silentMonths: 0,
  },
  {
    key: 'grid',
    name: '国网浙江电力 水电气数据',
    organisation: null,
    categories: ['utility'],
    regionCodes: ['330000'],
    unknownUscc: 'reject',
    silentMonths: 0,
  },
  {
    key: 'court',
    name: '法院 诉讼与失信被执行人数据',
    organisation: { name: '浙江省高级人民法院', type: 'government', regionCode: '330000' },
    categories: ['court_case', 'blacklist'],
    regionCodes: ['330000'],
    unknownUscc: 'reject',
    silentMonths: 0,
  },
  {
    key: 'logistics',
    name: '之江物流 仓单数据',
    organisation: null,
    categories: ['logistics'],
    regionCodes: ['330100'],
    unknownUscc: 'reject',
    // Stopped sending three months before the window's end: the quality page shows its data going stale.
    silentMonths: 3,
  },
];

const SOURCE_BY_KEY = new Map(WORLD_SOURCES.map((s) => [s.key, s]));

/** The last month a source sends rows about: the window's last, or earlier for a source that went silent. */
export function worldLastSentAbs(world: World, source: WorldSourceKey): number {
  return Math.max(world.startAbs, world.endAbs - (SOURCE_BY_KEY.get(source)?.silentMonths ?? 0));
}

const insuredHere = (regionCode: string) => regionCode.startsWith('3301') || regionCode.startsWith('3302');
const warehousedHere = (regionCode: string) => regionCode.startsWith('3301');

// ---------------------------------------------------------------------------------------------------------------
// Firms

export interface Decline {
  /** Month numbers: utilities and headcount start falling, then arrears appear (3–6 months later). */
  startAbs: number;
  arrearsAbs: number;
}

export interface WorldFirm {
  index: number;
  uscc: string;
  district: District;
  profile: IndustryProfile;
  industryCode: string;
  scale: 'micro' | 'small' | 'medium';
  /** Employees at the start of the window. */
  headcount: number;
  registeredCapitalFen: number;
  establishedDay: number;
  /** Yearly growth of headcount and revenue. */
  growth: number;
  taxLevel: TTaxCreditLevel;
  insuredShare: number;
  /** Social insurance paid per insured employee per month (元). */
  contributionPerHead: number;
  decline: Decline | null;
  penalties: number;
  blacklist: TBlacklistType | null;
  honour: THonourType | null;
  courtCases: number;
  /** Holds warehouse receipts, and is in the logistics source's region. */
  logistics: boolean;
  licensed: boolean;
  abnormal: boolean;
  /** Demo firms have a story picked by hand; they also pin down what their rows show. */
  story: 'corrected_penalty' | 'severe_penalty' | null;
}

/** The demo's 50 firms are the world's first 50 (computed once). */
let demoFirms: DemoEnterprise[] | null = null;
const DEMO_COUNT = 50;
function demoFirm(index: number): DemoEnterprise | null {
  if (index >= DEMO_COUNT) return null;
  demoFirms ??= demoEnterprises(DEMO_COUNT);
  return demoFirms[index] ?? null;
}

/** A unique code per firm index: 91 + district + "MA" + seven characters that spell the index, scrambled. */
function worldUscc(regionCode: string, index: number): string {
  const space = 31 ** 7;
  let n = (index * 7_368_787 + 104_729) % space;
  let body = '';
  for (let i = 0; i < 7; i++) {
    body = USCC_CHARSET[n % 31] + body;
    n = Math.floor(n / 31);
  }
  const first17 = `91${regionCode}MA${body}`;
  return first17 + usccCheckCharacter(first17);
}

/** The hand-picked stories of the first demo firms, so that even a tiny world has every kind of record. */
interface Story {
  decline?: true;
  penalties?: number;
  story?: WorldFirm['story'];
  blacklist?: TBlacklistType;
  honour?: THonourType;
  courtCases?: number;
  taxLevel?: TTaxCreditLevel;
}
const STORIES: Record<number, Story> = {
  0: { honour: 'specialised', taxLevel: 'A' },
  1: { penalties: 1, story: 'corrected_penalty' },
  2: { decline: true, courtCases: 1 },
  3: { courtCases: 1 },
  4: { blacklist: 'dishonest_debtor', courtCases: 1 },
  5: { penalties: 1, story: 'severe_penalty' },
  6: { honour: 'tax_a', taxLevel: 'A' },
  7: { decline: true, blacklist: 'tax_violation' },
};

const TAX_LEVELS: ReadonlyArray<readonly [TTaxCreditLevel, number]> = [
  ['A', 24],
  ['B', 48],
  ['M', 17],
  ['C', 8],
  ['D', 3],
];

/** One firm of the world: a pure function of the seed, the index and the window. */
export function worldFirm(world: World, index: number): WorldFirm {
  const r = new Rand(seedOf(world.seed, index, 0, 1));
  const demo = demoFirm(index);
  const district = demo ? DISTRICT_BY_CODE.get(demo.regionCode)! : r.weighted(DISTRICT_WEIGHTS);
  const profile = demo ? INDUSTRY_PROFILES[index % 12]! : r.weighted(PROFILE_WEIGHTS);
  const industryCode = demo ? profile.codes[0]! : r.pick(profile.codes);
  const scale = r.weighted([
    ['micro', 60],
    ['small', 31],
    ['medium', 9],
  ] as const);
  const headcount = scale === 'micro' ? r.int(2, 19) : scale === 'small' ? r.int(20, 99) : r.int(100, 299);
  const capitalWan = scale === 'micro' ? r.int(3, 200) : scale === 'small' ? r.int(100, 1_000) : r.int(500, 5_000);
  const growth = r.between(-0.03, 0.09);
  const story = STORIES[index] ?? {};
  const taxLevel = story.taxLevel ?? r.weighted(TAX_LEVELS);
  const insuredShare = r.between(0.82, 1);
  const contributionPerHead = r.int(1_300, 2_600);

  const declines = story.decline ?? r.chance(0.07);
  const declineAt = r.next();
  const lag = r.int(3, 6);
  let decline: Decline | null = null;
  if (declines) {
    // Hand-picked declines end inside any window; the others start in the later two thirds of it.
    const startRel = story.decline
      ? Math.max(1, world.months - 9)
      : Math.max(1, Math.floor(world.months * 0.3) + Math.floor(declineAt * Math.max(1, Math.ceil(world.months * 0.7) - 2)));
    const arrearsLag = story.decline ? Math.min(4, Math.max(3, world.months - 1 - startRel)) : lag;
    decline = { startAbs: world.startAbs + startRel, arrearsAbs: world.startAbs + startRel + arrearsLag };
  }

  // Established before the window, but for a few young firms; a declining firm has a history before its fall.
  const young = !decline && index >= DEMO_COUNT && r.chance(0.06);
  const earliest = dayOf(1998, 1, 1);
  const beforeWindow = world.startDay - (decline ? 730 : 90);
  const establishedDay = young
    ? r.int(world.startDay, Math.max(world.startDay, world.endDay - 60))
    : r.int(Math.min(earliest, beforeWindow - 365), beforeWindow);

  const penalties = story.penalties ?? (r.chance(0.08) ? r.weighted([[1, 70], [2, 22], [3, 8]] as const) : 0);
  const blacklistDraw = r.next();
  const blacklist =
    story.blacklist !== undefined
      ? story.blacklist
      : !young && blacklistDraw < (decline ? 0.06 : 0.006)
        ? r.chance(0.7)
          ? 'dishonest_debtor'
          : 'tax_violation'
        : null;
  const honourDraw = r.next();
  const honour = story.honour ?? (!decline && !blacklist && honourDraw < 0.054 ? r.pick(profile.honours) : null);
  const courtDraw = r.next();
  const courtCases =
    story.courtCases ?? (blacklist === 'dishonest_debtor' ? 1 : courtDraw < (decline ? 0.2 : 0.045) ? r.weighted([[1, 75], [2, 25]] as const) : 0);
  const licensed = profile.licence !== null && r.chance(0.85);
  const abnormal = decline ? decline.arrearsAbs <= world.endAbs - 6 && r.chance(0.5) : r.chance(0.015);

  return {
    index,
    uscc: demo ? demo.uscc : worldUscc(district.code, index),
    district,
    profile,
    industryCode,
    scale,
    headcount,
    registeredCapitalFen: capitalWan * 10_000 * 100,
    establishedDay: demo ? Math.min(establishedDay, world.startDay - 400) : establishedDay,
    growth,
    taxLevel: honour === 'tax_a' ? 'A' : taxLevel,
    insuredShare,
    contributionPerHead,
    decline,
    penalties,
    blacklist,
    honour,
    courtCases: blacklist === 'dishonest_debtor' ? Math.max(1, courtCases) : courtCases,
    logistics: profile.logistics && warehousedHere(district.code),
    licensed,
    abnormal,
    story: story.story ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A firm's month: one set of draws that tax, social security and utilities all read, so they tell one story.

/**
 * The simulated outcome of a firm over the year after the window (defaulted on a loan or not), for training a
 * candidate scorecard on the platform's own data until real loans exist. Drawn from a latent risk that the
 * firm's story drives (a decline, a blacklist entry, court cases, penalties, a poor tax level, abnormal status
 * raise it; honours and years lower it), so the outcome is noisy but learnable from the records the world emits.
 */
export function worldOutcome(world: World, firm: WorldFirm): { defaulted: boolean; observedOn: string } {
  const r = new Rand(seedOf(world.seed, firm.index, 0, 9));
  const years = (world.endDay - firm.establishedDay) / 365.25;
  const logit =
    -3.4 +
    (firm.decline ? 2.4 : 0) +
    (firm.blacklist ? 1.6 : 0) +
    0.5 * firm.courtCases +
    0.35 * firm.penalties +
    (firm.taxLevel === 'C' || firm.taxLevel === 'D' ? 1.1 : firm.taxLevel === 'M' ? 0.4 : 0) +
    (firm.abnormal ? 0.9 : 0) -
    (firm.honour ? 0.7 : 0) -
    Math.min(years, 15) * 0.04;
  return { defaulted: r.next() < 1 / (1 + Math.exp(-logit)), observedOn: isoDay(world.endDay) };
}

export interface FirmMonth {
  headcount: number;
  revenueFen: number;
  taxPaidFen: number;
  taxArrearsFen: number;
  creditLevel: TTaxCreditLevel | null;
  insured: number;
  socialPaidFen: number;
  socialArrearsFen: number;
  electricityKwh: number;
  waterTonnes: number;
  gasM3: number | null;
  utilityArrearsFen: number;
}

const fen = (yuan: number): number => Math.max(0, Math.round(yuan * 100));

/** The first month a firm reports in: the window's first, or the month after it was established. */
const firstActiveAbs = (world: World, firm: WorldFirm): number => Math.max(world.startAbs, absOfDay(firm.establishedDay) + 1);

export function firmMonth(world: World, firm: WorldFirm, abs: number): FirmMonth {
  const r = new Rand(seedOf(world.seed, firm.index, abs, 2));
  const m = monthOfAbs(abs) - 1;
  const years = (abs - world.startAbs) / 12;
  const k = firm.decline ? abs - firm.decline.startAbs : -1;
  const owing = firm.decline ? abs - firm.decline.arrearsAbs : -1;
  // Utilities and headcount fall first; revenue with them.
  const utilityFactor = k >= 0 ? Math.max(0.18, 0.88 ** (k + 1)) : 1;
  const staffFactor = k >= 0 ? Math.max(0.3, 0.94 ** (k + 1)) : 1;
  const revenueFactor = k >= 0 ? Math.max(0.22, 0.91 ** (k + 1)) : 1;

  const headcount = Math.max(1, Math.round(firm.headcount * (1 + firm.growth) ** years * staffFactor * r.noise(0.03)));
  const revenueYuan = headcount * firm.profile.revenuePerHead * REVENUE_SEASON[firm.profile.season][m]! * revenueFactor * r.noise(0.12);
  // Corporate income tax is paid by quarter, on top of the monthly VAT.
  const quarterly = m % 3 === 2 ? 1.35 : 1;
  const taxDue = revenueYuan * firm.profile.taxRate * quarterly * r.noise(0.1);
  const taxSlip = owing < 0 && !firm.decline && r.chance(0.004);
  const taxArrearsYuan = owing >= 0 ? taxDue * 0.6 * (owing + 1) : taxSlip ? taxDue * 0.35 : 0;
  const taxPaidYuan = owing >= 0 ? taxDue * 0.4 : taxSlip ? taxDue * 0.65 : taxDue;

  const age = abs - absOfDay(firm.establishedDay);
  let creditLevel: TTaxCreditLevel | null = age < 6 ? null : age < 18 ? 'M' : firm.taxLevel;
  if (owing >= 0) creditLevel = owing < 12 ? 'C' : 'D';

  const insured = Math.max(1, Math.round(headcount * firm.insuredShare));
  const contribution = insured * firm.contributionPerHead;
  const socialSlip = owing < 0 && !firm.decline && r.chance(0.002);
  const socialArrearsYuan = owing >= 0 ? contribution * 0.5 * (owing + 1) : socialSlip ? contribution * 0.5 : 0;
  const socialPaidYuan = owing >= 0 ? contribution * 0.5 : socialSlip ? contribution * 0.5 : contribution;

  const electricityKwh = Math.round(
    Math.max(1, firm.headcount * (1 + firm.growth) ** years) * firm.profile.kwhPerHead * ELECTRICITY_SEASON[firm.profile.season][m]! * utilityFactor * r.noise(0.06),
  );
  const waterTonnes = Math.max(0, Math.round(headcount * firm.profile.waterPerHead * (m >= 5 && m <= 7 ? 1.15 : 1) * utilityFactor * r.noise(0.1)));
  const heating = m <= 1 || m === 11 ? 1.3 : 1;
  const gasM3 = firm.profile.gasPerHead > 0 ? Math.round(headcount * firm.profile.gasPerHead * heating * utilityFactor * r.noise(0.08)) : null;
  const utilitySlip = owing < 0 && !firm.decline && r.chance(0.003);
  const bill = electricityKwh * 0.72;
  const utilityArrearsYuan = owing >= 0 ? bill * 0.7 * (owing + 1) : utilitySlip ? bill * 0.5 : 0;

  return {
    headcount,
    revenueFen: fen(revenueYuan),
    taxPaidFen: fen(taxPaidYuan),
    taxArrearsFen: fen(taxArrearsYuan),
    creditLevel,
    insured,
    socialPaidFen: fen(socialPaidYuan),
    socialArrearsFen: fen(socialArrearsYuan),
    electricityKwh,
    waterTonnes,
    gasM3,
    utilityArrearsFen: fen(utilityArrearsYuan),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Rows

export type WorldRecord = Record<string, string | number | boolean | null>;

export interface WorldRow {
  source: WorldSourceKey;
  category: TCreditCategory;
  record: WorldRecord;
}

const MONTHLY: ReadonlySet<TCreditCategory> = new Set(['tax', 'social_security', 'utility']);
/** The key of each category's event date (its first date column: established, valid from, decided, listed, …). */
const EVENT_DATE_KEY: Partial<Record<TCreditCategory, string>> = Object.fromEntries(
  CREDIT_CATEGORIES.flatMap((c) => CREDIT_FIELDS[c].filter((f) => f.type === 'date').slice(0, 1).map((f) => [c, f.key])),
);

const BRAND_HEADS = '云钱西之梦临运龙良望明天东三海甬宝灵玉孤北曙翠文留金华瑞信恒嘉德鸿泰盛隆丰祥宏兴安永达新越诚锦博卓'.split('');
const BRAND_TAILS = '栖江溪湖山川源泽林峰辰宇航阳晨光远达通顺和丰立鼎创新联合发力益升启'.split('');
const SURNAMES = '张王李赵陈刘杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任沈姚卢钟'.split('');
const GIVEN = ['建国', '秀英', '伟', '敏', '静', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超', '海燕', '志强', '丽华', '国平', '晓东', '春梅', '建华', '立新', '文斌', '雪芳', '俊杰', '佳怡', '子涵', '宇航', '梓萱'];
const ROADS = ['文三路', '天目山路', '江南大道', '滨盛路', '文一西路', '解放东路', '中河中路', '莫干山路', '金城路', '宁穗路', '中山东路', '鄞州大道', '世纪大道', '人民路', '解放路', '胜利路', '工业园路', '科技大道'];

function cityShort(district: District): string {
  return district.city.replace(/市$/, '');
}

function firmName(world: World, firm: WorldFirm): string {
  const demo = demoFirm(firm.index);
  if (demo) return demo.name;
  const r = new Rand(seedOf(world.seed, firm.index, 0, 3));
  const brand = r.pick(BRAND_HEADS) + r.pick(BRAND_TAILS);
  return `${cityShort(firm.district)}${brand}${r.pick(firm.profile.trades)}有限公司`;
}

function legalRepName(world: World, firm: WorldFirm): string {
  const demo = demoFirm(firm.index);
  if (demo) return demo.legalRepName;
  const r = new Rand(seedOf(world.seed, firm.index, 0, 4));
  return r.pick(SURNAMES) + r.pick(GIVEN);
}

function registrationRow(world: World, firm: WorldFirm): WorldRecord {
  const r = new Rand(seedOf(world.seed, firm.index, 0, 5));
  return {
    uscc: firm.uscc,
    externalId: `DJ-${firm.uscc}`,
    name: firmName(world, firm),
    legalRepName: legalRepName(world, firm),
    registeredCapitalFen: firm.registeredCapitalFen,
    establishedOn: isoDay(firm.establishedDay),
    industryCode: firm.industryCode,
    regionCode: firm.district.code,
    address: `浙江省${firm.district.city}${firm.district.name}${r.pick(ROADS)}${r.int(1, 999)}号`,
    businessScope: firm.profile.scope,
    scale: firm.scale,
    status: firm.abnormal ? 'abnormal' : 'active',
  };
}

function taxRow(firm: WorldFirm, abs: number, month: FirmMonth): WorldRecord {
  const period = monthKey(abs);
  return {
    uscc: firm.uscc,
    externalId: `SB-${firm.uscc}-${period}`,
    period,
    taxPaidFen: month.taxPaidFen,
    revenueDeclaredFen: month.revenueFen,
    arrearsFen: month.taxArrearsFen,
    creditLevel: month.creditLevel,
  };
}

function socialRow(firm: WorldFirm, abs: number, month: FirmMonth): WorldRecord {
  const period = monthKey(abs);
  return {
    uscc: firm.uscc,
    externalId: `SI-${firm.uscc}-${period}`,
    period,
    insuredHeadcount: month.insured,
    paidFen: month.socialPaidFen,
    arrearsFen: month.socialArrearsFen,
  };
}

function utilityRow(firm: WorldFirm, abs: number, month: FirmMonth): WorldRecord {
  const period = monthKey(abs);
  return {
    uscc: firm.uscc,
    externalId: `SDQ-${firm.uscc}-${period}`,
    period,
    electricityKwh: month.electricityKwh,
    waterTonnes: month.waterTonnes,
    gasM3: month.gasM3,
    arrearsFen: month.utilityArrearsFen,
  };
}

/** A day in [from, to] (inclusive), or null when the span is empty. */
function dayIn(r: Rand, from: number, to: number): number | null {
  return to < from ? null : r.int(from, to);
}

const MINOR_CAUSES = ['未按规定公示年度报告', '未按规定标明价格', '经营场所未亮照经营', '未按规定建立进货查验记录'];
const GENERAL_CAUSES = ['销售不合格产品', '虚假宣传', '未经许可从事经营活动', '违反计量法规定使用未经检定的计量器具', '生产经营超过保质期的食品'];
const SERIOUS_CAUSES = ['生产销售不符合保障人体健康安全标准的产品', '未取得排污许可证排放污染物', '发生一般生产安全事故负有责任', '以欺骗手段骗取行政许可'];
const SEVERE_CAUSES = ['生产销售伪劣产品，货值金额较大', '发生较大生产安全事故负有责任', '超标排放污染物且拒不改正'];

function penaltyRows(world: World, firm: WorldFirm): WorldRecord[] {
  if (firm.penalties === 0) return [];
  const r = new Rand(seedOf(world.seed, firm.index, 0, 11));
  const rows: WorldRecord[] = [];
  // The hand-picked repaired penalty was decided before the window, so that even a short window shows its repair.
  const from = Math.max(firm.story === 'corrected_penalty' ? world.startDay - 400 : world.startDay, firm.establishedDay + 30);
  for (let k = 0; k < firm.penalties; k++) {
    const severity: TPenaltySeverity =
      firm.story === 'corrected_penalty'
        ? 'general'
        : firm.story === 'severe_penalty'
          ? 'severe'
          : r.weighted([
              ['minor', 35],
              ['general', 40],
              ['serious', 18],
              ['severe', 7],
            ] as const);
    const decided = dayIn(r, from, world.endDay - (firm.story === 'corrected_penalty' ? 200 : 5));
    if (decided === null) continue;
    let penaltyType: TPenaltyType;
    let amountYuan: number;
    let cause: string;
    switch (severity) {
      case 'minor':
        penaltyType = r.chance(0.6) ? 'warning' : 'fine';
        amountYuan = penaltyType === 'warning' ? 0 : r.int(5, 50) * 100;
        cause = r.pick(MINOR_CAUSES);
        break;
      case 'general':
        penaltyType = 'fine';
        amountYuan = r.int(5, 50) * 1_000;
        cause = r.pick(GENERAL_CAUSES);
        break;
      case 'serious':
        penaltyType = r.chance(0.8) ? 'fine' : 'licence_action';
        amountYuan = r.int(50, 200) * 1_000;
        cause = r.pick(SERIOUS_CAUSES);
        break;
      default:
        penaltyType = r.chance(0.5) ? 'suspension' : 'licence_action';
        amountYuan = r.int(20, 100) * 10_000;
        cause = r.pick(SEVERE_CAUSES);
    }
    // 信用修复: minor and general penalties can be repaired after a period of publicity; some firms do.
    const repairable = severity === 'minor' || severity === 'general';
    const repairs = firm.story === 'corrected_penalty' || (repairable && r.chance(0.45));
    const correctedDay = repairs ? dayIn(r, decided + 90, Math.min(decided + 365, world.endDay)) : null;
    const year = yearOfDay(decided);
    rows.push({
      uscc: firm.uscc,
      externalId: `XZCF-${firm.uscc}-${k + 1}`,
      decisionNo: `${firm.district.abbr}市监处罚〔${year}〕${r.int(10, 2999)}号`,
      cause,
      penaltyType,
      amountFen: amountYuan * 100,
      severity,
      decidedOn: isoDay(decided),
      decidedBy: `${firm.district.city}${firm.district.name}市场监督管理局`,
      corrected: correctedDay !== null,
      correctedOn: correctedDay === null ? null : isoDay(correctedDay),
    });
  }
  return rows;
}

function licenceRows(world: World, firm: WorldFirm): WorldRecord[] {
  const kind = firm.profile.licence;
  if (!kind || !firm.licensed) return [];
  const r = new Rand(seedOf(world.seed, firm.index, 0, 12));
  const issuer = kind.issuer.replace('{city}', firm.district.city).replace('{district}', firm.district.name);
  const rows: WorldRecord[] = [];
  const first = dayIn(r, Math.max(firm.establishedDay + 20, world.endDay - 8 * 365), world.endDay - 30);
  if (first === null) return [];
  // A licence lasts five years; an expired one is renewed the next day.
  let from = first;
  for (let k = 1; from <= world.endDay && k <= 3; k++) {
    const to = addYears(from, 5) - 1;
    const status: TLicenceStatus = to < world.endDay ? 'expired' : firm.abnormal && r.chance(0.3) ? 'revoked' : 'valid';
    rows.push({
      uscc: firm.uscc,
      externalId: `XK-${firm.uscc}-${k}`,
      licenceNo: `${kind.prefix}${firm.district.code.slice(2)}${String(r.int(1, 9_999_999)).padStart(7, '0')}`,
      licenceName: kind.name,
      issuedBy: issuer,
      validFrom: isoDay(from),
      validTo: isoDay(to),
      status,
    });
    from = to + 1;
  }
  return rows;
}

const HONOUR_GRANTERS: Record<THonourType, (d: District) => string> = {
  red_list: (d) => `${d.city}发展和改革委员会`,
  tax_a: () => '国家税务总局浙江省税务局',
  high_tech: () => '浙江省科学技术厅',
  specialised: () => '浙江省经济和信息化厅',
  other: (d) => `${d.city}人民政府`,
};
const HONOUR_NAMES: Record<THonourType, string> = {
  red_list: '守信激励对象（红名单）',
  tax_a: '纳税信用A级纳税人',
  high_tech: '国家高新技术企业',
  specialised: '浙江省专精特新中小企业',
  other: '诚信示范企业',
};

function honourRows(world: World, firm: WorldFirm): WorldRecord[] {
  if (!firm.honour) return [];
  const r = new Rand(seedOf(world.seed, firm.index, 0, 13));
  const granted = dayIn(r, Math.max(firm.establishedDay + 365, world.startDay - 540), world.endDay - 10);
  if (granted === null) return [];
  const years = firm.honour === 'tax_a' ? 1 : firm.honour === 'red_list' ? 2 : 3;
  return [
    {
      uscc: firm.uscc,
      externalId: `RY-${firm.uscc}-${firm.honour}`,
      honourType: firm.honour,
      honourName: HONOUR_NAMES[firm.honour],
      grantedOn: isoDay(granted),
      validTo: isoDay(addYears(granted, years) - 1),
      grantedBy: HONOUR_GRANTERS[firm.honour](firm.district),
    },
  ];
}

const COURT_CAUSES = ['买卖合同纠纷', '借款合同纠纷', '金融借款合同纠纷', '租赁合同纠纷', '劳动争议', '服务合同纠纷', '建设工程施工合同纠纷', '承揽合同纠纷'];

function courtOf(district: District): string {
  return `${district.city}${district.name}人民法院`;
}

interface CourtCase {
  record: WorldRecord;
  filed: number;
}

function courtCases(world: World, firm: WorldFirm): CourtCase[] {
  if (firm.courtCases === 0) return [];
  const r = new Rand(seedOf(world.seed, firm.index, 0, 14));
  const cases: CourtCase[] = [];
  for (let k = 0; k < firm.courtCases; k++) {
    // A dishonest debtor's first case is the judgment it did not honour: filed well before the listing.
    const debt = k === 0 && firm.blacklist === 'dishonest_debtor';
    const declining = firm.decline !== null;
    const from = Math.max(firm.establishedDay + 60, world.startDay - (debt ? 540 : 0));
    const to = debt ? world.endDay - 240 : world.endDay - 3;
    const filed = dayIn(r, Math.min(from, to), to);
    if (filed === null) continue;
    const role: TCourtRole = debt ? 'defendant' : r.weighted([
      ['plaintiff', declining ? 20 : 40],
      ['defendant', declining ? 78 : 55],
      ['third_party', 2],
    ] as const);
    const age = world.endDay - filed;
    let status: TCourtCaseStatus = age < 30 ? 'filed' : age < 150 ? 'trial' : age < 330 && r.chance(0.5) ? 'judged' : 'closed';
    if (debt) status = 'closed';
    const closed = status === 'closed' ? dayIn(r, filed + 60, Math.min(filed + 330, world.endDay)) ?? filed : null;
    let enforcement: TEnforcementStatus = 'none';
    if (debt) enforcement = r.chance(0.6) ? 'enforcing' : 'terminated';
    else if (role === 'defendant' && (status === 'judged' || status === 'closed') && r.chance(0.45)) {
      enforcement = r.weighted([
        ['enforcing', 40],
        ['enforced', 45],
        ['terminated', 15],
      ] as const);
    }
    const year = yearOfDay(filed);
    cases.push({
      filed,
      record: {
        uscc: firm.uscc,
        externalId: `AJ-${firm.uscc}-${k + 1}`,
        caseNo: `（${year}）浙${firm.district.code.slice(2)}民初${r.int(100, 19_999)}号`,
        court: courtOf(firm.district),
        role,
        cause: debt ? r.pick(['买卖合同纠纷', '借款合同纠纷', '金融借款合同纠纷']) : r.pick(COURT_CAUSES),
        amountFen: r.int(2, 200) * 10_000 * 100,
        status,
        enforcement,
        filedOn: isoDay(filed),
        closedOn: closed === null ? null : isoDay(closed),
      },
    });
  }
  return cases;
}

function courtRows(world: World, firm: WorldFirm): WorldRecord[] {
  return courtCases(world, firm).map((c) => c.record);
}

function blacklistRows(world: World, firm: WorldFirm): Array<{ source: WorldSourceKey; record: WorldRecord }> {
  if (!firm.blacklist) return [];
  const r = new Rand(seedOf(world.seed, firm.index, 0, 15));
  const dishonest = firm.blacklist === 'dishonest_debtor';
  const anchor = dishonest ? courtCases(world, firm)[0]?.filed ?? world.startDay : firm.decline?.arrearsAbs ? firstDayOf(firm.decline.arrearsAbs) : world.startDay;
  const listed = dayIn(r, Math.max(anchor + 200, world.startDay), world.endDay - 5) ?? world.endDay - 5;
  const removed = r.chance(0.3) ? dayIn(r, listed + 180, world.endDay) : null;
  return [
    {
      source: dishonest ? 'court' : 'tax',
      record: {
        uscc: firm.uscc,
        externalId: `${dishonest ? 'SXBZX' : 'SSWF'}-${firm.uscc}`,
        listType: firm.blacklist,
        listedOn: isoDay(listed),
        removedOn: removed === null ? null : isoDay(removed),
        listedBy: dishonest ? courtOf(firm.district) : `国家税务总局${firm.district.city}${firm.district.name}税务局`,
        reason: dishonest ? '有履行能力而拒不履行生效法律文书确定的义务' : '欠缴税款，采取转移或者隐匿财产的手段，妨碍税务机关追缴欠缴的税款',
      },
    },
  ];
}

const WAREHOUSES = ['浙江之江物流仓储有限公司', '杭州钱塘供应链管理有限公司', '杭州下沙保税物流中心有限公司', '浙江萧山港务仓储有限公司'];
const UNITS: Record<string, string> = {
  '冷轧钢板 1.0mm': '吨',
  聚丙烯颗粒: '吨',
  电解铜: '吨',
  瓦楞纸板: '件',
  冷冻水产品: '箱',
  针织面料: '米',
  男式衬衫: '件',
  五金配件: '箱',
  不锈钢紧固件: '箱',
  棉纱: '吨',
  预包装食品: '箱',
  日用百货: '件',
  家用电器: '台',
  粮油制品: '吨',
};
const UNIT_PRICE_YUAN: Record<string, number> = { 吨: 6_500, 件: 90, 箱: 420, 米: 18, 台: 1_800 };

function logisticsRows(world: World, firm: WorldFirm): WorldRecord[] {
  if (!firm.logistics) return [];
  const rows: WorldRecord[] = [];
  for (let abs = firstActiveAbs(world, firm); abs <= world.endAbs; abs++) {
    const r = new Rand(seedOf(world.seed, firm.index, abs, 16));
    const count = r.weighted([[0, 35], [1, 40], [2, 25]] as const);
    for (let k = 1; k <= count; k++) {
      const goods = r.pick(firm.profile.goods);
      const unit = UNITS[goods] ?? '件';
      const quantity = unit === '吨' ? r.int(5, 300) : unit === '米' ? r.int(2_000, 60_000) : r.int(50, 5_000);
      const issued = r.int(firstDayOf(abs), lastDayOf(abs));
      rows.push({
        uscc: firm.uscc,
        externalId: `CD-${firm.uscc}-${monthKey(abs)}-${k}`,
        receiptNo: `CD${monthKey(abs).replace('-', '')}${firm.uscc.slice(10, 17)}${k}`,
        warehouse: r.pick(WAREHOUSES),
        goods,
        quantity,
        unit,
        valueFen: fen(quantity * UNIT_PRICE_YUAN[unit]! * r.noise(0.15)),
        issuedOn: isoDay(issued),
        pledged: r.chance(0.25),
      });
    }
  }
  return rows;
}

/** Where each category's rows come from (blacklist rows name their own source). */
const CATEGORY_SOURCE: Record<Exclude<TCreditCategory, 'blacklist'>, WorldSourceKey> = {
  registration: 'market',
  licence: 'market',
  penalty: 'market',
  honour: 'market',
  tax: 'tax',
  social_security: 'hrss',
  utility: 'grid',
  court_case: 'court',
  logistics: 'logistics',
};

/**
 * Every row of one category, as an iterator: monthly categories month by month (as departments export them),
 * the others firm by firm. `months` narrows monthly categories to some months (month numbers).
 */
export function* worldRows(world: World, category: TCreditCategory, options: { months?: readonly number[] } = {}): Generator<WorldRow> {
  if (MONTHLY.has(category)) {
    const source = CATEGORY_SOURCE[category as 'tax'];
    const lastSent = worldLastSentAbs(world, source);
    const months = (options.months ?? Array.from({ length: world.months }, (_, i) => world.startAbs + i)).filter((abs) => abs <= lastSent);
    for (const abs of months) {
      for (let i = 0; i < world.enterprises; i++) {
        const firm = worldFirm(world, i);
        if (abs < firstActiveAbs(world, firm)) continue;
        if (category === 'social_security' && !insuredHere(firm.district.code)) continue;
        const month = firmMonth(world, firm, abs);
        const record = category === 'tax' ? taxRow(firm, abs, month) : category === 'social_security' ? socialRow(firm, abs, month) : utilityRow(firm, abs, month);
        yield { source, category, record };
      }
    }
    return;
  }
  // A silent source sends nothing that happened after its last month.
  const dateKey = EVENT_DATE_KEY[category]!;
  const sentUntil = new Map<WorldSourceKey, string>();
  for (const spec of WORLD_SOURCES) if (spec.silentMonths > 0) sentUntil.set(spec.key, isoDay(lastDayOf(worldLastSentAbs(world, spec.key))));
  const sent = (source: WorldSourceKey, record: WorldRecord) => {
    const until = sentUntil.get(source);
    return until === undefined || String(record[dateKey]) <= until;
  };
  for (let i = 0; i < world.enterprises; i++) {
    const firm = worldFirm(world, i);
    if (category === 'blacklist') {
      for (const row of blacklistRows(world, firm)) if (sent(row.source, row.record)) yield { source: row.source, category, record: row.record };
      continue;
    }
    const source = CATEGORY_SOURCE[category];
    const records =
      category === 'registration'
        ? [registrationRow(world, firm)]
        : category === 'licence'
          ? licenceRows(world, firm)
          : category === 'penalty'
            ? penaltyRows(world, firm)
            : category === 'honour'
              ? honourRows(world, firm)
              : category === 'court_case'
                ? courtRows(world, firm)
                : logisticsRows(world, firm);
    for (const record of records) if (sent(source, record)) yield { source, category, record };
  }
}

/** The rows one source sends of one category. */
export function* worldRowsOf(world: World, source: WorldSourceKey, category: TCreditCategory, options: { months?: readonly number[] } = {}): Generator<WorldRecord> {
  for (const row of worldRows(world, category, options)) if (row.source === source) yield row.record;
}

/** The window's months as month numbers, oldest first. */
export function worldMonths(world: World): number[] {
  return Array.from({ length: world.months }, (_, i) => world.startAbs + i);
}

// ---------------------------------------------------------------------------------------------------------------
// File form

const yuanText = (value: number): string => `${Math.floor(value / 100)}.${pad2(value % 100)}`;

/** The Chinese column headers of a category's file, in template order. */
export function fileHeader(category: TCreditCategory): string[] {
  return CREDIT_FIELDS[category].map((field) => field.label);
}

/** One row as a department's CSV export writes it: money in 元 with two decimals, enums by label, 是/否, empty for none. */
export function fileCells(category: TCreditCategory, record: WorldRecord): string[] {
  return CREDIT_FIELDS[category].map((field) => {
    const value = record[field.key];
    if (value === null || value === undefined) return '';
    switch (field.type) {
      case 'yuan':
        return yuanText(Number(value));
      case 'boolean':
        return value ? '是' : '否';
      case 'enum':
        return field.options?.find((o) => o.value === value)?.label ?? String(value);
      default:
        return String(value);
    }
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Files as they arrive: mistyped rows and firms without a registration

/** The mistakes department files have; each one the normaliser refuses with its own reason. */
export const WORLD_DEFECT_KINDS = ['uscc_check', 'letter_o', 'three_decimals', 'bad_month', 'missing_cell', 'unknown_label'] as const;
export type WorldDefectKind = (typeof WORLD_DEFECT_KINDS)[number];

export interface WorldDefect {
  kind: WorldDefectKind;
  /** The field (record key) whose cell is wrong, and what that cell says. */
  field: string;
  cell: string;
}

export interface WorldFileRow {
  cells: string[];
  /** What the row says when read right; a mistyped copy has its own external id. */
  record: WorldRecord;
  /** What was mistyped: null for a clean row. */
  defect: WorldDefect | null;
  /** The row is about a firm that has no registration in the world. */
  unregistered: boolean;
}

/** One clean row in this many of a category's file rows is followed by a mistyped copy (and every file has one). */
export const WORLD_DEFECT_EVERY = 160;
/** One firm without a registration per this many firms (at least one), in the monthly files. */
export const WORLD_UNREGISTERED_PER = 500;

/** Labels that are no option of the field (an enum, or a yes/no column), as clerks type them. */
const UNKNOWN_LABELS: Partial<Record<TCreditCategory, Record<string, readonly string[]>>> = {
  registration: { scale: ['大型', '小微', '个体'], status: ['迁出', '停业'] },
  licence: { status: ['暂扣', '待年检', '换证中'] },
  penalty: { severity: ['特别严重', '情节轻微', '重大'], corrected: ['已修复', '修复中'] },
  tax: { creditLevel: ['AA', 'A+', 'B-', '未评'] },
  logistics: { pledged: ['已质押', '未质押'] },
};

const CATEGORY_NUMBER = new Map(CREDIT_CATEGORIES.map((c, i) => [c, i + 1]));

/**
 * A mistyped copy of a clean row: its cells with one mistake, under a new external id (the clerk's system gave the
 * re-entered row a number of its own), so the good row beside it still stands.
 */
function mistypedCopy(world: World, category: TCreditCategory, record: WorldRecord, cells: readonly string[], n: number): WorldFileRow {
  const r = new Rand(seedOf(world.seed, CATEGORY_NUMBER.get(category)!, n, 21));
  const fields = CREDIT_FIELDS[category];
  const copy: WorldRecord = { ...record, externalId: `${String(record.externalId)}-R` };
  const out = [...cells];
  out[1] = String(copy.externalId);
  const at = (key: string) => fields.findIndex((f) => f.key === key);
  const money = fields.flatMap((f, i) => (f.type === 'yuan' && out[i] !== '' ? [i] : []));
  const withZero = money.filter((i) => out[i]!.includes('0'));
  const timeKey = fields.find((f) => f.type === 'month')?.key ?? EVENT_DATE_KEY[category];
  const time = timeKey === undefined ? -1 : at(timeKey);
  const required = fields.flatMap((f, i) => (i >= 2 && f.required && out[i] !== '' ? [i] : []));
  const labelled = Object.keys(UNKNOWN_LABELS[category] ?? {}).map(at).filter((i) => i >= 0);

  const kinds = WORLD_DEFECT_KINDS.filter((kind) => {
    switch (kind) {
      case 'letter_o':
        return withZero.length > 0;
      case 'three_decimals':
        return money.length > 0;
      case 'bad_month':
        return time >= 0 && out[time] !== '';
      case 'missing_cell':
        return required.length > 0;
      case 'unknown_label':
        return labelled.length > 0;
      default:
        return true;
    }
  });
  const kind = r.pick(kinds);
  let i = 0;
  switch (kind) {
    case 'uscc_check': {
      // A slip on the last character: the code no longer checks (GB 32100-2015).
      const code = out[0]!;
      const others = USCC_CHARSET.replace(code[17]!, '');
      out[0] = code.slice(0, 17) + others[r.int(0, others.length - 1)]!;
      break;
    }
    case 'letter_o': {
      i = r.pick(withZero);
      const zeros = [...out[i]!].flatMap((ch, k) => (ch === '0' ? [k] : []));
      const k = r.pick(zeros);
      out[i] = `${out[i]!.slice(0, k)}O${out[i]!.slice(k + 1)}`;
      break;
    }
    case 'three_decimals':
      // An amount computed in a spreadsheet and exported unrounded.
      i = r.pick(money);
      out[i] = `${out[i]!}${r.int(1, 9)}`;
      break;
    case 'bad_month':
      // 2025-13 for a month, 2025-13-05 for a date.
      i = time;
      out[i] = `${out[i]!.slice(0, 4)}-13${out[i]!.slice(7)}`;
      break;
    case 'missing_cell':
      i = r.pick(required);
      out[i] = '';
      break;
    case 'unknown_label':
      i = r.pick(labelled);
      out[i] = r.pick(UNKNOWN_LABELS[category]![fields[i]!.key]!);
      break;
  }
  return { cells: out, record: copy, defect: { kind, field: fields[i]!.key, cell: out[i]! }, unregistered: false };
}

/** How many firms without a registration the world's monthly files carry rows about. */
export function worldUnregisteredCount(world: World): number {
  return Math.ceil(world.enterprises / WORLD_UNREGISTERED_PER);
}

const INSURED_DISTRICTS = WORLD_DISTRICTS.filter((d) => insuredHere(d.code)).map((d) => [d, d.weight] as const);

/**
 * The k-th firm without a registration: a young firm that pays tax and social insurance from a month of the
 * window's last year, whose registration has not reached the platform. Its code checks, and no firm of any world has it (its index is
 * beyond the largest world).
 */
export function worldUnregisteredFirm(world: World, k: number): WorldFirm {
  const index = WORLD_MAX_ENTERPRISES + k;
  const base = worldFirm(world, index);
  const r = new Rand(seedOf(world.seed, index, 0, 30));
  const district = r.weighted(INSURED_DISTRICTS);
  // Established 3–12 months before the window's end: registration data lags, but not for years.
  const span = Math.min(world.months, 12);
  const firstAbs = world.endAbs - r.int(Math.min(2, span - 1), span - 1);
  return {
    ...base,
    uscc: worldUscc(district.code, index),
    district,
    establishedDay: r.int(firstDayOf(firstAbs - 1), lastDayOf(firstAbs - 1)),
    decline: null,
    penalties: 0,
    blacklist: null,
    honour: null,
    courtCases: 0,
    logistics: false,
    licensed: false,
    abnormal: false,
    story: null,
  };
}

/**
 * A source's file of one category as it arrives: the clean rows of `worldRowsOf` in order, a mistyped copy after
 * one in each WORLD_DEFECT_EVERY of them (at a seeded place; a shorter file ends with one, so even a tiny world
 * shows one), and in monthly files, after each month's rows, the rows of the firms without a registration. The
 * same options give the same file.
 */
export function* worldFileRows(world: World, source: WorldSourceKey, category: TCreditCategory): Generator<WorldFileRow> {
  const number = CATEGORY_NUMBER.get(category)!;
  // Row n of the clean rows is copied mistyped when it is its block's chosen one.
  let n = 0;
  let block = -1;
  let mistypedAt = 0;
  let mistyped = 0;
  let last: { record: WorldRecord; cells: string[]; n: number } | null = null;
  function* rowsOf(records: Iterable<WorldRecord>): Generator<WorldFileRow> {
    for (const record of records) {
      const cells = fileCells(category, record);
      yield { cells, record, defect: null, unregistered: false };
      if (Math.floor(n / WORLD_DEFECT_EVERY) !== block) {
        block = Math.floor(n / WORLD_DEFECT_EVERY);
        mistypedAt = new Rand(seedOf(world.seed, number, block, 20)).int(0, WORLD_DEFECT_EVERY - 1);
      }
      if (n % WORLD_DEFECT_EVERY === mistypedAt) {
        mistyped += 1;
        yield mistypedCopy(world, category, record, cells, n);
      }
      last = { record, cells, n };
      n += 1;
    }
  }
  /** A file shorter than its first block's chosen row ends with a mistyped copy of its last row. */
  const lastMistyped = () => (mistyped === 0 && last ? [mistypedCopy(world, category, last.record, last.cells, last.n)] : []);
  if (!MONTHLY.has(category)) {
    yield* rowsOf(worldRowsOf(world, source, category));
    yield* lastMistyped();
    return;
  }
  const unregistered = CATEGORY_SOURCE[category as 'tax'] === source ? Array.from({ length: worldUnregisteredCount(world) }, (_, k) => worldUnregisteredFirm(world, k)) : [];
  for (const abs of worldMonths(world)) {
    if (abs > worldLastSentAbs(world, source)) break;
    yield* rowsOf(worldRowsOf(world, source, category, { months: [abs] }));
    for (const firm of unregistered) {
      if (abs < firstActiveAbs(world, firm)) continue;
      if (category === 'social_security' && !insuredHere(firm.district.code)) continue;
      const month = firmMonth(world, firm, abs);
      const record = category === 'tax' ? taxRow(firm, abs, month) : category === 'social_security' ? socialRow(firm, abs, month) : utilityRow(firm, abs, month);
      yield { cells: fileCells(category, record), record, defect: null, unregistered: true };
    }
  }
  yield* lastMistyped();
}
