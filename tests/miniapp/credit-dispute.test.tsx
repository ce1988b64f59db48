import type { TCreditDispute, TCreditRecord, TCreditRecordSummary } from '@xyd/shared';
import { CREDIT_CATEGORIES, DISPUTE_DEADLINE_DAYS as SHARED_DEADLINE_DAYS, DISPUTE_STATUS_LABELS, ZDisputeCreate } from '@xyd/shared';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Current } from '@tarojs/runtime';
import Taro from '@tarojs/taro';
import {
  DISPUTE_DEADLINE_DAYS,
  DISPUTE_LABELS,
  DISPUTE_REASON_MAX,
  DISPUTE_REASON_MIN,
  announceDisputeRaised,
  disputeReasonProblem,
  rememberRecordToDispute,
} from '../../miniapp/src/services/credit';
import RaiseDispute from '../../miniapp/src/subpackages/credit/dispute/index';
import MyDisputes from '../../miniapp/src/subpackages/credit/disputes/index';
import MyData from '../../miniapp/src/subpackages/enterprise/data/index';
import { FakeApi, fail, ok } from './support/fake-api';
import { renderPage } from './support/page';

const ENTERPRISE = {
  id: '5',
  name: '北京示例科技有限公司',
  uscc: '91110108600040399G',
  memberRole: 'ent_owner',
  members: [{ displayName: '张三', role: 'ent_owner' }],
};
const DISPUTES_PATH = '/api/v1/me/enterprises/5/credit/disputes';
const FORM_PAGE = '/subpackages/credit/dispute/index';

function record(overrides: Partial<TCreditRecord> = {}): TCreditRecord {
  return {
    id: '9001',
    category: 'penalty',
    enterpriseId: '5',
    uscc: ENTERPRISE.uscc,
    sourceId: '701',
    sourceName: '北京市市场监督管理局',
    externalId: 'CF-2025-001',
    period: null,
    occurredOn: '2025-06-18',
    endsOn: null,
    adverse: true,
    corrected: false,
    status: 'current',
    disputed: false,
    payload: {},
    fields: [
      { label: '处罚决定书文号', value: '京市监罚〔2025〕18号' },
      { label: '处罚金额', value: '¥5,000.00' },
    ],
    receivedAt: '2025-06-20T02:00:00.000Z',
    ...overrides,
  };
}

function dispute(overrides: Partial<TCreditDispute> = {}): TCreditDispute {
  return {
    id: '3001',
    enterpriseId: '5',
    enterpriseName: ENTERPRISE.name,
    recordId: '9001',
    category: 'penalty',
    recordSummary: '处罚决定书文号：京市监罚〔2025〕18号；处罚金额：¥5,000.00',
    sourceId: '701',
    sourceName: '北京市市场监督管理局',
    reason: '该处罚已于 2025 年 8 月撤销',
    evidenceFileId: null,
    status: 'open',
    raisedAt: '2026-03-02T01:00:00.000Z',
    dueOn: '2026-03-22',
    daysLeft: 12,
    resolvedAt: null,
    resolvedByName: null,
    resolutionNote: null,
    ...overrides,
  };
}

const summaryOf = (penalty: number): TCreditRecordSummary =>
  CREDIT_CATEGORIES.map((category) => ({ category, count: category === 'penalty' ? penalty : 0, latest: null }));

/** The native <textarea> inside a Taro Textarea (a web component that renders it asynchronously). */
async function nativeTextarea(testId: string): Promise<HTMLTextAreaElement> {
  let textarea: HTMLTextAreaElement | null = null;
  await waitFor(() => {
    textarea = screen.getByTestId(testId).querySelector('textarea');
    if (!textarea) throw new Error('Taro Textarea has not rendered its <textarea> yet');
  });
  return textarea!;
}

async function typeReason(value: string) {
  fireEvent.input(await nativeTextarea('dispute-reason'), { target: { value } });
}

function chooseImageReturns(file: { path: string; size: number; name?: string; type?: string }) {
  return jest.spyOn(Taro, 'chooseImage').mockResolvedValue({
    tempFilePaths: [file.path],
    tempFiles: [{ path: file.path, size: file.size, type: file.type, originalFileObj: { name: file.name } } as never],
    errMsg: 'chooseImage:ok',
  });
}

