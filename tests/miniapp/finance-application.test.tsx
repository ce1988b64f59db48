import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { Current } from '@tarojs/runtime';
import Taro from '@tarojs/taro';
import * as shared from '@xyd/shared';
import { LOAN_CLASS_LABELS, formatFenAsYuan } from '@xyd/shared';
import {
  ACCESS_ACTION_LABELS,
  ACCESS_CHANNEL_LABELS,
  APPLICATION_ACTION_LABELS,
  APPLICATION_STATUS_LABELS,
  DATA_SCOPES,
  DATA_SCOPE_DETAILS,
  DATA_SCOPE_LABELS,
  ENTERPRISE_ACTIONS,
  GRANT_DEFAULT_DAYS,
  GRANT_MAX_DAYS,
  GRANT_STATUS_LABELS,
  LOAN_STATUS_LABELS,
} from '../../miniapp/src/services/applications';
import ApplicationPage from '../../miniapp/src/subpackages/finance/application/index';
import { FakeApi, fail, ok } from './support/fake-api';
import { OFFER, applicationDetail, grant, loan } from './support/application-fixtures';
import { ENTERPRISE } from './support/finance-fixtures';
import { renderPage } from './support/page';

const PAGE = '/subpackages/finance/application/index';
const APPLICATION_PATH = '/api/v1/me/enterprises/5/applications/31';
const MOVES_PATH = `${APPLICATION_PATH}/moves`;

type ModalAnswer = { confirm: boolean; cancel: boolean; errMsg: string };
const CONFIRM: ModalAnswer = { confirm: true, cancel: false, errMsg: 'showModal:ok' };
const CANCEL: ModalAnswer = { confirm: false, cancel: true, errMsg: 'showModal:ok' };

const moveButtons = () => screen.queryAllByTestId(/^application-move-/).map((b) => b.textContent);

describe('application labels', () => {
  it('are shared’s own (one definition), not copies', () => {
    expect(APPLICATION_STATUS_LABELS).toBe(shared.APPLICATION_STATUS_LABELS);
    expect(APPLICATION_ACTION_LABELS).toBe(shared.APPLICATION_ACTION_LABELS);
    expect(DATA_SCOPES).toBe(shared.DATA_SCOPES);
    expect(DATA_SCOPE_LABELS).toBe(shared.DATA_SCOPE_LABELS);
    expect(DATA_SCOPE_DETAILS).toBe(shared.DATA_SCOPE_DETAILS);
    expect(GRANT_STATUS_LABELS).toBe(shared.GRANT_STATUS_LABELS);
    expect(ACCESS_ACTION_LABELS).toBe(shared.ACCESS_ACTION_LABELS);
    expect(ACCESS_CHANNEL_LABELS).toBe(shared.ACCESS_CHANNEL_LABELS);
    expect(LOAN_STATUS_LABELS).toBe(shared.LOAN_STATUS_LABELS);
    expect([GRANT_DEFAULT_DAYS, GRANT_MAX_DAYS]).toEqual([shared.GRANT_DEFAULT_DAYS, shared.GRANT_MAX_DAYS]);
  });

  it('the firm’s buttons are exactly the state machine’s enterprise moves', () => {
    const enterpriseMoves = shared.APPLICATION_MOVES.filter((m) => m.by.includes('enterprise')).map((m) => m.action);
    expect([...ENTERPRISE_ACTIONS].sort()).toEqual([...enterpriseMoves].sort());
  });
});

