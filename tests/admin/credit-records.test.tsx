import type { TCreditCategory, TCreditRecord, TCreditRecordSummary, TEnterpriseDetail } from '@xyd/shared';
import { CREDIT_CATEGORIES } from '@xyd/shared';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, fail, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { findPageTitle, renderConsole } from './support/render';

const detail: TEnterpriseDetail = {
  id: '42',
  uscc: '91330106MA2XXXXX1L',
  name: '杭州青禾农业科技有限公司',
  legalRepName: '王芳',
  registeredCapitalFen: '500000000',
  establishedOn: '2018-05-20',
  industryCode: 'A0141',
  industryName: '蔬菜种植',
  regionCode: '330106',
  regionName: '浙江省杭州市西湖区',
  scale: 'small',
  status: 'active',
  memberCount: 1,
  legalRepIdMasked: '330106********1234',
  address: null,
  businessScope: null,
  members: [],
};

function summaryOf(counts: Partial<Record<TCreditCategory, number>>): TCreditRecordSummary {
  return CREDIT_CATEGORIES.map((category) => ({ category, count: counts[category] ?? 0, latest: null }));
}

function record(overrides: Partial<TCreditRecord> = {}): TCreditRecord {
  return {
    id: '9001',
    category: 'penalty',
    enterpriseId: '42',
    uscc: '91330106MA2XXXXX1L',
    sourceId: '701',
    sourceName: '杭州市市场监督管理局处罚数据',
    externalId: 'CF-2025-001',
    period: null,
    occurredOn: '2025-06-18',
    endsOn: null,
    adverse: true,
    corrected: false,
    disputed: false,
    status: 'current',
    payload: {},
    fields: [
      { label: '处罚决定书文号', value: '杭市监罚〔2025〕18号' },
      { label: '处罚金额', value: '¥5,000.00' },
    ],
    receivedAt: '2025-06-20T02:00:00.000Z',
    ...overrides,
  };
}

const corrected = record({ id: '9002', externalId: 'CF-2024-007', occurredOn: '2024-03-02', corrected: true, fields: [{ label: '处罚决定书文号', value: '杭市监罚〔2024〕7号' }] });
const superseded = record({ id: '9003', status: 'superseded', fields: [{ label: '处罚金额', value: '¥50,000.00' }], receivedAt: '2025-06-19T02:00:00.000Z' });