describe('dispute rules agree with shared', () => {
  it('has the same status labels and deadline', () => {
    expect(DISPUTE_LABELS).toEqual(DISPUTE_STATUS_LABELS);
    expect(DISPUTE_DEADLINE_DAYS).toBe(SHARED_DEADLINE_DAYS);
  });

  it('accepts and refuses the same reasons as the server’s schema', () => {
    const cases = ['', '   ', '太短了', '四个字啊', '五个字刚好', '  前后空格不算  ', 'a'.repeat(DISPUTE_REASON_MAX), 'a'.repeat(DISPUTE_REASON_MAX + 1)];
    for (const reason of cases) {
      const server = ZDisputeCreate.safeParse({ recordId: '9001', reason });
      expect({ reason, ok: disputeReasonProblem(reason) === null }).toEqual({ reason, ok: server.success });
    }
    expect(disputeReasonProblem('四个字啊')).toBe(`异议理由至少 ${DISPUTE_REASON_MIN} 个字`);
    expect(disputeReasonProblem('a'.repeat(DISPUTE_REASON_MAX + 1))).toBe(`异议理由最多 ${DISPUTE_REASON_MAX} 个字`);
  });
});

describe('我的数据: the 提出异议 entry', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE]))
      .on('GET', '/api/v1/me/enterprises/5/credit-records/summary', ok(summaryOf(3)))
      .on(
        'GET',
        '/api/v1/me/enterprises/5/credit-records',
        ok({
          list: [record(), record({ id: '9002', disputed: true }), record({ id: '9003', status: 'withdrawn' })],
          total: 3,
        }),
      );
  });

  afterEach(() => {
    Current.router = null;
  });

  it('offers 提出异议 on a current record, and tags disputed and withdrawn ones instead', async () => {
    await renderPage(MyData);
    const [open, disputed, withdrawn] = await screen.findAllByTestId('credit-record');

    expect(within(open).getByTestId('credit-record-dispute').textContent).toBe('提出异议');
    expect(within(open).queryByTestId('credit-record-disputed')).toBeNull();
    expect(within(disputed).getByTestId('credit-record-disputed').textContent).toBe('异议中');
    expect(within(disputed).queryByTestId('credit-record-dispute')).toBeNull();
    expect(within(withdrawn).getByTestId('credit-record-withdrawn').textContent).toBe('已撤回');
    expect(within(withdrawn).queryByTestId('credit-record-dispute')).toBeNull();

    fireEvent.click(within(open).getByTestId('credit-record-dispute'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: `${FORM_PAGE}?enterpriseId=5&recordId=9001&category=penalty` });
  });

  it('marks a record 异议中 once its dispute is raised, without reloading', async () => {
    await renderPage(MyData);
    await screen.findAllByTestId('credit-record');
    const loads = api.callsTo('GET', '/api/v1/me/enterprises/5/credit-records').length;

    act(() => announceDisputeRaised({ recordId: '9001' }));

    await waitFor(() => expect(within(screen.getAllByTestId('credit-record')[0]).getByTestId('credit-record-disputed')).toBeTruthy());
    expect(within(screen.getAllByTestId('credit-record')[0]).queryByTestId('credit-record-dispute')).toBeNull();
    expect(api.callsTo('GET', '/api/v1/me/enterprises/5/credit-records')).toHaveLength(loads);
  });

  it('opens at the enterprise and category the profile asked for', async () => {
    Current.router = { params: { enterpriseId: '5', category: 'penalty' }, path: '/subpackages/enterprise/data/index' } as never;
    api.on('GET', '/api/v1/me/enterprises/5/credit-records/summary', ok(CREDIT_CATEGORIES.map((category) => ({ category, count: 3, latest: null }))));
    await renderPage(MyData);

    await screen.findAllByTestId('credit-record');
    const active = screen.getAllByTestId('my-data-tab').find((t) => t.getAttribute('data-active') === 'true')!;
    expect(active.getAttribute('data-category')).toBe('penalty');
    expect(api.callsTo('GET', '/api/v1/me/enterprises/5/credit-records')[0].query).toMatchObject({ category: 'penalty' });
  });
});

