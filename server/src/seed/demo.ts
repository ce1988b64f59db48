import { idCardCheckCharacter, usccCheckCharacter, USCC_CHARSET, maskIdNumber, type TAdminRole, type TOrgType } from '@xyd/shared';
import type { AppContext } from '../context';
import { seedDemoProducts } from './products';
import { newId } from '../lib/ids';
import { recordAudit } from '../modules/audit/service';
import { AdminUser, Organisation } from '../modules/identity/models';
import { hashPassword } from '../modules/identity/passwords';
import { Enterprise } from '../modules/enterprises/models';
import { idNumberHmac } from '../modules/enterprises/service';

export const DEMO_PASSWORD = 'Xyd-Demo-2026!';

export const DEMO_ORGANISATIONS: Array<{ key: string; name: string; type: TOrgType; regionCode: string | null }> = [
  { key: 'platform', name: '信易贷平台运营中心', type: 'platform', regionCode: null },
  { key: 'gov_province', name: '浙江省发展和改革委员会', type: 'government', regionCode: '330000' },
  { key: 'gov_city', name: '杭州市发展和改革委员会', type: 'government', regionCode: '330100' },
  { key: 'gov_district', name: '杭州市西湖区发展和改革局', type: 'government', regionCode: '330106' },
  { key: 'gov_ningbo', name: '宁波市发展和改革委员会', type: 'government', regionCode: '330200' },
  { key: 'bank1', name: '钱塘农村商业银行', type: 'bank', regionCode: '330100' },
  { key: 'bank2', name: '西湖商业银行', type: 'bank', regionCode: '330100' },
  { key: 'bank3', name: '之江村镇银行', type: 'bank', regionCode: '330106' },
  { key: 'guarantor', name: '杭州市融资担保有限公司', type: 'guarantor', regionCode: '330100' },
  { key: 'agency', name: '浙江信诚信用评级有限公司', type: 'credit_agency', regionCode: '330000' },
];

export const DEMO_USERS: Array<{ username: string; displayName: string; role: TAdminRole; org: string; regionCode?: string }> = [
  { username: 'admin', displayName: '平台管理员', role: 'platform_admin', org: 'platform' },
  { username: 'advisor', displayName: '王顾问（杭州）', role: 'advisor', org: 'platform', regionCode: '330100' },
  { username: 'advisor_nb', displayName: '陈顾问（宁波）', role: 'advisor', org: 'platform', regionCode: '330200' },
  { username: 'gov_province', displayName: '省发改委 李处长', role: 'gov', org: 'gov_province' },
  { username: 'gov_city', displayName: '市发改委 赵科长', role: 'gov', org: 'gov_city' },
  { username: 'gov_district', displayName: '西湖区发改局 周科员', role: 'gov', org: 'gov_district' },
  { username: 'gov_ningbo', displayName: '宁波市发改委 孙科长', role: 'gov', org: 'gov_ningbo' },
  { username: 'bank_admin', displayName: '钱塘农商行 管理员', role: 'fi_admin', org: 'bank1' },
  { username: 'bank_officer', displayName: '钱塘农商行 客户经理 刘', role: 'fi_officer', org: 'bank1' },
  { username: 'agency', displayName: '信诚评级 分析师', role: 'agency', org: 'agency' },
];

const DISTRICTS = ['330106', '330108', '330110', '330105', '330102', '330109', '330212', '330203'];
const INDUSTRIES: Array<[string, string, string]> = [
  ['C3484', '机械零部件加工', '精密机械'],
  ['C1713', '棉印染精加工', '印染'],
  ['C3914', '工业控制计算机及系统制造', '智能控制'],
  ['I6513', '应用软件开发', '软件'],
  ['F5132', '服装批发', '服饰'],
  ['F5211', '百货零售', '商贸'],
  ['H6210', '正餐服务', '餐饮'],
  ['G5431', '普通货物道路运输', '物流'],
  ['A0141', '蔬菜种植', '农业'],
  ['M7530', '科技中介服务', '科技服务'],
  ['C1391', '淀粉及淀粉制品制造', '食品'],
  ['E4710', '住宅房屋建筑', '建筑'],
];
const BRANDS = ['云栖', '钱江', '西溪', '之江', '梦溪', '临湖', '运河', '龙井', '良渚', '望潮', '明州', '天一', '东钱湖', '三江', '海曙', '甬江', '宝石', '灵峰', '玉泉', '孤山', '北山', '曙光', '翠苑', '文新', '留下'];
const SURNAMES = ['张', '王', '李', '赵', '陈', '刘', '杨', '黄', '周', '吴', '徐', '孙', '马', '朱', '胡'];
const GIVEN = ['建国', '秀英', '伟', '敏', '静', '磊', '洋', '艳', '勇', '军', '杰', '娟', '涛', '明', '超'];

