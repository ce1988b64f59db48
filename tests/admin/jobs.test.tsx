import type { TJob, TJobSummary } from '@xyd/shared';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, fail, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { findPageTitle, renderConsole } from './support/render';

const summary: TJobSummary = {
  queues: [
    { type: 'outbox.dispatch', pending: 2, running: 1, done: 340, failed: 1, lastFinishedAt: '2025-03-01T02:00:00.000Z', schedule: '*/10 * * * * *' },
    { type: 'audit.verify', pending: 0, running: 0, done: 12, failed: 0, lastFinishedAt: '2025-03-01T01:00:00.000Z', schedule: '0 * * * *' },
  ],
};

const failedJob: TJob = {
  id: '9001',
  type: 'outbox.dispatch',
  status: 'failed',
  payload: { messageId: '77' },
  runAt: '2025-03-01T01:59:00.000Z',
  attempts: 5,
  maxAttempts: 5,
  lastError: 'subscribeMessage.send: 47003 argument invalid',
  leaseOwner: null,
  leaseUntil: null,
  startedAt: '2025-03-01T01:59:01.000Z',
  finishedAt: '2025-03-01T01:59:02.000Z',
  createdAt: '2025-03-01T01:00:00.000Z',
};

const runningJob: TJob = {
  ...failedJob,
  id: '9002',
  status: 'running',
  attempts: 1,
  lastError: null,
  leaseOwner: 'worker-2',
  leaseUntil: '2025-03-01T02:01:00.000Z',
  finishedAt: null,
};

describe('job queues (任务队列)', () => {
  it('is a platform admin page', async () => {
    api.on('GET /api/v1/workbench', ok({ cards: [] }));
    await renderConsole('/platform/jobs', userOf('advisor'));
    expect(await findPageTitle('无权访问')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/jobs/summary')).toHaveLength(0);
    expect(api.callsTo('GET /api/v1/jobs')).toHaveLength(0);
  });

  it('shows each queue and the jobs, with the error of a failed one', async () => {
    api.on('GET /api/v1/jobs/summary', ok(summary));
    api.on('GET /api/v1/jobs', page([failedJob, runningJob]));
    await renderConsole('/platform/jobs', userOf('platform_admin'));

    expect(await findPageTitle('任务队列')).toBeInTheDocument();
    const queues = await screen.findAllByTestId('queue-row');
    expect(queues).toHaveLength(2);
    expect(queues[0]).toHaveTextContent('outbox.dispatch');
    expect(queues[0]).toHaveTextContent('340');
    expect(queues[0]).toHaveTextContent('*/10 * * * * *');

    const rows = await screen.findAllByTestId('job-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByTestId('job-error')).toHaveTextContent('47003 argument invalid');
    expect(within(rows[0]).getByText('已失败')).toBeInTheDocument();
    expect(rows[0]).toHaveTextContent('5 / 5');
    expect(within(rows[1]).getByText('运行中')).toBeInTheDocument();
    expect(rows[1]).toHaveTextContent('worker-2');
    // Only a failed job can be retried.
    expect(within(rows[0]).getByTestId('job-retry')).toBeInTheDocument();
    expect(within(rows[1]).queryByTestId('job-retry')).not.toBeInTheDocument();
  });

  it('filters by status and type: a failed count in the summary opens that queue’s failed jobs', async () => {
    api.on('GET /api/v1/jobs/summary', ok(summary));
    api.on('GET /api/v1/jobs', (req) => page(req.query.status === 'failed' ? [failedJob] : [failedJob, runningJob]));
    await renderConsole('/platform/jobs', userOf('platform_admin'));
    await screen.findAllByTestId('job-row');

    const user = userEvent.setup();
    const outbox = (await screen.findAllByTestId('queue-row'))[0];
    await user.click(within(outbox).getByTestId('queue-failed'));

    await waitFor(() =>
      expect(api.callsTo('GET /api/v1/jobs').at(-1)!.query).toMatchObject({ status: 'failed', type: 'outbox.dispatch', current: '1', pageSize: '20' }),
    );
    await waitFor(() => expect(screen.getAllByTestId('job-row')).toHaveLength(1));
  });

  it('重试 puts a failed job back, with an Idempotency-Key, and refreshes', async () => {
    let job: TJob = failedJob;
    api.on('GET /api/v1/jobs/summary', ok(summary));
    api.on('GET /api/v1/jobs', () => page([job]));
    api.on('POST /api/v1/jobs/:id/retry', (req) => {
      job = { ...failedJob, id: req.params.id, status: 'pending', attempts: 0, lastError: null };
      return ok(job);
    });
    await renderConsole('/platform/jobs', userOf('platform_admin'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('job-retry'));
    await waitFor(() => expect(screen.getByTestId('job-row')).toHaveAttribute('data-status', 'pending'));
    const sent = api.callsTo('POST /api/v1/jobs/9001/retry');
    expect(sent).toHaveLength(1);
    expect(sent[0].headers['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);
    expect(screen.queryByTestId('job-retry')).not.toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/jobs/summary').length).toBeGreaterThanOrEqual(2);
  });

  it('shows why a retry was refused', async () => {
    api.on('GET /api/v1/jobs/summary', ok(summary));
    api.on('GET /api/v1/jobs', page([failedJob]));
    api.on('POST /api/v1/jobs/:id/retry', fail(409, 'CONFLICT', '该任务不是失败状态，无法重试'));
    await renderConsole('/platform/jobs', userOf('platform_admin'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('job-retry'));
    expect(await screen.findByText('该任务不是失败状态，无法重试')).toBeInTheDocument();
  });
});
