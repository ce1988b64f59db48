import { z } from 'zod';
import {
  ENTERPRISE_SCALES,
  ENTERPRISE_STATUSES,
  ENTERPRISE_STATUS_LABELS,
  SCALE_LABELS,
} from '../enterprise/schema';
import { isIndustryClass } from '../industry';
import type { TIngestCategory } from './categories';
import {
  BLACKLIST_TYPES,
  BLACKLIST_TYPE_ALIASES,
  BLACKLIST_TYPE_LABELS,
  COURT_CASE_STATUSES,
  COURT_CASE_STATUS_ALIASES,
  COURT_CASE_STATUS_LABELS,
  COURT_ROLES,
  COURT_ROLE_ALIASES,
  COURT_ROLE_LABELS,
  ENFORCEMENT_STATUSES,
  ENFORCEMENT_STATUS_ALIASES,
  ENFORCEMENT_STATUS_LABELS,
  ENTERPRISE_SCALE_ALIASES,
  ENTERPRISE_STATUS_ALIASES,
  HONOUR_TYPES,
  HONOUR_TYPE_ALIASES,
  HONOUR_TYPE_LABELS,
  LICENCE_STATUSES,
  LICENCE_STATUS_ALIASES,
  LICENCE_STATUS_LABELS,
  PENALTY_SEVERITIES,
  PENALTY_SEVERITY_LABELS,
  PENALTY_TYPES,
  PENALTY_TYPE_ALIASES,
  PENALTY_TYPE_LABELS,
  TAX_CREDIT_LEVELS,
  TAX_CREDIT_LEVEL_LABELS,
} from './enums';

/**
 * The columns of every credit-data category, defined once: each definition gives the spec that templates, header
 * matching and the normaliser read, and the zod schema of the normalised value (see payloads.ts).
 */

export type CreditFieldType = 'text' | 'uscc' | 'date' | 'month' | 'yuan' | 'integer' | 'decimal' | 'enum' | 'boolean' | 'industry' | 'region';

export interface CreditFieldSpec {
  /** Payload key (camelCase); money keys end in `Fen`. */
  key: string;
  /** Chinese column header in templates and files, e.g. '处罚金额（元）'. */
  label: string;
  type: CreditFieldType;
  /** An optional field may be left empty: it is stored as null (a boolean as false). */
  required: boolean;
  maxLength?: number;
  /** Enum values and their Chinese labels. */
  options?: ReadonlyArray<{ value: string; label: string }>;
  /** Further words accepted for an enum value (word → value), beyond the value and its label. */
  aliases?: Readonly<Record<string, string>>;
  /** A date that may lie in the future (an end of validity); empty or 长期 means no end. */
  allowFuture?: boolean;
  /** One-line Chinese rule for the template's 填写说明 sheet. */
  rule: string;
  /** Example cell value as it would be typed in a file. */
  example: string;
}

export interface CreditFieldDef<S extends z.ZodType = z.ZodType> {
  readonly spec: Omit<CreditFieldSpec, 'key'>;
  /** The normalised value's schema. */
  readonly schema: S;
}

type Presence<S extends z.ZodType, R extends boolean> = R extends true ? S : z.ZodNullable<S>;
interface FieldOptions<R extends boolean> {
  required: R;
  rule: string;
  example: string;
}