describe('提出异议 form', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    jest.spyOn(Taro, 'redirectTo').mockResolvedValue({ errMsg: 'redirectTo:ok' });
    jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'showToast:ok' });
    Current.router = { params: { enterpriseId: '5', recordId: '9001', category: 'penalty' }, path: FORM_PAGE } as never;
    rememberRecordToDispute(record());
  });

  afterEach(() => {
    Current.router = null;
  });

  it('shows the record being disputed', async () => {
    await renderPage(RaiseDispute);

    const summary = screen.getByTestId('dispute-record');
    expect(summary.textContent).toContain('行政处罚');
    expect(summary.textContent).toContain('2025-06-18');
    expect(within(summary).getAllByTestId('dispute-record-field').map((f) => f.textContent)).toEqual([
      '处罚决定书文号京市监罚〔2025〕18号',
      '处罚金额¥5,000.00',
    ]);
    expect(summary.textContent).toContain('来源：北京市市场监督管理局');
  });

  it('names the record by its ids when it was not handed over (a reloaded page)', async () => {
    Current.router = { params: { enterpriseId: '5', recordId: '9100', category: 'tax' }, path: FORM_PAGE } as never;
    await renderPage(RaiseDispute);

    const summary = screen.getByTestId('dispute-record');
    expect(summary.textContent).toContain('纳税');
    expect(summary.textContent).toContain('记录编号 9100');
    expect(within(summary).queryAllByTestId('dispute-record-field')).toHaveLength(0);
  });

  it('refuses a reason under five characters, counting what is typed, and sends nothing', async () => {
    await renderPage(RaiseDispute);

    fireEvent.click(screen.getByTestId('dispute-submit'));
    expect((await screen.findByTestId('dispute-reason-error')).textContent).toBe('请填写异议理由');

    await typeReason('  有误啊  ');
    await waitFor(() => expect(screen.getByTestId('dispute-reason-count').textContent).toBe(`3/${DISPUTE_REASON_MAX}`));
    expect(screen.queryByTestId('dispute-reason-error')).toBeNull();
    fireEvent.click(screen.getByTestId('dispute-submit'));
    expect((await screen.findByTestId('dispute-reason-error')).textContent).toBe('异议理由至少 5 个字');

    await typeReason('字'.repeat(DISPUTE_REASON_MAX + 1));
    fireEvent.click(screen.getByTestId('dispute-submit'));
    expect((await screen.findByTestId('dispute-reason-error')).textContent).toBe('异议理由最多 500 个字');
    expect(screen.getByTestId('dispute-reason-count').className).toContain('--over');
    expect(api.apiCalls()).toHaveLength(0);
  });

  it('sends recordId and reason as JSON with an idempotency key, once, then opens 我的异议', async () => {
    api.on('POST', DISPUTES_PATH, { status: 201, body: { success: true, data: dispute() } });
    // The answer waits until the test lets it through, to see the form while it is sending.
    const request = jest.spyOn(Taro, 'request');
    const server = request.getMockImplementation()!;
    let answer = () => {};
    const answered = new Promise<void>((resolve) => (answer = resolve));
    request.mockImplementation(((options: Taro.request.Option) =>
      options.url === DISPUTES_PATH ? answered.then(() => server(options)) : server(options)) as unknown as typeof Taro.request);
    const raised: string[] = [];
    const listener = (recordId: string) => raised.push(recordId);
    Taro.eventCenter.on('credit:dispute-raised', listener);

    await renderPage(RaiseDispute);
    await typeReason('  该处罚已于 2025 年 8 月撤销  ');
    fireEvent.click(screen.getByTestId('dispute-submit'));

    await waitFor(() => expect(screen.getByTestId('dispute-submit').hasAttribute('disabled')).toBe(true));
    fireEvent.click(screen.getByTestId('dispute-submit'));
    answer();

    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/subpackages/credit/disputes/index?enterpriseId=5' }));
    const calls = api.callsTo('POST', DISPUTES_PATH);
    expect(calls).toHaveLength(1);
    expect(calls[0].kind).toBe('request');
    expect(calls[0].body).toEqual({ recordId: '9001', reason: '该处罚已于 2025 年 8 月撤销' });
    expect(calls[0].header['Idempotency-Key']).toBeTruthy();
    expect(Taro.uploadFile).not.toHaveBeenCalled();
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '异议已提交', icon: 'success' });
    expect(raised).toEqual(['9001']);
    Taro.eventCenter.off('credit:dispute-raised', listener);
  });

  it('uploads the chosen evidence photo as multipart with the fields', async () => {
    api.on('POST', DISPUTES_PATH, { status: 201, body: { success: true, data: dispute({ evidenceFileId: '77' }) } });
    await renderPage(RaiseDispute);
    await typeReason('该处罚已撤销，附撤销决定书');
    chooseImageReturns({ path: 'blob:http://localhost/evidence', size: 300_000, name: 'decision.jpg', type: 'image/jpeg' });
    fireEvent.click(screen.getByTestId('dispute-evidence'));
    await screen.findByTestId('dispute-evidence-preview');

    fireEvent.click(screen.getByTestId('dispute-submit'));

    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalled());
    const [call] = api.callsTo('POST', DISPUTES_PATH);
    expect(call.kind).toBe('upload');
    expect(call.file).toEqual({ filePath: 'blob:http://localhost/evidence', name: 'evidence', fileName: 'decision.jpg' });
    expect(call.body).toEqual({ recordId: '9001', reason: '该处罚已撤销，附撤销决定书' });
    expect(call.header['Idempotency-Key']).toBeTruthy();
  });

  it('refuses evidence over 5 MB or of another type before uploading, and lets the user remove a photo', async () => {
    await renderPage(RaiseDispute);

    chooseImageReturns({ path: 'blob:big', size: 6 * 1024 * 1024, name: 'big.jpg', type: 'image/jpeg' });
    fireEvent.click(screen.getByTestId('dispute-evidence'));
    expect((await screen.findByTestId('dispute-evidence-error')).textContent).toBe('证明材料不能超过 5 MB');

    chooseImageReturns({ path: 'blob:heic', size: 1000, name: 'photo.heic', type: 'image/heic' });
    fireEvent.click(screen.getByTestId('dispute-evidence'));
    await waitFor(() => expect(screen.getByTestId('dispute-evidence-error').textContent).toBe('证明材料只能是 JPEG、PNG 图片或 PDF 文件'));
    expect(screen.queryByTestId('dispute-evidence-preview')).toBeNull();

    chooseImageReturns({ path: 'blob:ok', size: 1000, name: 'ok.png', type: 'image/png' });
    fireEvent.click(screen.getByTestId('dispute-evidence'));
    await screen.findByTestId('dispute-evidence-preview');
    expect(screen.queryByTestId('dispute-evidence-error')).toBeNull();
    fireEvent.click(screen.getByTestId('dispute-evidence-remove'));
    await waitFor(() => expect(screen.queryByTestId('dispute-evidence-preview')).toBeNull());
    expect(api.apiCalls()).toHaveLength(0);
  });

  it('shows the server’s 409 when the record already has an open dispute, with a way to 我的异议', async () => {
    api.on('POST', DISPUTES_PATH, fail(409, 'CONFLICT', '该记录已有处理中的异议，请等待处理结果'));
    await renderPage(RaiseDispute);
    await typeReason('该处罚已于 2025 年 8 月撤销');

    fireEvent.click(screen.getByTestId('dispute-submit'));

    expect((await screen.findByTestId('dispute-form-error')).textContent).toContain('该记录已有处理中的异议，请等待处理结果');
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '该记录已有处理中的异议，请等待处理结果', icon: 'none' });
    expect(Taro.redirectTo).not.toHaveBeenCalled();
    expect(screen.getByTestId('dispute-submit').hasAttribute('disabled')).toBe(false);
    fireEvent.click(screen.getByTestId('dispute-conflict-link'));
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/subpackages/credit/disputes/index?enterpriseId=5' });
  });

  it('puts the server’s field message beside the reason', async () => {
    api.on('POST', DISPUTES_PATH, fail(400, 'VALIDATION_FAILED', '提交的信息有误', [{ field: 'reason', message: '异议理由至少 5 个字' }]));
    await renderPage(RaiseDispute);
    await typeReason('五个字以上的理由');

    fireEvent.click(screen.getByTestId('dispute-submit'));

    expect((await screen.findByTestId('dispute-reason-error')).textContent).toBe('异议理由至少 5 个字');
    expect(screen.queryByTestId('dispute-conflict-link')).toBeNull();
  });

  it('repeats a submission that got no answer with the same key', async () => {
    api.on('POST', DISPUTES_PATH, { status: 201, body: { success: true, data: dispute() } });
    const request = jest.spyOn(Taro, 'request');
    const server = request.getMockImplementation()!;
    let attempt = 0;
    request.mockImplementation(((options: Taro.request.Option) => {
      if (options.url !== DISPUTES_PATH) return server(options);
      attempt += 1;
      return attempt === 1 ? Promise.reject({ errMsg: 'request:fail' }) : server(options);
    }) as unknown as typeof Taro.request);
    await renderPage(RaiseDispute);
    await typeReason('该处罚已于 2025 年 8 月撤销');

    fireEvent.click(screen.getByTestId('dispute-submit'));
    expect((await screen.findByTestId('dispute-form-error')).textContent).toBe('网络连接失败，请检查网络后重试');
    fireEvent.click(screen.getByTestId('dispute-submit'));
    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalled());

    const keys = request.mock.calls.filter(([o]) => o.url === DISPUTES_PATH).map(([o]) => (o.header as Record<string, string>)['Idempotency-Key']);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
  });
});