describe('credit records on the enterprise detail (信用数据)', () => {
  beforeEach(() => {
    api.on('GET /api/v1/enterprises/:id', ok(detail));
    api.on('GET /api/v1/enterprises/:id/credit-records/summary', ok(summaryOf({ penalty: 2, tax: 14 })));
  });

  it('opens on the first category with data, with counts on every tab, and shows each record’s fields, source and tags', async () => {
    api.on('GET /api/v1/enterprises/:id/credit-records', (req) =>
      req.query.category === 'penalty' ? page([record(), corrected]) : page([], 0),
    );
    await renderConsole('/enterprises/42', userOf('advisor'));
    expect(await findPageTitle('企业详情')).toBeInTheDocument();

    expect(await screen.findByTestId('credit-tab-penalty')).toHaveTextContent('行政处罚（2）');
    expect(screen.getByTestId('credit-tab-tax')).toHaveTextContent('纳税（14）');
    expect(screen.getByTestId('credit-tab-registration')).toHaveTextContent('登记注册（0）');

    const rows = await screen.findAllByTestId('credit-record-row');
    expect(rows).toHaveLength(2);
    expect(api.callsTo('GET /api/v1/enterprises/42/credit-records')[0].query).toMatchObject({ category: 'penalty', page: '1', pageSize: '10' });
    expect(api.callsTo('GET /api/v1/enterprises/42/credit-records')[0].query.includeHistory).toBeUndefined();

    expect(rows[0]).toHaveTextContent('2025-06-18');
    expect(rows[0]).toHaveTextContent('处罚决定书文号：杭市监罚〔2025〕18号');
    expect(rows[0]).toHaveTextContent('处罚金额：¥5,000.00');
    expect(rows[0]).toHaveTextContent('杭州市市场监督管理局处罚数据');
    expect(rows[0]).toHaveTextContent('2025-06-20 10:00:00');
    expect(within(rows[0]).getByTestId('credit-record-adverse')).toHaveTextContent('不良');
    expect(within(rows[0]).queryByTestId('credit-record-corrected')).not.toBeInTheDocument();
    expect(within(rows[1]).getByTestId('credit-record-corrected')).toHaveTextContent('已信用修复');
    // Current records carry no version tag until history is asked for.
    expect(within(rows[0]).queryByTestId('credit-record-status')).not.toBeInTheDocument();
  });

  it('含历史版本 adds the superseded versions with their status', async () => {
    api.on('GET /api/v1/enterprises/:id/credit-records', (req) =>
      page(req.query.includeHistory === 'true' ? [record(), superseded, corrected] : [record(), corrected]),
    );
    await renderConsole('/enterprises/42', userOf('gov'));
    await waitFor(() => expect(screen.getAllByTestId('credit-record-row')).toHaveLength(2));

    await userEvent.setup().click(screen.getByTestId('credit-history'));
    await waitFor(() => expect(screen.getAllByTestId('credit-record-row')).toHaveLength(3));
    expect(api.callsTo('GET /api/v1/enterprises/42/credit-records').at(-1)!.query).toMatchObject({ includeHistory: 'true', category: 'penalty' });
    const old = screen.getAllByTestId('credit-record-row').find((r) => r.getAttribute('data-status') === 'superseded')!;
    expect(within(old).getByTestId('credit-record-status')).toHaveTextContent('已被更正');
    expect(old).toHaveTextContent('处罚金额：¥50,000.00');
    const current = screen.getAllByTestId('credit-record-row')[0];
    expect(within(current).getByTestId('credit-record-status')).toHaveTextContent('有效');
  });

  it('switches category by tab and says when one has no data', async () => {
    api.on('GET /api/v1/enterprises/:id/credit-records', (req) =>
      req.query.category === 'tax'
        ? page([record({ id: '9100', category: 'tax', period: '2026-09', occurredOn: null, adverse: false, fields: [{ label: '实缴税额', value: '¥12,000.00' }] })], 14)
        : req.query.category === 'penalty'
          ? page([record()])
          : page([], 0),
    );
    await renderConsole('/enterprises/42', userOf('platform_admin'));
    await screen.findAllByTestId('credit-record-row');

    const user = userEvent.setup();
    await user.click(screen.getByTestId('credit-tab-tax'));
    await waitFor(() => expect(screen.getByTestId('credit-record-row')).toHaveTextContent('实缴税额：¥12,000.00'));
    expect(screen.getByTestId('credit-record-row')).toHaveTextContent('2026-09');
    expect(within(screen.getByTestId('credit-record-row')).queryByTestId('credit-record-adverse')).not.toBeInTheDocument();

    await user.click(screen.getByTestId('credit-tab-court_case'));
    expect(await screen.findByText('暂无司法诉讼数据')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/enterprises/42/credit-records').at(-1)!.query).toMatchObject({ category: 'court_case' });
  });

  it('仅看不良记录 asks the server for adverse records only', async () => {
    api.on('GET /api/v1/enterprises/:id/credit-records', page([record()]));
    await renderConsole('/enterprises/42', userOf('platform_admin'));
    await screen.findAllByTestId('credit-record-row');

    await userEvent.setup().click(screen.getByTestId('credit-adverse-only'));
    await waitFor(() => expect(api.callsTo('GET /api/v1/enterprises/42/credit-records').at(-1)!.query).toMatchObject({ adverse: 'true' }));
  });

  it('says so when the credit data cannot be loaded, and keeps the registration data', async () => {
    api.on('GET /api/v1/enterprises/:id/credit-records/summary', fail(500, 'INTERNAL', '服务暂时不可用'));
    await renderConsole('/enterprises/42', userOf('platform_admin'));
    expect(await screen.findByTestId('credit-records-error')).toHaveTextContent('信用数据加载失败');
    expect(screen.getByTestId('enterprise-registration')).toHaveTextContent('杭州青禾农业科技有限公司');
    expect(api.callsTo('GET /api/v1/enterprises/42/credit-records')).toHaveLength(0);
  });
});