/** A deterministic pseudo-random stream so the demo world is the same on every machine. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function demoUscc(regionCode: string, serial: number): string {
  const r = rng(serial * 7919 + 17);
  let body = '';
  for (let i = 0; i < 9; i++) body += USCC_CHARSET[Math.floor(r() * (i < 2 ? 10 : USCC_CHARSET.length))];
  const first17 = `91${regionCode}${body}`;
  return first17 + usccCheckCharacter(first17);
}

export function demoIdNumber(regionCode: string, serial: number): string {
  const year = 1960 + (serial % 30);
  const month = String((serial % 12) + 1).padStart(2, '0');
  const day = String((serial % 27) + 1).padStart(2, '0');
  const first17 = `${regionCode}${year}${month}${day}${String(100 + serial).slice(-3)}`;
  return first17 + idCardCheckCharacter(first17);
}

export interface DemoEnterprise {
  uscc: string;
  name: string;
  legalRepName: string;
  legalRepIdNumber: string;
  regionCode: string;
}

export function demoEnterprises(count = 50): DemoEnterprise[] {
  const list: DemoEnterprise[] = [];
  for (let i = 0; i < count; i++) {
    const regionCode = DISTRICTS[i % DISTRICTS.length];
    const [, , trade] = INDUSTRIES[i % INDUSTRIES.length];
    const city = regionCode.startsWith('3302') ? '宁波' : '杭州';
    list.push({
      uscc: demoUscc(regionCode, i + 1),
      name: `${city}${BRANDS[i % BRANDS.length]}${trade}${i >= BRANDS.length ? '科技' : ''}有限公司`,
      legalRepName: SURNAMES[i % SURNAMES.length] + GIVEN[(i * 7) % GIVEN.length],
      legalRepIdNumber: demoIdNumber(regionCode, i + 1),
      regionCode,
    });
  }
  return list;
}

/** Seeds the demo world into an empty database; does nothing when organisations already exist. */
export async function seedDemo(app: AppContext): Promise<boolean> {
  if (app.config.env === 'production') throw new Error('The demo seed is refused with NODE_ENV=production');
  if ((await Organisation.count()) > 0) return false;
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  await app.db.transaction(async (t) => {
    const orgIds = new Map<string, string>();
    for (const org of DEMO_ORGANISATIONS) {
      const id = newId();
      orgIds.set(org.key, id);
      await Organisation.create({ id, name: org.name, type: org.type, regionCode: org.regionCode }, { transaction: t });
    }
    let platformAdminId = '';
    for (const user of DEMO_USERS) {
      const userId = newId();
      if (user.role === 'platform_admin' && !platformAdminId) platformAdminId = userId;
      await AdminUser.create(
        {
          id: userId,
          username: user.username,
          displayName: user.displayName,
          passwordHash,
          role: user.role,
          organisationId: orgIds.get(user.org)!,
          regionCode: user.regionCode ?? null,
        },
        { transaction: t },
      );
    }
    const r = rng(2026);
    const scales = ['micro', 'small', 'medium'] as const;
    const rows = demoEnterprises().map((e, i) => {
      const [industryCode, industryName] = INDUSTRIES[i % INDUSTRIES.length];
      return {
        id: newId(),
        uscc: e.uscc,
        name: e.name,
        legalRepName: e.legalRepName,
        legalRepIdHmac: idNumberHmac(app.config.idHashKey, e.legalRepIdNumber),
        legalRepIdMasked: maskIdNumber(e.legalRepIdNumber),
        registeredCapitalFen: String((Math.floor(r() * 990) + 10) * 10_000 * 100),
        establishedOn: `${2008 + Math.floor(r() * 16)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`,
        industryCode,
        industryName,
        regionCode: e.regionCode,
        scale: scales[i % 3],
        status: i % 17 === 16 ? ('abnormal' as const) : ('active' as const),
        address: null,
        businessScope: `${industryName}；货物进出口；技术服务。`,
      };
    });
    await Enterprise.bulkCreate(rows, { transaction: t });
    const products = await seedDemoProducts(t, orgIds, platformAdminId);
    await recordAudit(t, {
      actor: null,
      action: 'system.seed_demo',
      outcome: 'success',
      detail: { organisations: DEMO_ORGANISATIONS.length, users: DEMO_USERS.length, enterprises: rows.length, products },
    });
  });
  return true;
}
