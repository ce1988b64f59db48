import {
  CREDIT_CATEGORIES,
  CREDIT_CATEGORY_CADENCE,
  CREDIT_CATEGORY_LABELS,
  CREDIT_FIELDS,
  CREDIT_PAYLOAD_SCHEMAS,
  ZCreditCategory,
  canonicalCreditContent,
  creditHeaderMap,
  describeCreditPayload,
  formatFenAsYuan,
  normaliseCreditRow,
  requiredCreditKeys,
  type TCreditCategory,
  type TCreditRecordInput,
  type TNormaliseResult,
  type TRowError,
} from '@xyd/shared';

const USCC = '91330106MA2H0CM3X6';
const USCC_BAD_CHECK = '91330106MA2H0CM3X7';

function record(result: TNormaliseResult): TCreditRecordInput {
  if (!result.ok) throw new Error(`expected a record, got ${JSON.stringify(result.errors)}`);
  return result.record;
}

function errors(result: TNormaliseResult): TRowError[] {
  if (result.ok) throw new Error(`expected errors, got ${JSON.stringify(result.record)}`);
  return result.errors;
}

/** The one error of a row that has exactly one problem; file rows are read through the header map. */
function onlyError(category: TCreditCategory, raw: Record<string, unknown>, form: 'file' | 'push' = 'file'): TRowError {
  const list = errors(normaliseCreditRow(category, form === 'file' ? viaHeaders(category, raw) : raw, form));
  expect(list).toHaveLength(1);
  return list[0];
}