function define<S extends z.ZodType, R extends boolean>(
  type: CreditFieldType,
  label: string,
  base: S,
  options: FieldOptions<R> & Partial<Pick<CreditFieldSpec, 'maxLength' | 'options' | 'aliases' | 'allowFuture'>>,
): CreditFieldDef<Presence<S, R>> {
  const described = base.describe(label) as S;
  return {
    spec: { label, type, ...options },
    schema: (options.required ? described : described.nullable()) as Presence<S, R>,
  };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_MONTH = /^\d{4}-\d{2}$/;

const text = <R extends boolean>(label: string, options: FieldOptions<R> & { maxLength: number }) =>
  define('text', label, z.string().min(1).max(options.maxLength), options);
const date = <R extends boolean>(label: string, options: FieldOptions<R> & { allowFuture?: boolean }) =>
  define('date', label, z.string().regex(ISO_DATE, `${label}应为 YYYY-MM-DD`), options);
const month = <R extends boolean>(label: string, options: FieldOptions<R>) =>
  define('month', label, z.string().regex(ISO_MONTH, `${label}应为 YYYY-MM`), options);
/** Money in the payload is integer fen; files give it in 元. */
const yuan = <R extends boolean>(label: string, options: FieldOptions<R>) => define('yuan', label, z.number().int().nonnegative(), options);
const integer = <R extends boolean>(label: string, options: FieldOptions<R>) => define('integer', label, z.number().int().nonnegative(), options);
/** Yes/no facts: an empty cell means no, so the value is always a boolean. */
const flag = (label: string, options: Omit<FieldOptions<false>, 'required'>) =>
  ({ spec: { label, type: 'boolean', required: false, ...options }, schema: z.boolean().describe(label) }) satisfies CreditFieldDef<z.ZodBoolean>;
const choice = <const E extends readonly [string, ...string[]], R extends boolean>(
  label: string,
  values: E,
  labels: Record<E[number], string>,
  options: FieldOptions<R> & { aliases?: Readonly<Record<string, E[number]>> },
) => define('enum', label, z.enum(values), { ...options, options: values.map((value: E[number]) => ({ value, label: labels[value] })) });

/** The first two columns of every category; they identify the row and are not part of the payload. */
const IDENTITY_FIELDS: readonly CreditFieldSpec[] = [
  {
    key: 'uscc',
    label: '统一社会信用代码',
    type: 'uscc',
    required: true,
    rule: '18 位统一社会信用代码（GB 32100-2015），字母大写，系统会去掉空格并校验第 18 位校验码',
    example: '91330106MA2H0CM3X6',
  },
  {
    key: 'externalId',
    label: '记录编号',
    type: 'text',
    required: true,
    maxLength: 64,
    rule: '报送单位自己系统中这条记录的唯一编号，最多 64 个字符；同一编号再次报送视为更正',
    example: 'XZCF-2025-000123',
  },
];

const DATE_RULE = '日期，如 2025-03-05、2025/3/5、2025年3月5日 或 20250305';
const MONTH_RULE = '年月，如 2025-03、2025/3、2025年3月 或 202503';
const MONEY_RULE = '以元为单位，可带千分位逗号和最多两位小数，不能为负数';

export const PAYLOAD_FIELDS = {
  registration: {
    name: text('企业名称', { required: true, maxLength: 100, rule: '与营业执照一致的企业名称，最多 100 个字', example: '杭州云栖精密机械有限公司' }),
    legalRepName: text('法定代表人', { required: true, maxLength: 50, rule: '法定代表人（负责人、经营者）姓名', example: '张建国' }),
    registeredCapitalFen: yuan('注册资本（元）', { required: false, rule: `${MONEY_RULE}；没有注册资本的（如个体工商户）可留空`, example: '5,000,000.00' }),
    establishedOn: date('成立日期', { required: true, rule: DATE_RULE, example: '2015-06-18' }),
    industryCode: define('industry', '国民经济行业代码', z.string().refine(isIndustryClass, '不是 GB/T 4754-2017 的行业小类代码'), {
      required: true,
      rule: 'GB/T 4754-2017 行业小类代码：门类字母加 4 位数字，如 C3484（机械零部件加工）',
      example: 'C3484',
    }),
    regionCode: define('region', '所属行政区划', z.string().regex(/^\d{6}$/, '行政区划代码应为 6 位数字'), {
      required: true,
      rule: '企业住所所在区县的 6 位行政区划代码（GB/T 2260），如 330106（杭州市西湖区）',
      example: '330106',
    }),
    address: text('住所', { required: false, maxLength: 200, rule: '营业执照上的住所（经营场所），最多 200 个字', example: '浙江省杭州市西湖区文三路 90 号' }),
    businessScope: text('经营范围', { required: false, maxLength: 2000, rule: '营业执照上的经营范围，最多 2000 个字', example: '机械零部件加工；货物进出口' }),
    scale: choice('企业规模', ENTERPRISE_SCALES, SCALE_LABELS, {
      required: true,
      aliases: ENTERPRISE_SCALE_ALIASES,
      rule: '微型、小型 或 中型（按《中小企业划型标准规定》）',
      example: '小型',
    }),
    status: choice('登记状态', ENTERPRISE_STATUSES, ENTERPRISE_STATUS_LABELS, {
      required: true,
      aliases: ENTERPRISE_STATUS_ALIASES,
      rule: '存续（在业）、经营异常、吊销 或 注销',
      example: '存续',
    }),
  },
  licence: {
    licenceNo: text('许可证编号', { required: true, maxLength: 64, rule: '许可证件上的编号，最多 64 个字符', example: 'JY13301060012345' }),
    licenceName: text('许可证名称', { required: true, maxLength: 100, rule: '许可证件的名称，如 食品经营许可证', example: '食品经营许可证' }),
    issuedBy: text('许可机关', { required: true, maxLength: 100, rule: '作出许可决定的机关全称', example: '杭州市西湖区市场监督管理局' }),
    validFrom: date('有效期自', { required: true, rule: `许可生效（发证）${DATE_RULE}`, example: '2024-03-01' }),
    validTo: date('有效期至', { required: false, allowFuture: true, rule: `许可到期${DATE_RULE}；长期有效的留空或填“长期”`, example: '2029-02-28' }),
    status: choice('许可状态', LICENCE_STATUSES, LICENCE_STATUS_LABELS, {
      required: true,
      aliases: LICENCE_STATUS_ALIASES,
      rule: '有效、已过期、已撤销 或 已注销',
      example: '有效',
    }),
  },
  penalty: {
    decisionNo: text('行政处罚决定书文号', { required: true, maxLength: 64, rule: '处罚决定书上的文号，最多 64 个字符', example: '杭西市监处罚〔2025〕123号' }),
    cause: text('处罚事由', { required: true, maxLength: 500, rule: '违法行为或处罚事由，最多 500 个字', example: '未按规定公示年度报告' }),
    penaltyType: choice('处罚种类', PENALTY_TYPES, PENALTY_TYPE_LABELS, {
      required: false,
      aliases: PENALTY_TYPE_ALIASES,
      rule: '警告、罚款、没收违法所得、吊销许可证件、责令停产停业、行政拘留 或 其他',
      example: '罚款',
    }),
    amountFen: yuan('处罚金额（元）', { required: true, rule: `罚款和没收金额合计，${MONEY_RULE}；没有罚没款的填 0`, example: '20,000.00' }),
    severity: choice('严重程度', PENALTY_SEVERITIES, PENALTY_SEVERITY_LABELS, {
      required: true,
      rule: '违法情节：轻微、一般、较重 或 严重',
      example: '一般',
    }),
    decidedOn: date('处罚决定日期', { required: true, rule: DATE_RULE, example: '2025-03-05' }),
    decidedBy: text('处罚机关', { required: true, maxLength: 100, rule: '作出处罚决定的机关全称', example: '杭州市西湖区市场监督管理局' }),
    corrected: flag('是否已信用修复', { rule: '是 或 否；已完成信用修复的填“是”并填写信用修复日期，不填视为否', example: '是' }),
    correctedOn: date('信用修复日期', { required: false, rule: `信用修复完成的${DATE_RULE}；已信用修复时必填`, example: '2025-09-30' }),
  },
  blacklist: {
    listType: choice('名单类型', BLACKLIST_TYPES, BLACKLIST_TYPE_LABELS, {
      required: true,
      aliases: BLACKLIST_TYPE_ALIASES,
      rule: '失信被执行人、重大税收违法失信主体、严重违法失信企业、政府采购严重违法失信 或 其他',
      example: '失信被执行人',
    }),
    listedOn: date('列入日期', { required: true, rule: DATE_RULE, example: '2024-11-12' }),
    removedOn: date('移出日期', { required: false, rule: `移出名单的${DATE_RULE}；仍在名单中的留空`, example: '2025-05-20' }),
    listedBy: text('列入机关', { required: true, maxLength: 100, rule: '作出列入决定的机关全称', example: '杭州市西湖区人民法院' }),
    reason: text('列入原因', { required: true, maxLength: 500, rule: '列入名单的事由，最多 500 个字', example: '有履行能力而拒不履行生效法律文书确定的义务' }),
  },
  honour: {
    honourType: choice('荣誉类型', HONOUR_TYPES, HONOUR_TYPE_LABELS, {
      required: true,
      aliases: HONOUR_TYPE_ALIASES,
      rule: '红名单、A级纳税人、高新技术企业、专精特新 或 其他',
      example: '专精特新',
    }),
    honourName: text('荣誉名称', { required: false, maxLength: 100, rule: '荣誉或认定的全称，最多 100 个字', example: '浙江省专精特新中小企业' }),
    grantedOn: date('认定日期', { required: true, rule: DATE_RULE, example: '2024-12-20' }),
    validTo: date('有效期至', { required: false, allowFuture: true, rule: `${DATE_RULE}；长期有效的留空或填“长期”`, example: '2027-12-19' }),
    grantedBy: text('认定机关', { required: true, maxLength: 100, rule: '作出认定的机关全称', example: '浙江省经济和信息化厅' }),
  },
  tax: {
    period: month('所属期', { required: true, rule: `税款所属${MONTH_RULE}`, example: '2025-03' }),
    taxPaidFen: yuan('实缴税额（元）', { required: true, rule: MONEY_RULE, example: '35,210.50' }),
    revenueDeclaredFen: yuan('申报营业收入（元）', { required: true, rule: MONEY_RULE, example: '1,280,000.00' }),
    arrearsFen: yuan('欠税金额（元）', { required: true, rule: `${MONEY_RULE}；没有欠税的填 0`, example: '0' }),
    creditLevel: choice('纳税信用级别', TAX_CREDIT_LEVELS, TAX_CREDIT_LEVEL_LABELS, {
      required: false,
      rule: 'A、B、M、C 或 D（可写作 A级）；未评价的留空',
      example: 'A',
    }),
  },
  social_security: {
    period: month('所属期', { required: true, rule: `缴费所属${MONTH_RULE}`, example: '2025-03' }),
    insuredHeadcount: integer('参保人数', { required: true, rule: '当期参保职工人数，非负整数', example: '42' }),
    paidFen: yuan('实缴金额（元）', { required: false, rule: MONEY_RULE, example: '98,560.00' }),
    arrearsFen: yuan('欠缴金额（元）', { required: true, rule: `${MONEY_RULE}；没有欠缴的填 0`, example: '0' }),
  },
  utility: {
    period: month('所属期', { required: true, rule: `抄表所属${MONTH_RULE}`, example: '2025-03' }),
    electricityKwh: integer('用电量（千瓦时）', { required: false, rule: '当期用电量，非负整数；用电量、用水量、用气量至少填一项', example: '18,600' }),
    waterTonnes: integer('用水量（吨）', { required: false, rule: '当期用水量，取整到吨的非负整数', example: '320' }),
    gasM3: integer('用气量（立方米）', { required: false, rule: '当期用气量，非负整数', example: '1,150' }),
    arrearsFen: yuan('欠费金额（元）', { required: true, rule: `截至当期末的欠费，${MONEY_RULE}；没有欠费的填 0`, example: '0' }),
  },
  court_case: {
    caseNo: text('案号', { required: true, maxLength: 64, rule: '法院案号，最多 64 个字符', example: '（2025）浙0106民初1234号' }),
    court: text('审理法院', { required: false, maxLength: 100, rule: '审理或执行法院的全称', example: '杭州市西湖区人民法院' }),
    role: choice('诉讼地位', COURT_ROLES, COURT_ROLE_LABELS, {
      required: true,
      aliases: COURT_ROLE_ALIASES,
      rule: '企业在案件中的地位：原告、被告 或 第三人（被执行人视为被告）',
      example: '被告',
    }),
    cause: text('案由', { required: true, maxLength: 200, rule: '案由，如 买卖合同纠纷', example: '买卖合同纠纷' }),
    amountFen: yuan('涉案金额（元）', { required: false, rule: `${MONEY_RULE}；不涉及金额的留空`, example: '156,000.00' }),
    status: choice('案件状态', COURT_CASE_STATUSES, COURT_CASE_STATUS_LABELS, {
      required: true,
      aliases: COURT_CASE_STATUS_ALIASES,
      rule: '立案、审理中、已判决 或 已结案',
      example: '已结案',
    }),
    enforcement: choice('执行情况', ENFORCEMENT_STATUSES, ENFORCEMENT_STATUS_LABELS, {
      required: true,
      aliases: ENFORCEMENT_STATUS_ALIASES,
      rule: '无、执行中、已执行完毕 或 终结本次执行',
      example: '已执行完毕',
    }),
    filedOn: date('立案日期', { required: true, rule: DATE_RULE, example: '2025-01-08' }),
    closedOn: date('结案日期', { required: false, rule: `${DATE_RULE}；已结案的必填，未结案的留空`, example: '2025-06-30' }),
  },
  logistics: {
    receiptNo: text('仓单编号', { required: true, maxLength: 64, rule: '仓单（入库单）编号，最多 64 个字符', example: 'CD-2025-00871' }),
    warehouse: text('仓储机构', { required: true, maxLength: 100, rule: '签发仓单的仓储企业全称', example: '浙江之江物流仓储有限公司' }),
    goods: text('货物名称', { required: true, maxLength: 100, rule: '仓储货物的品名规格', example: '冷轧钢板 1.0mm' }),
    quantity: integer('数量', { required: true, rule: '货物数量，非负整数', example: '120' }),
    unit: text('计量单位', { required: true, maxLength: 16, rule: '数量的单位，如 吨、件、箱', example: '吨' }),
    valueFen: yuan('货值（元）', { required: true, rule: MONEY_RULE, example: '560,000.00' }),
    issuedOn: date('签发日期', { required: true, rule: DATE_RULE, example: '2025-02-14' }),
    pledged: flag('是否已质押', { rule: '是 或 否；不填视为否', example: '否' }),
  },
  // A repayment the lending institution reports on a loan booked on the platform; 记录编号 is its 还款流水号.
  loan_repayment: {
    loanId: text('平台贷款编号', {
      required: false,
      maxLength: 20,
      rule: '平台登记放款时生成的贷款编号（管理后台「贷款」页可见）；与合同编号至少填一项',
      example: '9876543210123456',
    }),
    contractNo: text('合同编号', { required: false, maxLength: 40, rule: '登记放款时填写的借款合同编号；与平台贷款编号至少填一项', example: 'HZB-2026-0001' }),
    paidOn: date('还款日期', { required: true, rule: `${DATE_RULE}；不能晚于今天，也不能早于放款日期`, example: '2026-11-20' }),
    principalFen: yuan('归还本金（元）', { required: true, rule: `${MONEY_RULE}；只还利息的填 0`, example: '10,000.00' }),
    interestFen: yuan('归还利息（元）', { required: true, rule: `${MONEY_RULE}；只还本金的填 0；本金与利息不能都为 0`, example: '1,250.00' }),
  },
} satisfies Record<TIngestCategory, Record<string, CreditFieldDef>>;

function withKeys(defs: Record<string, CreditFieldDef>): readonly CreditFieldSpec[] {
  return Object.freeze([...IDENTITY_FIELDS, ...Object.entries(defs).map(([key, def]) => Object.freeze({ key, ...def.spec }))]);
}

/** Every category's fields in column order. The first two of every category are the same:
 *  uscc (统一社会信用代码, required) and externalId (记录编号, required, ≤64, the source's own id of the row). */
export const CREDIT_FIELDS: Record<TIngestCategory, readonly CreditFieldSpec[]> = {
  registration: withKeys(PAYLOAD_FIELDS.registration),
  licence: withKeys(PAYLOAD_FIELDS.licence),
  penalty: withKeys(PAYLOAD_FIELDS.penalty),
  blacklist: withKeys(PAYLOAD_FIELDS.blacklist),
  honour: withKeys(PAYLOAD_FIELDS.honour),
  tax: withKeys(PAYLOAD_FIELDS.tax),
  social_security: withKeys(PAYLOAD_FIELDS.social_security),
  utility: withKeys(PAYLOAD_FIELDS.utility),
  court_case: withKeys(PAYLOAD_FIELDS.court_case),
  logistics: withKeys(PAYLOAD_FIELDS.logistics),
  loan_repayment: withKeys(PAYLOAD_FIELDS.loan_repayment),
};

/** '处罚金额（元）' → '处罚金额'. */
const withoutUnit = (label: string): string => label.replace(/\s*[（(][^（()）]*[）)]\s*$/, '');

const headerMaps = new Map<TIngestCategory, Map<string, string>>();

/** header text → key for a category: the Chinese label, the key itself, and the label without its unit suffix
 *  (also with half-width brackets, '处罚金额(元)'). Headers are matched as given: trim them first. */
export function creditHeaderMap(category: TIngestCategory): Map<string, string> {
  let map = headerMaps.get(category);
  if (!map) {
    map = new Map();
    for (const field of CREDIT_FIELDS[category]) {
      map.set(field.key, field.key);
      map.set(field.label, field.key);
      map.set(field.label.replace(/（/g, '(').replace(/）/g, ')'), field.key);
      map.set(withoutUnit(field.label), field.key);
    }
    headerMaps.set(category, map);
  }
  return new Map(map);
}

export function requiredCreditKeys(category: TIngestCategory): string[] {
  return CREDIT_FIELDS[category].filter((field) => field.required).map((field) => field.key);
}
