import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import Taro from '@tarojs/taro';
import VerificationProgress from '../../miniapp/src/subpackages/enterprise/progress/index';
import { FakeApi, fail, ok } from './support/fake-api';
import { verification } from './support/fixtures';
import { firePageLifecycle, renderPage } from './support/page';

const MINE = '/api/v1/verifications/mine';

describe('verification progress', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    jest.spyOn(Taro, 'redirectTo').mockResolvedValue({ errMsg: 'redirectTo:ok' });
  });

  it('shows a pending request as under review', async () => {
    api.on('GET', MINE, ok([verification({ status: 'pending' })]));
    await renderPage(VerificationProgress);

    const status = await screen.findByTestId('verification-status');
    expect(status.textContent).toBe('审核中');
    expect(status.getAttribute('data-status')).toBe('pending');
    expect(screen.getByTestId('verification-latest').textContent).toContain('911101********399G');
    expect(screen.queryByTestId('verification-reason')).toBeNull();
  });

  it('shows an approved request', async () => {
    api.on('GET', MINE, ok([verification({ status: 'approved', reviewedAt: '2025-11-21T06:30:00.000Z' })]));
    await renderPage(VerificationProgress);

    const status = await screen.findByTestId('verification-status');
    expect(status.getAttribute('data-status')).toBe('approved');
    expect(status.textContent).toBe('已通过');
    // Times are shown in Beijing time.
    expect(screen.getByTestId('verification-latest').textContent).toContain('审核时间：2025-11-21 14:30');
  });

  it('shows a rejected request with its reason and offers to submit again', async () => {
    api.on(
      'GET',
      MINE,
      ok([verification({ status: 'rejected', rejectReason: '营业执照照片不清晰', reviewedAt: '2025-11-21T06:30:00.000Z' })]),
    );
    await renderPage(VerificationProgress);

    expect((await screen.findByTestId('verification-status')).getAttribute('data-status')).toBe('rejected');
    expect(screen.getByTestId('verification-reason').textContent).toBe('驳回原因：营业执照照片不清晰');

    fireEvent.click(screen.getByTestId('verification-resubmit'));
    // The bind form prefills itself from this request.
    expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/subpackages/enterprise/bind/index?resubmit=1' });
  });

  it('puts the newest request first and lists the earlier ones', async () => {
    api.on(
      'GET',
      MINE,
      ok([
        verification({ id: '1', status: 'rejected', rejectReason: '信息不符', createdAt: '2025-11-01T00:00:00.000Z' }),
        verification({ id: '2', status: 'pending', createdAt: '2025-11-10T00:00:00.000Z' }),
      ]),
    );
    await renderPage(VerificationProgress);

    expect((await screen.findByTestId('verification-status')).getAttribute('data-status')).toBe('pending');
    const history = screen.getAllByTestId('verification-history-item');
    expect(history).toHaveLength(1);
    expect(within(history[0]).getByText('已驳回')).toBeTruthy();
  });

  it('invites binding when nothing was submitted', async () => {
    api.on('GET', MINE, ok([]));
    await renderPage(VerificationProgress);

    expect(await screen.findByTestId('verification-empty')).toBeTruthy();
  });

  it('shows a load error with a retry that loads again', async () => {
    api.on('GET', MINE, fail(500, 'INTERNAL', '服务器开小差了'));
    await renderPage(VerificationProgress);
    expect((await screen.findByTestId('page-error')).textContent).toContain('服务器开小差了');

    api.on('GET', MINE, ok([verification({ status: 'approved' })]));
    fireEvent.click(screen.getByText('重试'));

    expect((await screen.findByTestId('verification-status')).getAttribute('data-status')).toBe('approved');
  });

  it('refreshes each time the page is shown again', async () => {
    api.on('GET', MINE, ok([verification({ status: 'pending' })]));
    await renderPage(VerificationProgress);
    await screen.findByTestId('verification-status');

    api.on('GET', MINE, ok([verification({ status: 'approved' })]));
    await firePageLifecycle('componentDidShow');

    await waitFor(() => expect(screen.getByTestId('verification-status').getAttribute('data-status')).toBe('approved'));
    expect(api.callsTo('GET', MINE)).toHaveLength(2);
  });
});