/** Asia/Shanghai calendar day `days` from today. */
function shanghaiDay(days: number): string {
  return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

interface Case {
  file: Record<string, unknown>;
  push: Record<string, unknown>;
  expected: Omit<TCreditRecordInput, 'category' | 'uscc' | 'externalId'>;
}

/** One good row per category, as a person types it in a file (by Chinese header or key) and as an API pushes it. */
const GOOD: Record<TCreditCategory, Case> = {
  registration: {
    file: {
      统一社会信用代码: ' 9133 0106 ma2h 0cm3 x6 ',
      记录编号: 'REG-1',
      企业名称: ' 杭州云栖精密机械有限公司 ',
      法定代表人: '张建国',
      '注册资本（元）': '5,000,000',
      成立日期: '2015/6/18',
      国民经济行业代码: 'c3484',
      所属行政区划: 330106,
      住所: '',
      经营范围: '机械零部件加工',
      企业规模: '小型',
      登记状态: '在业',
      不认识的列: 'ignored',
    },
    push: {
      uscc: USCC,
      externalId: 'REG-1',
      name: '杭州云栖精密机械有限公司',
      legalRepName: '张建国',
      registeredCapitalFen: 500000000,
      establishedOn: '2015-06-18',
      industryCode: 'C3484',
      regionCode: '330106',
      businessScope: '机械零部件加工',
      scale: 'small',
      status: 'active',
      extra: { ignored: true },
    },
    expected: {
      period: null,
      occurredOn: '2015-06-18',
      endsOn: null,
      adverse: false,
      payload: {
        name: '杭州云栖精密机械有限公司',
        legalRepName: '张建国',
        registeredCapitalFen: 500000000,
        establishedOn: '2015-06-18',
        industryCode: 'C3484',
        regionCode: '330106',
        address: null,
        businessScope: '机械零部件加工',
        scale: 'small',
        status: 'active',
      },
    },
  },
  licence: {
    file: {
      uscc: USCC,
      externalId: 'LIC-1',
      licenceNo: 'JY13301060012345',
      licenceName: '食品经营许可证',
      issuedBy: '杭州市西湖区市场监督管理局',
      validFrom: '2024年3月1日',
      validTo: '长期',
      status: '有效',
    },
    push: {
      uscc: USCC,
      externalId: 'LIC-1',
      licenceNo: 'JY13301060012345',
      licenceName: '食品经营许可证',
      issuedBy: '杭州市西湖区市场监督管理局',
      validFrom: '2024-03-01',
      validTo: null,
      status: 'valid',
    },
    expected: {
      period: null,
      occurredOn: '2024-03-01',
      endsOn: null,
      adverse: false,
      payload: {
        licenceNo: 'JY13301060012345',
        licenceName: '食品经营许可证',
        issuedBy: '杭州市西湖区市场监督管理局',
        validFrom: '2024-03-01',
        validTo: null,
        status: 'valid',
      },
    },
  },
  penalty: {
    file: {
      统一社会信用代码: USCC,
      记录编号: 'PEN-1',
      行政处罚决定书文号: '杭西市监处罚〔2025〕123号',
      处罚事由: '未按规定公示年度报告',
      处罚种类: '罚款',
      '处罚金额（元）': '¥1,234.56',
      严重程度: '一般',
      处罚决定日期: '20250305',
      处罚机关: '杭州市西湖区市场监督管理局',
      是否已信用修复: '是',
      信用修复日期: '2025-09-30',
    },
    push: {
      uscc: USCC,
      externalId: 'PEN-1',
      decisionNo: '杭西市监处罚〔2025〕123号',
      cause: '未按规定公示年度报告',
      penaltyType: 'fine',
      amountFen: 123456,
      severity: 'general',
      decidedOn: '2025-03-05',
      decidedBy: '杭州市西湖区市场监督管理局',
      corrected: true,
      correctedOn: '2025-09-30',
    },
    expected: {
      period: null,
      occurredOn: '2025-03-05',
      endsOn: '2025-09-30',
      adverse: true,
      payload: {
        decisionNo: '杭西市监处罚〔2025〕123号',
        cause: '未按规定公示年度报告',
        penaltyType: 'fine',
        amountFen: 123456,
        severity: 'general',
        decidedOn: '2025-03-05',
        decidedBy: '杭州市西湖区市场监督管理局',
        corrected: true,
        correctedOn: '2025-09-30',
      },
    },
  },
  blacklist: {
    file: {
      uscc: USCC,
      externalId: 'BL-1',
      listType: '失信被执行人',
      listedOn: '45356',
      removedOn: '',
      listedBy: '杭州市西湖区人民法院',
      reason: '有履行能力而拒不履行生效法律文书确定的义务',
    },
    push: {
      uscc: USCC,
      externalId: 'BL-1',
      listType: 'dishonest_debtor',
      listedOn: '2024-03-05',
      listedBy: '杭州市西湖区人民法院',
      reason: '有履行能力而拒不履行生效法律文书确定的义务',
    },
    expected: {
      period: null,
      occurredOn: '2024-03-05',
      endsOn: null,
      adverse: true,
      payload: {
        listType: 'dishonest_debtor',
        listedOn: '2024-03-05',
        removedOn: null,
        listedBy: '杭州市西湖区人民法院',
        reason: '有履行能力而拒不履行生效法律文书确定的义务',
      },
    },
  },
  honour: {
    file: {
      uscc: USCC,
      externalId: 'HON-1',
      荣誉类型: 'A级纳税人',
      认定日期: new Date(Date.UTC(2024, 11, 20)),
      有效期至: '2027/12/19',
      认定机关: '国家税务总局杭州市税务局',
    },
    push: {
      uscc: USCC,
      externalId: 'HON-1',
      honourType: 'tax_a',
      grantedOn: '2024-12-20',
      validTo: '2027-12-19',
      grantedBy: '国家税务总局杭州市税务局',
    },
    expected: {
      period: null,
      occurredOn: '2024-12-20',
      endsOn: null,
      adverse: false,
      payload: { honourType: 'tax_a', honourName: null, grantedOn: '2024-12-20', validTo: '2027-12-19', grantedBy: '国家税务总局杭州市税务局' },
    },
  },
  tax: {
    file: {
      uscc: USCC,
      externalId: 'TAX-2024-02',
      所属期: '2024年2月',
      实缴税额: '35,210.5',
      '申报营业收入(元)': '1280000',
      '欠税金额（元）': '1,000.00',
      纳税信用级别: 'b 级',
    },
    push: {
      uscc: USCC,
      externalId: 'TAX-2024-02',
      period: '2024-02',
      taxPaidFen: 3521050,
      revenueDeclaredFen: '128000000',
      arrearsFen: 100000,
      creditLevel: 'B',
    },
    expected: {
      period: '2024-02',
      occurredOn: null,
      endsOn: '2024-02-29',
      adverse: true,
      payload: { period: '2024-02', taxPaidFen: 3521050, revenueDeclaredFen: 128000000, arrearsFen: 100000, creditLevel: 'B' },
    },
  },
  social_security: {
    file: { uscc: USCC, externalId: 'SI-2025-03', period: '202503', insuredHeadcount: '1,042', arrearsFen: '0' },
    push: { uscc: USCC, externalId: 'SI-2025-03', period: '2025-03', insuredHeadcount: 1042, paidFen: null, arrearsFen: 0 },
    expected: {
      period: '2025-03',
      occurredOn: null,
      endsOn: null,
      adverse: false,
      payload: { period: '2025-03', insuredHeadcount: 1042, paidFen: null, arrearsFen: 0 },
    },
  },
  utility: {
    file: { uscc: USCC, externalId: 'UT-2025-01', period: '2025/1', electricityKwh: 18600, gasM3: '1,150', arrearsFen: '0.00' },
    push: { uscc: USCC, externalId: 'UT-2025-01', period: '2025-01', electricityKwh: '18600', gasM3: 1150, arrearsFen: 0 },
    expected: {
      period: '2025-01',
      occurredOn: null,
      endsOn: null,
      adverse: false,
      payload: { period: '2025-01', electricityKwh: 18600, waterTonnes: null, gasM3: 1150, arrearsFen: 0 },
    },
  },
  court_case: {
    file: {
      uscc: USCC,
      externalId: 'CASE-1',
      案号: '（2025）浙0106民初1234号',
      诉讼地位: '被执行人',
      案由: '买卖合同纠纷',
      涉案金额: '156000',
      案件状态: '审理中',
      执行情况: '无',
      立案日期: '2025-1-8',
    },
    push: {
      uscc: USCC,
      externalId: 'CASE-1',
      caseNo: '（2025）浙0106民初1234号',
      role: 'defendant',
      cause: '买卖合同纠纷',
      amountFen: 15600000,
      status: 'trial',
      enforcement: 'none',
      filedOn: '2025-01-08T09:30:00+08:00',
    },
    expected: {
      period: null,
      occurredOn: '2025-01-08',
      endsOn: null,
      adverse: true,
      payload: {
        caseNo: '（2025）浙0106民初1234号',
        court: null,
        role: 'defendant',
        cause: '买卖合同纠纷',
        amountFen: 15600000,
        status: 'trial',
        enforcement: 'none',
        filedOn: '2025-01-08',
        closedOn: null,
      },
    },
  },
  logistics: {
    file: {
      uscc: USCC,
      externalId: 'WR-1',
      仓单编号: 'CD-2025-00871',
      仓储机构: '浙江之江物流仓储有限公司',
      货物名称: '冷轧钢板',
      数量: '120',
      计量单位: '吨',
      '货值（元）': 560000.5,
      签发日期: '2025.2.14',
      是否已质押: 'Y',
    },
    push: {
      uscc: USCC,
      externalId: 'WR-1',
      receiptNo: 'CD-2025-00871',
      warehouse: '浙江之江物流仓储有限公司',
      goods: '冷轧钢板',
      quantity: 120,
      unit: '吨',
      valueFen: 56000050,
      issuedOn: '2025-02-14',
      pledged: true,
    },
    expected: {
      period: null,
      occurredOn: '2025-02-14',
      endsOn: null,
      adverse: false,
      payload: {
        receiptNo: 'CD-2025-00871',
        warehouse: '浙江之江物流仓储有限公司',
        goods: '冷轧钢板',
        quantity: 120,
        unit: '吨',
        valueFen: 56000050,
        issuedOn: '2025-02-14',
        pledged: true,
      },
    },
  },
};

/** A file row keyed by Chinese headers, through the header map as an importer reads it. */
function viaHeaders(category: TCreditCategory, row: Record<string, unknown>): Record<string, unknown> {
  const headers = creditHeaderMap(category);
  const out: Record<string, unknown> = {};
  for (const [header, value] of Object.entries(row)) {
    const key = headers.get(header.trim());
    if (key) out[key] = value;
  }
  return out;
}

/** A good file row with some cells changed, read through the header map. */
function fileRecord(category: TCreditCategory, changes: Record<string, unknown>): TCreditRecordInput {
  return record(normaliseCreditRow(category, viaHeaders(category, { ...GOOD[category].file, ...changes }), 'file'));
}

describe('categories', () => {
  it('has ten categories with Chinese labels and a cadence', () => {
    expect(CREDIT_CATEGORIES).toHaveLength(10);
    expect(CREDIT_CATEGORY_LABELS.honour).toBe('荣誉（红名单）');
    expect(CREDIT_CATEGORY_LABELS.utility).toBe('水电气');
    expect(CREDIT_CATEGORIES.filter((c) => CREDIT_CATEGORY_CADENCE[c] === 'monthly')).toEqual(['tax', 'social_security', 'utility']);
    expect(ZCreditCategory.safeParse('penalty').success).toBe(true);
    expect(ZCreditCategory.safeParse('weather').success).toBe(false);
  });

  it.each(CREDIT_CATEGORIES)('%s starts with uscc and externalId and describes every field', (category) => {
    const fields = CREDIT_FIELDS[category];
    expect(fields[0]).toMatchObject({ key: 'uscc', label: '统一社会信用代码', type: 'uscc', required: true });
    expect(fields[1]).toMatchObject({ key: 'externalId', label: '记录编号', type: 'text', required: true, maxLength: 64 });
    expect(new Set(fields.map((f) => f.key)).size).toBe(fields.length);
    expect(new Set(fields.map((f) => f.label)).size).toBe(fields.length);
    for (const field of fields) {
      expect(field.key).toMatch(/^[a-z][A-Za-z0-9]*$/);
      expect(field.rule.length).toBeGreaterThan(0);
      expect(field.example.length).toBeGreaterThan(0);
      expect(field.type === 'yuan').toBe(field.key.endsWith('Fen'));
      if (field.type === 'yuan') expect(field.label).toMatch(/（元）$/);
      if (field.type === 'enum') expect(field.options?.length).toBeGreaterThan(1);
      if (field.type === 'text') expect(field.maxLength).toBeGreaterThan(0);
    }
    // The payload schema has exactly the fields after the first two.
    expect(Object.keys(CREDIT_PAYLOAD_SCHEMAS[category].shape)).toEqual(fields.slice(2).map((f) => f.key));
  });

  it.each(CREDIT_CATEGORIES)('%s: a file row of the template examples normalises and fits the payload schema', (category) => {
    const row = Object.fromEntries(CREDIT_FIELDS[category].map((f) => [f.label, f.example]));
    const result = record(normaliseCreditRow(category, row, 'file'));
    expect(CREDIT_PAYLOAD_SCHEMAS[category].parse(result.payload)).toEqual(result.payload);
  });

  it('lists the required keys', () => {
    expect(requiredCreditKeys('penalty')).toEqual(['uscc', 'externalId', 'decisionNo', 'cause', 'amountFen', 'severity', 'decidedOn', 'decidedBy']);
    expect(requiredCreditKeys('utility')).toEqual(['uscc', 'externalId', 'period', 'arrearsFen']);
  });

  it('reuses the enterprise scales and statuses for registration', () => {
    const fields = CREDIT_FIELDS.registration;
    expect(fields.find((f) => f.key === 'scale')?.options).toEqual([
      { value: 'micro', label: '微型' },
      { value: 'small', label: '小型' },
      { value: 'medium', label: '中型' },
    ]);
    expect(fields.find((f) => f.key === 'status')?.options?.map((o) => o.value)).toEqual(['active', 'revoked', 'cancelled', 'abnormal']);
  });
});

describe('header map', () => {
  it('accepts the label, the key and the label without its unit', () => {
    const headers = creditHeaderMap('penalty');
    expect(headers.get('处罚金额（元）')).toBe('amountFen');
    expect(headers.get('处罚金额')).toBe('amountFen');
    expect(headers.get('处罚金额(元)')).toBe('amountFen');
    expect(headers.get('amountFen')).toBe('amountFen');
    expect(headers.get('统一社会信用代码')).toBe('uscc');
    expect(headers.get('记录编号')).toBe('externalId');
    expect(headers.get('罚款')).toBeUndefined();
    expect(creditHeaderMap('utility').get('用电量')).toBe('electricityKwh');
  });

  it('gives each caller its own map', () => {
    creditHeaderMap('tax').clear();
    expect(creditHeaderMap('tax').get('所属期')).toBe('period');
  });
});

describe('good rows', () => {
  describe.each(CREDIT_CATEGORIES)('%s', (category) => {
    const { file, push, expected } = GOOD[category];
    const externalId = push.externalId as string;

    it('from a file, its headers mapped as an importer does', () => {
      expect(record(normaliseCreditRow(category, viaHeaders(category, file), 'file'))).toEqual({ category, uscc: USCC, externalId, ...expected });
    });

    it('from a push', () => {
      const result = record(normaliseCreditRow(category, push, 'push'));
      expect(result).toEqual({ category, uscc: USCC, externalId, ...expected });
      expect(CREDIT_PAYLOAD_SCHEMAS[category].parse(result.payload)).toEqual(result.payload);
    });
  });
});

describe('file cells', () => {
  const amount = (value: unknown) => fileRecord('penalty', { '处罚金额（元）': value }).payload.amountFen;
  const decided = (value: unknown) => fileRecord('penalty', { 处罚决定日期: value, 信用修复日期: '', 是否已信用修复: '否' }).payload.decidedOn;
  const flag = (value: unknown) => fileRecord('logistics', { 是否已质押: value }).payload.pledged;
  const period = (value: unknown) => fileRecord('tax', { 所属期: value }).period;

  it('finds a field by its Chinese label when the key is absent', () => {
    const row = record(normaliseCreditRow('penalty', GOOD.penalty.file, 'file'));
    expect(row).toEqual({ category: 'penalty', uscc: USCC, externalId: 'PEN-1', ...GOOD.penalty.expected });
  });

  it('reads money in 元 into fen', () => {
    expect(amount('1234')).toBe(123400);
    expect(amount('¥1234')).toBe(123400);
    expect(amount('￥1,234.5元')).toBe(123450);
    expect(amount('１２３４.５６')).toBe(123456);
    expect(amount(' 0.07 ')).toBe(7);
    expect(amount('1.230')).toBe(123);
    expect(amount(1234.56)).toBe(123456);
    expect(amount(0.3)).toBe(30);
    expect(amount('9,999,999,999,999.99')).toBe(999999999999999);
  });

  it('reads every date shape', () => {
    for (const value of ['2024-03-05', '2024-3-5', '2024/3/5', '2024/03/05 0:00:00', '2024.3.5', '2024年3月5日', '2024 年 3 月 5 日', '20240305', '45356', 45356, '45356.5', new Date(Date.UTC(2024, 2, 5))]) {
      expect({ value, date: decided(value) }).toEqual({ value, date: '2024-03-05' });
    }
  });

  it('accepts today and tomorrow (Asia/Shanghai) as event dates', () => {
    expect(decided(shanghaiDay(0))).toBe(shanghaiDay(0));
    expect(decided(shanghaiDay(1))).toBe(shanghaiDay(1));
  });

  it('reads every month shape', () => {
    for (const value of ['2024-02', '2024/2', '2024.02', '2024年2月', '202402', 202402, '2024/2/1', new Date(Date.UTC(2024, 1, 1))]) {
      expect({ value, period: period(value) }).toEqual({ value, period: '2024-02' });
    }
  });

  it('reads yes and no', () => {
    for (const value of ['是', 'Y', 'y', 'yes', 'TRUE', '1', 1, true]) expect(flag(value)).toBe(true);
    for (const value of ['否', 'N', 'no', 'false', '0', 0, false, '', undefined]) expect(flag(value)).toBe(false);
  });

  it('reads enums by value, label or a common alias', () => {
    const status = (value: string) => fileRecord('registration', { 登记状态: value }).payload.status;
    expect(status('存续')).toBe('active');
    expect(status('在业')).toBe('active');
    expect(status('active')).toBe('active');
    expect(status('经营异常')).toBe('abnormal');
    expect(status('吊销')).toBe('revoked');
    expect(status('注销')).toBe('cancelled');
    const level = (value: string) => fileRecord('tax', { 纳税信用级别: value }).payload.creditLevel;
    expect(level('a')).toBe('A');
    expect(level('Ａ级')).toBe('A');
    expect(level('M')).toBe('M');
  });

  it('keeps text as typed, only trimmed', () => {
    const row = fileRecord('court_case', { 案号: '  （2025）浙0106民初1234号\u3000' });
    expect(row.payload.caseNo).toBe('（2025）浙0106民初1234号');
  });

  it('takes a long-term end of validity as no end', () => {
    for (const value of ['长期', '长期有效', '', undefined]) {
      expect(fileRecord('licence', { validTo: value }).payload.validTo).toBeNull();
    }
    expect(fileRecord('licence', { validTo: '2099-12-31' }).payload.validTo).toBe('2099-12-31');
  });
});

describe('push values', () => {
  it('reads an ISO date-time as its day in Asia/Shanghai', () => {
    const filed = (value: string) => record(normaliseCreditRow('court_case', { ...GOOD.court_case.push, filedOn: value }, 'push')).payload.filedOn;
    expect(filed('2025-01-07T16:30:00Z')).toBe('2025-01-08');
    expect(filed('2025-01-08T23:59:59+08:00')).toBe('2025-01-08');
    expect(filed('2025-01-08T10:00:00')).toBe('2025-01-08');
  });

  it('accepts enum labels and digit strings', () => {
    const row = record(normaliseCreditRow('penalty', { ...GOOD.penalty.push, severity: '严重', amountFen: '500' }, 'push'));
    expect(row.payload).toMatchObject({ severity: 'severe', amountFen: 500 });
  });

  it('refuses file-only shapes', () => {
    expect(onlyError('penalty', { ...GOOD.penalty.push, amountFen: '1,234.56' }, 'push').reason).toBe('「处罚金额（元）」应为以分为单位的整数金额');
    expect(onlyError('penalty', { ...GOOD.penalty.push, amountFen: 12.5 }, 'push').reason).toBe('「处罚金额（元）」应为以分为单位的整数金额');
    expect(onlyError('penalty', { ...GOOD.penalty.push, decidedOn: '2025/3/5' }, 'push').reason).toBe('「处罚决定日期」应为 YYYY-MM-DD 格式的日期');
    expect(onlyError('tax', { ...GOOD.tax.push, period: '202402' }, 'push').reason).toBe('「所属期」应为 YYYY-MM 格式的年月');
    expect(onlyError('logistics', { ...GOOD.logistics.push, pledged: '也许' }, 'push').reason).toBe('「是否已质押」应为 true 或 false');
  });

  it('names enum values in the push reason', () => {
    expect(onlyError('penalty', { ...GOOD.penalty.push, severity: 'huge' }, 'push').reason).toBe(
      '「严重程度」应为以下之一：minor（轻微）、general（一般）、serious（较重）、severe（严重）',
    );
  });
});

describe('bad values', () => {
  const reg = GOOD.registration.file;
  const pen = GOOD.penalty.file;

  it('USCC with a wrong check character', () => {
    const error = onlyError('registration', { ...reg, 统一社会信用代码: USCC_BAD_CHECK });
    expect(error).toMatchObject({ field: 'uscc', label: '统一社会信用代码', value: USCC_BAD_CHECK });
    expect(error.reason).toMatch(/^「统一社会信用代码」校验位不正确/);
  });

  it('USCC with a wrong length or characters', () => {
    expect(onlyError('registration', { ...reg, 统一社会信用代码: '9133010631LDEE17' }).reason).toBe('「统一社会信用代码」应为 18 位，当前为 16 位');
    expect(onlyError('registration', { ...reg, 统一社会信用代码: '91330106MA2H0CM3I6' }).reason).toMatch(/^「统一社会信用代码」第 17 位字符“I”不合法/);
    expect(onlyError('tax', { ...GOOD.tax.push, uscc: 913301061 }, 'push').reason).toMatch(/^「统一社会信用代码」应为/);
  });

  it('USCC full-width or spaced normalises fine', () => {
    for (const uscc of ['９１３３０１０６ＭＡ２Ｈ０ＣＭ３Ｘ６', '9133 0106\u3000MA2H 0CM3 X6', '\u200b91330106ma2h0cm3x6\ufeff']) {
      expect(record(normaliseCreditRow('tax', { ...GOOD.tax.push, uscc }, 'push')).uscc).toBe(USCC);
    }
  });

  it('a missing required field', () => {
    expect(onlyError('registration', { ...reg, 企业名称: '   ' })).toEqual({ field: 'name', label: '企业名称', value: '   ', reason: '「企业名称」不能为空' });
    const { name: _name, ...withoutName } = GOOD.registration.push;
    expect(onlyError('registration', withoutName, 'push')).toEqual({ field: 'name', label: '企业名称', value: '', reason: '「企业名称」不能为空' });
    expect(onlyError('tax', { ...GOOD.tax.push, externalId: null }, 'push').reason).toBe('「记录编号」不能为空');
  });

  it('a bad date', () => {
    expect(onlyError('registration', { ...reg, 成立日期: '2023-02-29' }).reason).toBe('「成立日期」2023-02-29 不是有效日期');
    expect(onlyError('registration', { ...reg, 成立日期: '2015年13月1日' }).reason).toBe('「成立日期」2015年13月1日 不是有效日期');
    expect(onlyError('registration', { ...reg, 成立日期: '去年' }).reason).toBe('「成立日期」应为日期，如 2025-03-05、2025/3/5、2025年3月5日、20250305 或 Excel 日期');
    expect(onlyError('registration', { ...reg, 成立日期: '1949-09-30' }).reason).toBe('「成立日期」不能早于 1949-10-01');
    expect(fileRecord('registration', { 成立日期: '1949-10-01' }).occurredOn).toBe('1949-10-01');
  });

  it('a date in the future', () => {
    const future = shanghaiDay(3);
    expect(onlyError('registration', { ...reg, 成立日期: future }).reason).toBe(`「成立日期」不能晚于今天（${future} 尚未到来）`);
    expect(onlyError('penalty', { ...GOOD.penalty.push, decidedOn: future, correctedOn: null, corrected: false }, 'push').field).toBe('decidedOn');
  });

  it('a bad or future month', () => {
    expect(onlyError('tax', { ...GOOD.tax.file, 所属期: '2024-13' }).reason).toBe('「所属期」2024-13 不是有效的年月');
    expect(onlyError('tax', { ...GOOD.tax.file, 所属期: '二月' }).reason).toBe('「所属期」应为年月，如 2025-03、2025/3、2025年3月 或 202503');
    const next = new Date(Date.now() + 8 * 3_600_000);
    next.setUTCDate(1);
    next.setUTCMonth(next.getUTCMonth() + 2);
    const future = next.toISOString().slice(0, 7);
    expect(onlyError('tax', { ...GOOD.tax.file, 所属期: future }).reason).toBe(`「所属期」不能晚于当前月份（${future} 尚未到来）`);
  });

  it('money with three decimals', () => {
    expect(onlyError('penalty', { ...pen, '处罚金额（元）': '1,234.567' })).toEqual({
      field: 'amountFen',
      label: '处罚金额（元）',
      value: '1,234.567',
      reason: '「处罚金额（元）」应为金额，最多两位小数',
    });
  });

  it('negative money', () => {
    expect(onlyError('penalty', { ...pen, '处罚金额（元）': '-5.00' }).reason).toBe('「处罚金额（元）」不能为负数');
    expect(onlyError('penalty', { ...pen, '处罚金额（元）': '¥-5' }).reason).toBe('「处罚金额（元）」不能为负数');
    expect(onlyError('penalty', { ...GOOD.penalty.push, amountFen: -500 }, 'push').reason).toBe('「处罚金额（元）」不能为负数');
  });

  it('money that is not money', () => {
    expect(onlyError('penalty', { ...pen, '处罚金额（元）': '两千' }).reason).toBe('「处罚金额（元）」应为金额（元），如 1,234.56');
    expect(onlyError('penalty', { ...pen, '处罚金额（元）': '12345678901234' }).reason).toBe('「处罚金额（元）」金额过大，请核对单位是否为元');
  });

  it('a bad integer', () => {
    expect(onlyError('social_security', { ...GOOD.social_security.file, insuredHeadcount: '12.5' }).reason).toBe('「参保人数」应为非负整数');
    expect(onlyError('social_security', { ...GOOD.social_security.push, insuredHeadcount: -3 }, 'push').reason).toBe('「参保人数」不能为负数');
  });

  it('a bad enum value', () => {
    expect(onlyError('penalty', { ...pen, 严重程度: '很严重' })).toEqual({
      field: 'severity',
      label: '严重程度',
      value: '很严重',
      reason: '「严重程度」应为以下之一：轻微、一般、较重、严重',
    });
  });

  it('a bad yes/no', () => {
    expect(onlyError('logistics', { ...GOOD.logistics.file, 是否已质押: '不清楚' }).reason).toBe('「是否已质押」应为 是 或 否');
  });

  it('corrected without the date of correction', () => {
    expect(onlyError('penalty', { ...pen, 信用修复日期: '' })).toEqual({
      field: 'correctedOn',
      label: '信用修复日期',
      value: '',
      reason: '「信用修复日期」在已信用修复时必须填写',
    });
    expect(onlyError('penalty', { ...GOOD.penalty.push, correctedOn: null }, 'push').field).toBe('correctedOn');
  });

  it('a date of correction on an uncorrected penalty, or before the decision', () => {
    expect(onlyError('penalty', { ...pen, 是否已信用修复: '否' }).reason).toBe('「信用修复日期」仅在已信用修复时填写（「是否已信用修复」为“否”）');
    expect(onlyError('penalty', { ...pen, 信用修复日期: '2025-03-04' }).reason).toBe('「信用修复日期」不能早于「处罚决定日期」（2025-03-05）');
  });

  it('end dates before start dates', () => {
    expect(onlyError('blacklist', { ...GOOD.blacklist.push, removedOn: '2024-03-04' }, 'push').reason).toBe('「移出日期」不能早于「列入日期」（2024-03-05）');
    expect(onlyError('licence', { ...GOOD.licence.push, validTo: '2024-02-01' }, 'push').field).toBe('validTo');
    expect(onlyError('honour', { ...GOOD.honour.push, validTo: '2024-12-19' }, 'push').field).toBe('validTo');
    expect(onlyError('court_case', { ...GOOD.court_case.push, status: 'closed', closedOn: '2025-01-07' }, 'push').reason).toBe(
      '「结案日期」不能早于「立案日期」（2025-01-08）',
    );
  });

  it('a closed case without its closing date', () => {
    expect(onlyError('court_case', { ...GOOD.court_case.push, status: 'closed' }, 'push').reason).toBe('「结案日期」在案件已结案时必须填写');
  });

  it('a utility row with no reading', () => {
    expect(onlyError('utility', { ...GOOD.utility.push, electricityKwh: null, gasM3: '' }, 'push').reason).toBe(
      '「用电量（千瓦时）」「用水量（吨）」「用气量（立方米）」至少填写一项',
    );
  });

  it('an industry code that is not a 小类', () => {
    expect(onlyError('registration', { ...reg, 国民经济行业代码: 'G5430' })).toEqual({
      field: 'industryCode',
      label: '国民经济行业代码',
      value: 'G5430',
      reason: '「国民经济行业代码」有误：「G5430」不是 GB/T 4754-2017 的行业小类代码',
    });
    expect(onlyError('registration', { ...reg, 国民经济行业代码: 'C34' }).reason).toContain('大类「通用设备制造业」');
  });

  it('a bad region code', () => {
    for (const regionCode of ['33010', '3301060', '990106', 'ABCDEF']) {
      expect(onlyError('registration', { ...GOOD.registration.push, regionCode }, 'push')).toEqual({
        field: 'regionCode',
        label: '所属行政区划',
        value: regionCode,
        reason: '「所属行政区划」应为 6 位数字的行政区划代码（GB/T 2260），如 330106',
      });
    }
  });

  it('text longer than its column allows', () => {
    expect(onlyError('tax', { ...GOOD.tax.push, externalId: 'x'.repeat(65) }, 'push').reason).toBe('「记录编号」不能超过 64 个字符（当前 65 个）');
    expect(onlyError('registration', { ...GOOD.registration.push, name: { zh: '企业' } }, 'push')).toMatchObject({ value: '{"zh":"企业"}', reason: '「企业名称」应为文本' });
  });

  it('reports every problem of a row, not only the first', () => {
    const list = errors(
      normaliseCreditRow('penalty', { 统一社会信用代码: USCC_BAD_CHECK, '处罚金额（元）': '1.234', 严重程度: '?', 处罚决定日期: '2025-02-30', 是否已信用修复: '是' }, 'file'),
    );
    expect(list.map((e) => e.field)).toEqual(['uscc', 'externalId', 'decisionNo', 'cause', 'amountFen', 'severity', 'decidedOn', 'decidedBy', 'correctedOn']);
    for (const error of list) expect(error.reason.startsWith(`「${error.label}」`)).toBe(true);
  });

  it('a row that is not an object, or an unknown category', () => {
    expect(errors(normaliseCreditRow('tax', null as never, 'push'))[0].reason).toBe('每条记录应为一个对象（字段名: 值）');
    expect(errors(normaliseCreditRow('tax', ['a'] as never, 'push'))[0].reason).toBe('每条记录应为一个对象（字段名: 值）');
    expect(errors(normaliseCreditRow('weather' as TCreditCategory, {}, 'push'))[0]).toMatchObject({ field: 'category', reason: '数据类别「weather」不存在' });
  });
});

describe('adverse records and when they end', () => {
  const push = (category: TCreditCategory, changes: Record<string, unknown>) => record(normaliseCreditRow(category, { ...GOOD[category].push, ...changes }, 'push'));

  it('a penalty is adverse and ends at its correction, else at its decision', () => {
    expect(push('penalty', {})).toMatchObject({ adverse: true, occurredOn: '2025-03-05', endsOn: '2025-09-30' });
    expect(push('penalty', { corrected: false, correctedOn: null })).toMatchObject({ adverse: true, endsOn: '2025-03-05' });
    expect(push('penalty', { corrected: undefined, correctedOn: undefined }).payload).toMatchObject({ corrected: false, correctedOn: null });
  });

  it('a blacklist entry ends when it is removed and not before', () => {
    expect(push('blacklist', {})).toMatchObject({ adverse: true, endsOn: null });
    expect(push('blacklist', { removedOn: '2025-05-20' })).toMatchObject({ adverse: true, endsOn: '2025-05-20' });
  });

  it('a court case is adverse for the defendant only and ends when closed', () => {
    expect(push('court_case', {})).toMatchObject({ adverse: true, endsOn: null });
    expect(push('court_case', { role: 'plaintiff' })).toMatchObject({ adverse: false, endsOn: null });
    expect(push('court_case', { role: 'third_party' }).adverse).toBe(false);
    expect(push('court_case', { status: 'closed', closedOn: '2025-06-30' })).toMatchObject({ adverse: true, endsOn: '2025-06-30' });
  });

  it('arrears make a monthly row adverse until the end of its period', () => {
    expect(push('tax', {})).toMatchObject({ period: '2024-02', adverse: true, endsOn: '2024-02-29' });
    expect(push('tax', { arrearsFen: 0 })).toMatchObject({ adverse: false, endsOn: null });
    expect(push('social_security', { arrearsFen: 1 })).toMatchObject({ period: '2025-03', adverse: true, endsOn: '2025-03-31' });
    expect(push('utility', { period: '2023-02', arrearsFen: 99 })).toMatchObject({ adverse: true, endsOn: '2023-02-28' });
    expect(push('utility', {})).toMatchObject({ adverse: false, endsOn: null });
  });

  it.each(['registration', 'licence', 'honour', 'logistics'] as const)('%s is never adverse', (category) => {
    expect(push(category, {})).toMatchObject({ adverse: false, endsOn: null, period: null });
  });
});

describe('canonical content', () => {
  it('is the same whatever the order of keys', () => {
    const a = record(normaliseCreditRow('penalty', GOOD.penalty.push, 'push'));
    const reversed = Object.fromEntries(Object.entries(GOOD.penalty.push).reverse());
    const b = record(normaliseCreditRow('penalty', reversed, 'push'));
    const c: TCreditRecordInput = { ...a, payload: Object.fromEntries(Object.entries(a.payload).reverse()) };
    expect(canonicalCreditContent(b)).toBe(canonicalCreditContent(a));
    expect(canonicalCreditContent(c)).toBe(canonicalCreditContent(a));
  });

  it('is the same from a file and from a push of the same facts', () => {
    for (const category of CREDIT_CATEGORIES) {
      const fromFile = fileRecord(category, {});
      const fromPush = record(normaliseCreditRow(category, GOOD[category].push, 'push'));
      expect(canonicalCreditContent(fromFile)).toBe(canonicalCreditContent(fromPush));
    }
  });

  it('says what the record says, with sorted keys, and changes when the content does', () => {
    const a = record(normaliseCreditRow('tax', GOOD.tax.push, 'push'));
    expect(JSON.parse(canonicalCreditContent(a))).toEqual({ endsOn: '2024-02-29', occurredOn: null, period: '2024-02', payload: a.payload });
    expect(canonicalCreditContent(a)).toBe(
      '{"endsOn":"2024-02-29","occurredOn":null,"payload":{"arrearsFen":100000,"creditLevel":"B","period":"2024-02","revenueDeclaredFen":128000000,"taxPaidFen":3521050},"period":"2024-02"}',
    );
    const b = record(normaliseCreditRow('tax', { ...GOOD.tax.push, arrearsFen: 100001 }, 'push'));
    expect(canonicalCreditContent(b)).not.toBe(canonicalCreditContent(a));
    // The identity of the row is not its content.
    const c = record(normaliseCreditRow('tax', { ...GOOD.tax.push, externalId: 'other' }, 'push'));
    expect(canonicalCreditContent(c)).toBe(canonicalCreditContent(a));
  });
});

describe('describing a payload', () => {
  it('renders money, enums, booleans and industries for people, leaving out what is absent', () => {
    const penalty = record(normaliseCreditRow('penalty', GOOD.penalty.push, 'push'));
    expect(describeCreditPayload('penalty', penalty.payload)).toEqual([
      { label: '行政处罚决定书文号', value: '杭西市监处罚〔2025〕123号' },
      { label: '处罚事由', value: '未按规定公示年度报告' },
      { label: '处罚种类', value: '罚款、没收违法所得、没收非法财物' },
      { label: '处罚金额（元）', value: '¥1,234.56' },
      { label: '严重程度', value: '一般' },
      { label: '处罚决定日期', value: '2025-03-05' },
      { label: '处罚机关', value: '杭州市西湖区市场监督管理局' },
      { label: '是否已信用修复', value: '是' },
      { label: '信用修复日期', value: '2025-09-30' },
    ]);
    const registration = record(normaliseCreditRow('registration', GOOD.registration.push, 'push'));
    const lines = describeCreditPayload('registration', registration.payload);
    expect(lines).toContainEqual({ label: '国民经济行业代码', value: 'C3484 机械零部件加工' });
    expect(lines).toContainEqual({ label: '企业规模', value: '小型' });
    expect(lines).toContainEqual({ label: '注册资本（元）', value: '¥5,000,000.00' });
    expect(lines.map((l) => l.label)).not.toContain('住所');
    const utility = record(normaliseCreditRow('utility', GOOD.utility.push, 'push'));
    expect(describeCreditPayload('utility', utility.payload)).toContainEqual({ label: '用电量（千瓦时）', value: '18,600' });
  });

  it('formats fen as yuan', () => {
    expect(formatFenAsYuan(0)).toBe('¥0.00');
    expect(formatFenAsYuan(7)).toBe('¥0.07');
    expect(formatFenAsYuan(123456)).toBe('¥1,234.56');
    expect(formatFenAsYuan('123456789012345')).toBe('¥1,234,567,890,123.45');
    expect(formatFenAsYuan(-100)).toBe('-¥1.00');
  });
});

describe('speed', () => {
  it('normalises 100k registration and tax rows (timing printed, not asserted)', () => {
    const rows = 100_000;
    const timings: string[] = [];
    for (const category of ['registration', 'tax'] as const) {
      const template = viaHeaders(category, GOOD[category].file);
      const input = Array.from({ length: rows }, (_, i) => ({ ...template, externalId: `R${i}` }));
      const started = process.hrtime.bigint();
      let ok = 0;
      for (const raw of input) if (normaliseCreditRow(category, raw, 'file').ok) ok += 1;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      expect(ok).toBe(rows);
      timings.push(`${category}: ${rows} rows in ${ms.toFixed(0)} ms (${Math.round(rows / (ms / 1000))} rows/s)`);
    }
    console.log(`normaliseCreditRow, file form\n${timings.join('\n')}`);
  });
});