describe('我的异议 list', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    jest.spyOn(Taro, 'stopPullDownRefresh').mockImplementation(() => undefined);
  });

  it('shows each dispute’s status, its due date with the days left or overdue, and the outcome once resolved', async () => {
    api.on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE])).on(
      'GET',
      DISPUTES_PATH,
      ok([
        dispute(),
        dispute({ id: '3002', dueOn: '2026-02-28', daysLeft: -3 }),
        dispute({ id: '3003', daysLeft: 0 }),
        dispute({
          id: '3004',
          status: 'upheld',
          daysLeft: null,
          resolvedAt: '2026-03-05T06:00:00.000Z',
          resolvedByName: '王顾问',
          resolutionNote: '经核实处罚已撤销，记录撤回',
        }),
      ]),
    );
    await renderPage(MyDisputes);

    const items = await screen.findAllByTestId('dispute-item');
    expect(items).toHaveLength(4);
    expect(items.map((i) => within(i).getByTestId('dispute-status').textContent)).toEqual([
      '处理中',
      '处理中',
      '处理中',
      '异议成立（记录已撤回）',
    ]);
    expect(within(items[0]).getByTestId('dispute-due').textContent).toBe('2026-03-22 前剩余 12 天');
    expect(within(items[1]).getByTestId('dispute-clock').textContent).toBe('已超期 3 天');
    expect(within(items[1]).getByTestId('dispute-clock').className).toContain('--overdue');
    expect(within(items[2]).getByTestId('dispute-clock').textContent).toBe('今日到期');
    expect(items[0].textContent).toContain('该处罚已于 2025 年 8 月撤销');
    expect(items[0].textContent).toContain('处罚决定书文号：京市监罚〔2025〕18号');
    expect(within(items[0]).queryByTestId('dispute-resolution')).toBeNull();

    expect(within(items[3]).queryByTestId('dispute-clock')).toBeNull();
    const resolution = within(items[3]).getByTestId('dispute-resolution').textContent;
    expect(resolution).toContain('经核实处罚已撤销，记录撤回');
    expect(resolution).toContain('2026-03-05 14:00');
    expect(resolution).toContain('王顾问');
  });

  it('says so when the enterprise has raised none', async () => {
    Current.router = { params: { enterpriseId: '5' }, path: '/subpackages/credit/disputes/index' } as never;
    api.on('GET', DISPUTES_PATH, ok([]));
    await renderPage(MyDisputes);

    expect((await screen.findByTestId('disputes-empty')).textContent).toContain('暂无异议');
    expect(api.callsTo('GET', '/api/v1/me/enterprises')).toHaveLength(0);
    fireEvent.click(screen.getByText('查看我的数据'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/enterprise/data/index?enterpriseId=5' });
    Current.router = null;
  });
});