describe('申请详情', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    jest.spyOn(Taro, 'navigateTo').mockResolvedValue({ errMsg: 'navigateTo:ok' });
    jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'showToast:ok' });
    Current.router = { params: { id: '31', enterpriseId: '5' }, path: PAGE } as never;
  });

  afterEach(() => {
    Current.router = null;
  });

  it('shows the progress: each step with its label, who made it, when in Beijing time, and its note', async () => {
    api.on(
      'GET',
      APPLICATION_PATH,
      ok(
        applicationDetail({
          status: 'investigating',
          events: [
            // Out of order on purpose: the timeline runs oldest first.
            { id: '3', kind: 'investigate', label: '开始调查', fromStatus: 'accepted', toStatus: 'investigating', actorKind: 'institution', actorName: '李经理', note: '已安排实地走访', at: '2026-07-02T09:00:00.000Z' },
            { id: '1', kind: 'submit', label: '提交申请', fromStatus: null, toStatus: 'submitted', actorKind: 'enterprise', actorName: '张三', note: '', at: '2026-07-01T02:00:00.000Z' },
            { id: '2', kind: 'accept', label: '受理', fromStatus: 'submitted', toStatus: 'accepted', actorKind: 'institution', actorName: '李经理', note: '', at: '2026-07-01T16:30:00.000Z' },
          ],
        }),
      ),
    );
    await renderPage(ApplicationPage);

    expect((await screen.findByTestId('application-status')).textContent).toBe('调查审批中');
    expect(screen.getByTestId('application-product').textContent).toBe('科创信用贷');
    expect(screen.getByTestId('application-institution').textContent).toBe('示例银行北京分行');
    expect(screen.getByTestId('application-amount').textContent).toBe('50 万元');
    const events = screen.getAllByTestId('application-event');
    expect(events.map((e) => within(e).getByTestId('application-event-label').textContent)).toEqual(['提交申请', '受理', '开始调查']);
    expect(events.map((e) => within(e).getByTestId('application-event-meta').textContent)).toEqual([
      '2026-07-01 10:00 · 企业 · 张三',
      '2026-07-02 00:30 · 金融机构 · 李经理',
      '2026-07-02 17:00 · 金融机构 · 李经理',
    ]);
    expect(within(events[2]).getByTestId('application-event-note').textContent).toBe('已安排实地走访');
    expect(within(events[0]).queryByTestId('application-event-note')).toBeNull();
  });

  it('shows as buttons only the moves the server lists', async () => {
    // The server lists no move (another member is mid-way, say): nothing is offered, whatever the status.
    api.on('GET', APPLICATION_PATH, ok(applicationDetail({ status: 'submitted', moves: [] })));
    const view = await renderPage(ApplicationPage);
    await screen.findByTestId('application-status');
    expect(moveButtons()).toEqual([]);
    view.unmount();

    // Moves that are not the firm's own are not its buttons either.
    api.on('GET', APPLICATION_PATH, ok(applicationDetail({ status: 'accepted', moves: ['investigate', 'withdraw'] })));
    const second = await renderPage(ApplicationPage);
    await waitFor(() => expect(moveButtons()).toEqual(['撤回申请']));
    second.unmount();

    api.on('GET', APPLICATION_PATH, ok(applicationDetail({ status: 'approved', offer: OFFER, moves: ['accept_offer', 'decline_offer'] })));
    await renderPage(ApplicationPage);
    await waitFor(() => expect(moveButtons()).toEqual(['接受批复', '放弃']));
  });

  it('withdraws only after a confirm, sending the version on screen', async () => {
    api
      .on('GET', APPLICATION_PATH, ok(applicationDetail({ status: 'accepted', version: 3, moves: ['withdraw'] })))
      .on('POST', MOVES_PATH, ok(applicationDetail({ status: 'withdrawn', version: 4, moves: [], grantActive: false, grants: [grant({ status: 'revoked' })] })));
    const modal = jest.spyOn(Taro, 'showModal').mockResolvedValueOnce(CANCEL as never);
    await renderPage(ApplicationPage);

    fireEvent.click(await screen.findByText('撤回申请'));
    await waitFor(() => expect(modal).toHaveBeenCalledTimes(1));
    expect(modal.mock.calls[0][0]).toMatchObject({ title: '撤回申请', confirmText: '确定撤回' });
    expect(api.callsTo('POST', MOVES_PATH)).toHaveLength(0);

    modal.mockResolvedValueOnce(CONFIRM as never);
    fireEvent.click(screen.getByTestId('application-move-withdraw'));

    await waitFor(() => expect(screen.getByTestId('application-status').textContent).toBe('已撤回'));
    expect(api.callsTo('POST', MOVES_PATH).map((c) => c.body)).toEqual([{ action: 'withdraw', version: 3 }]);
    expect(moveButtons()).toEqual([]);
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '申请已撤回', icon: 'success' });
  });

  it('on a 409 reloads the application and says it changed', async () => {
    let loads = 0;
    api
      .on('GET', APPLICATION_PATH, () => {
        loads += 1;
        return loads === 1
          ? ok(applicationDetail({ status: 'submitted', version: 1, moves: ['withdraw'] }))
          : ok(applicationDetail({ status: 'rejected', version: 2, moves: [], rejection: { code: 'credit', label: '信用状况不满足要求', text: '近一年有欠税记录' } }));
      })
      .on('POST', MOVES_PATH, fail(409, 'CONFLICT', '申请已被修改，请刷新后重试'));
    jest.spyOn(Taro, 'showModal').mockResolvedValue(CONFIRM as never);
    await renderPage(ApplicationPage);

    fireEvent.click(await screen.findByTestId('application-move-withdraw'));

    await waitFor(() => expect(Taro.showToast).toHaveBeenCalledWith({ title: '申请状态已变化，已刷新', icon: 'none' }));
    expect(screen.getByTestId('application-status').textContent).toBe('未通过');
    expect(api.callsTo('POST', MOVES_PATH)[0].body).toEqual({ action: 'withdraw', version: 1 });
    expect(api.callsTo('GET', APPLICATION_PATH)).toHaveLength(2);
    expect(moveButtons()).toEqual([]);
  });

  it('shows the offer and accepts it with the version; an approved application is not called 已放款', async () => {
    api
      .on('GET', APPLICATION_PATH, ok(applicationDetail({ status: 'approved', version: 5, offer: OFFER, moves: ['accept_offer', 'decline_offer'] })))
      .on('POST', MOVES_PATH, ok(applicationDetail({ status: 'approved', version: 6, offer: OFFER, offerAccepted: true, moves: [] })));
    const modal = jest.spyOn(Taro, 'showModal').mockResolvedValue(CONFIRM as never);
    await renderPage(ApplicationPage);

    const offer = await screen.findByTestId('application-offer');
    expect(within(offer).getByTestId('application-offer-amount').textContent).toBe('40 万元');
    expect(within(offer).getByTestId('application-offer-rate').textContent).toBe('3.85%');
    expect(within(offer).getByTestId('application-offer-term').textContent).toBe('12 个月');
    expect(screen.getByTestId('application-status').textContent).toBe('已批准（待放款）');
    expect(document.body.textContent).not.toContain('已放款');
    expect(screen.queryByTestId('application-loan')).toBeNull();

    fireEvent.click(screen.getByText('接受批复'));

    expect((await screen.findByTestId('application-offer-accepted')).textContent).toBe('您已接受批复，请等待机构办理放款。');
    expect(String(modal.mock.calls[0][0]?.content)).toContain('40 万元、年利率 3.85%、12 个月');
    expect(api.callsTo('POST', MOVES_PATH).map((c) => c.body)).toEqual([{ action: 'accept_offer', version: 5 }]);
    expect(document.body.textContent).not.toContain('已放款');
  });

  it('declines an offer after a confirm', async () => {
    api
      .on('GET', APPLICATION_PATH, ok(applicationDetail({ status: 'approved', version: 5, offer: OFFER, moves: ['accept_offer', 'decline_offer'] })))
      .on('POST', MOVES_PATH, ok(applicationDetail({ status: 'offer_declined', version: 6, offer: OFFER, moves: [] })));
    jest.spyOn(Taro, 'showModal').mockResolvedValue(CONFIRM as never);
    await renderPage(ApplicationPage);

    fireEvent.click(await screen.findByTestId('application-move-decline_offer'));

    await waitFor(() => expect(screen.getByTestId('application-status').textContent).toBe('已放弃（未接受批复）'));
    expect(api.callsTo('POST', MOVES_PATH).map((c) => c.body)).toEqual([{ action: 'decline_offer', version: 5 }]);
  });

  it('once disbursed shows the loan: amount, balance, next instalment and whether it is repaid on time, never its risk class', async () => {
    const current = loan('2026-08-20');
    api.on('GET', APPLICATION_PATH, ok(applicationDetail({ status: 'disbursed', offer: OFFER, offerAccepted: true, moves: [], loan: current })));
    await renderPage(ApplicationPage);

    const card = await screen.findByTestId('application-loan');
    expect(screen.getByTestId('application-status').textContent).toBe('已放款');
    expect(within(card).getByTestId('application-loan-status').textContent).toBe('正常还款中');
    expect(within(card).getByTestId('application-loan-amount').textContent).toBe('40 万元');
    expect(within(card).getByTestId('application-loan-balance').textContent).toBe(formatFenAsYuan(current.figures.balanceFen));
    expect(current.figures.nextDue).not.toBeNull();
    expect(within(card).getByTestId('application-loan-next').textContent).toBe(
      `${current.figures.nextDue!.dueOn} · ${formatFenAsYuan(current.figures.nextDue!.amountFen)}`,
    );
    expect(card.textContent).not.toContain('五级分类');
  });

  it('an overdue loan says 逾期, and not the class the institution files it under', async () => {
    const late = loan('2026-09-25');
    expect(late.figures.loanClass).toBe('special_mention');
    api.on('GET', APPLICATION_PATH, ok(applicationDetail({ status: 'overdue', offer: OFFER, offerAccepted: true, moves: [], loan: late })));
    await renderPage(ApplicationPage);

    const card = await screen.findByTestId('application-loan');
    expect(within(card).getByTestId('application-loan-status').textContent).toBe('逾期');
    expect(within(card).getByTestId('application-loan-overdue').textContent).toBe(formatFenAsYuan(late.figures.overdueFen));
    expect(document.body.textContent).not.toContain(LOAN_CLASS_LABELS.special_mention);
  });

  it('shows why it was rejected, and after the firm agrees, the products it was referred to', async () => {
    const rejected = applicationDetail({
      status: 'rejected',
      moves: [],
      rejection: { code: 'credit', label: '信用状况不满足要求', text: '近一年有欠税记录，建议结清后再申请' },
    });
    api
      .on('GET', APPLICATION_PATH, ok(rejected))
      .on(
        'POST',
        `${APPLICATION_PATH}/referral`,
        ok({ ...rejected, referral: { consentedAt: '2026-07-03T02:00:00.000Z', products: [{ id: '13', name: '普惠快贷', institutionName: '北京农商银行' }] } }),
      );
    await renderPage(ApplicationPage);

    expect((await screen.findByTestId('application-rejection-label')).textContent).toBe('信用状况不满足要求');
    expect(screen.getByTestId('application-rejection-text').textContent).toBe('近一年有欠税记录，建议结清后再申请');

    fireEvent.click(screen.getByText('同意推荐给其他产品'));

    const referred = await screen.findAllByTestId('application-referral-product');
    expect(referred.map((p) => p.textContent)).toEqual(['普惠快贷北京农商银行 ›']);
    expect(api.callsTo('POST', `${APPLICATION_PATH}/referral`).map((c) => c.body)).toEqual([{ consent: true }]);
    expect(screen.queryByTestId('application-referral-consent')).toBeNull();
    fireEvent.click(referred[0]);
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/finance/product/index?id=13' });
  });

  it('shows the grant, and revokes it only after a confirm that says access stops at once', async () => {
    api
      .on('GET', APPLICATION_PATH, ok(applicationDetail({ grants: [grant({ scopes: ['registration', 'credit_score', 'tax', 'social_security'] })] })))
      .on(
        'POST',
        `${APPLICATION_PATH}/revoke-grant`,
        ok(applicationDetail({ grantActive: false, grants: [grant({ status: 'revoked', revokedAt: '2026-07-02T04:00:00.000Z', revokedByName: '张三' })] })),
      );
    const modal = jest.spyOn(Taro, 'showModal').mockResolvedValueOnce(CANCEL as never);
    await renderPage(ApplicationPage);

    const card = await screen.findByTestId('application-grant');
    expect(within(card).getByTestId('application-grant-organisation').textContent).toBe('示例银行北京分行');
    expect(within(card).getByTestId('application-grant-scopes').textContent).toBe('工商登记信息、信用报告、纳税记录、社保缴纳记录');
    expect(within(card).getByTestId('application-grant-expires').textContent).toBe('2026-09-29');
    expect(within(card).getByTestId('application-grant-status').textContent).toBe('有效');

    fireEvent.click(screen.getByText('撤销授权'));
    await waitFor(() => expect(modal).toHaveBeenCalledTimes(1));
    expect(modal.mock.calls[0][0]).toMatchObject({ title: '撤销数据授权', confirmText: '确定撤销' });
    expect(String(modal.mock.calls[0][0]?.content)).toContain('示例银行北京分行将立即无法再查看本企业的数据');
    expect(api.callsTo('POST', `${APPLICATION_PATH}/revoke-grant`)).toHaveLength(0);

    modal.mockResolvedValueOnce(CONFIRM as never);
    fireEvent.click(screen.getByTestId('application-revoke-grant'));

    await waitFor(() => expect(screen.getByTestId('application-grant-status').textContent).toBe('已撤销'));
    expect(api.callsTo('POST', `${APPLICATION_PATH}/revoke-grant`)).toHaveLength(1);
    expect(screen.queryByTestId('application-revoke-grant')).toBeNull();
    expect(Taro.showToast).toHaveBeenCalledWith({ title: '授权已撤销', icon: 'success' });

    fireEvent.click(screen.getByText('谁查看了我的数据'));
    expect(Taro.navigateTo).toHaveBeenCalledWith({ url: '/subpackages/finance/access-log/index?enterpriseId=5' });
  });

  it('opens from a notification that names only the application, finding its enterprise', async () => {
    Current.router = { params: { id: '31' }, path: PAGE } as never;
    const other = applicationDetail({ enterpriseId: '6', version: 2, moves: ['withdraw'] });
    api
      .on('GET', '/api/v1/me/enterprises', ok([ENTERPRISE, { ...ENTERPRISE, id: '6', name: '北京另一家科技有限公司' }]))
      .on('GET', APPLICATION_PATH, fail(404, 'NOT_FOUND', '申请不存在或无权访问'))
      .on('GET', '/api/v1/me/enterprises/6/applications/31', ok(other))
      .on('POST', '/api/v1/me/enterprises/6/applications/31/moves', ok({ ...other, status: 'withdrawn', moves: [] }));
    jest.spyOn(Taro, 'showModal').mockResolvedValue(CONFIRM as never);
    await renderPage(ApplicationPage);

    fireEvent.click(await screen.findByTestId('application-move-withdraw'));

    await waitFor(() => expect(api.callsTo('POST', '/api/v1/me/enterprises/6/applications/31/moves')).toHaveLength(1));
    expect(api.callsTo('POST', MOVES_PATH)).toHaveLength(0);
  });
});
