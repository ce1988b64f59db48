import type { TDataSource, TIngestBatch, TRowErrorItem } from '@xyd/shared';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { findPageTitle, renderConsole } from './support/render';

const taxSource: TDataSource = {
  id: '701',
  organisationId: '10',
  organisationName: '杭州市发展和改革委员会',
  name: '杭州市纳税数据',
  keyId: 'ds_tax00001',
  categories: ['tax', 'penalty'],
  regionCodes: ['330100'],
  unknownUscc: 'reject',
  enabled: true,
  previousKeyValidUntil: null,
  rotatedAt: null,
  lastReceivedAt: null,
  createdAt: '2026-01-05T02:00:00.000Z',
};
const retiredSource: TDataSource = { ...taxSource, id: '703', name: '旧社保数据', categories: ['social_security'], enabled: false };

function batch(overrides: Partial<TIngestBatch> = {}): TIngestBatch {
  return {
    id: '801',
    sourceId: '701',
    sourceName: '杭州市纳税数据',
    category: 'tax',
    origin: 'file',
    externalBatchId: null,
    fileName: '2026年2月纳税.xlsx',
    status: 'done',
    counts: { received: 2000, accepted: 1990, duplicate: 3, superseded: 2, rejected: 4, held: 1 },
    totalRows: 2000,
    rowsDone: 2000,
    rowsPerSecond: 800,
    etaSeconds: 0,
    failureReason: null,
    createdByName: '政府用户张强',
    createdAt: '2026-03-01T02:00:00.000Z',
    startedAt: '2026-03-01T02:00:05.000Z',
    finishedAt: '2026-03-01T02:00:08.000Z',
    ...overrides,
  };
}

const rowErrors: TRowErrorItem[] = [
  { rowNumber: 7, field: 'uscc', label: '统一社会信用代码', value: '91330106MA2XXXXX1X', reason: '统一社会信用代码校验位不正确' },
  { rowNumber: 12, field: 'taxPaidFen', label: '实缴税额（元）', value: '-5', reason: '不能为负数' },
];

/** The select box of the import form's source or category picker. */
function selectBox(which: 'source' | 'category'): HTMLElement {
  const select = screen.getByTestId(`import-${which}`);
  return (select.matches('.ant-select-selector') ? select : select.querySelector('.ant-select-selector')) as HTMLElement;
}

async function pick(user: ReturnType<typeof userEvent.setup>, which: 'source' | 'category', option: string) {
  fireEvent.mouseDown(selectBox(which));
  await user.click(await screen.findByTitle(option));
}

function fileInput(): HTMLInputElement {
  return document.querySelector('input[type="file"]') as HTMLInputElement;
}

describe('credit data imports (数据导入)', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('is not offered to bank users', async () => {
    await renderConsole('/data/imports', userOf('fi_officer'));
    expect(await findPageTitle('无权访问')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/data-sources')).toHaveLength(0);
  });

  it('tells a government user whose organisation owns no source', async () => {
    api.on('GET /api/v1/data-sources', page([]));
    await renderConsole('/data/imports', userOf('gov'));
    expect(await screen.findByText('本机构暂无数据源')).toBeInTheDocument();
    // Of 数据汇聚 a government user is offered the import page only.
    expect(screen.getAllByText('数据导入').length).toBeGreaterThan(0);
    expect(screen.queryByText('数据源管理')).not.toBeInTheDocument();
    expect(screen.queryByText('数据质量')).not.toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/ingest-batches')).toHaveLength(0);
    expect(screen.queryByTestId('import-upload')).not.toBeInTheDocument();
  });

  it('offers only the chosen source’s categories, links its templates, and uploads the file for import', async () => {
    let batches: TIngestBatch[] = [];
    api.on('GET /api/v1/data-sources', page([taxSource, retiredSource]));
    api.on('GET /api/v1/ingest-batches', () => page(batches));
    api.on('POST /api/v1/ingest-batches', (req) => {
      const file = (req.body as FormData).get('file') as File;
      const created = batch({
        id: '802',
        status: 'queued',
        fileName: file.name,
        counts: { received: 0, accepted: 0, duplicate: 0, superseded: 0, rejected: 0, held: 0 },
        totalRows: null,
        rowsDone: 0,
        startedAt: null,
        finishedAt: null,
      });
      batches = [created];
      return { status: 201, body: { success: true, data: created } };
    });
    await renderConsole('/data/imports', userOf('gov'));
    expect(await findPageTitle('数据导入')).toBeInTheDocument();

    const user = userEvent.setup();
    // The only enabled source is chosen already; the disabled one cannot be picked.
    await waitFor(() => expect(selectBox('source')).toHaveTextContent('杭州市纳税数据'));
    fireEvent.mouseDown(selectBox('source'));
    const retired = await screen.findByTitle('旧社保数据（已停用）');
    expect(retired.closest('.ant-select-item')).toHaveClass('ant-select-item-option-disabled');
    fireEvent.keyDown(selectBox('source'), { key: 'Escape' });

    expect(screen.getByTestId('template-csv')).not.toHaveAttribute('href');
    fireEvent.mouseDown(selectBox('category'));
    expect(await screen.findByTitle('纳税')).toBeInTheDocument();
    expect(screen.getByTitle('行政处罚')).toBeInTheDocument();
    expect(screen.queryByTitle('社会保险')).not.toBeInTheDocument();
    await user.click(screen.getByTitle('纳税'));

    await waitFor(() => expect(screen.getByTestId('template-csv')).toHaveAttribute('href', '/api/v1/credit-data/templates/tax?format=csv'));
    expect(screen.getByTestId('template-xlsx')).toHaveAttribute('href', '/api/v1/credit-data/templates/tax?format=xlsx');

    await user.upload(fileInput(), new File(['统一社会信用代码,所属期\n'], '纳税.csv', { type: 'text/csv' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/ingest-batches')).toHaveLength(1));
    const form = api.callsTo('POST /api/v1/ingest-batches')[0].body as FormData;
    expect(form.get('sourceId')).toBe('701');
    expect(form.get('category')).toBe('tax');
    expect((form.get('file') as File).name).toBe('纳税.csv');
    expect(api.callsTo('POST /api/v1/ingest-batches')[0].headers['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);

    expect(await screen.findByText('已提交“纳税.csv”，正在排队导入')).toBeInTheDocument();
    const row = await screen.findByTestId('batch-row');
    expect(within(row).getByTestId('batch-status')).toHaveTextContent('排队中');
  });

  it('refuses a file it cannot import before sending it', async () => {
    api.on('GET /api/v1/data-sources', page([taxSource]));
    api.on('GET /api/v1/ingest-batches', page([]));
    await renderConsole('/data/imports', userOf('platform_admin'));
    await findPageTitle('数据导入');

    const user = userEvent.setup({ applyAccept: false });
    await pick(user, 'category', '行政处罚');
    await user.upload(fileInput(), new File(['x'], '处罚.xls'));
    expect(await screen.findByText('不支持 .xls 格式，请在 Excel 中另存为 .xlsx 后再上传')).toBeInTheDocument();
    await user.upload(fileInput(), new File(['x'], '处罚.pdf'));
    expect(await screen.findByText('只能上传 CSV 或 XLSX 文件')).toBeInTheDocument();
    await user.upload(fileInput(), new File([], '处罚.csv'));
    expect(await screen.findByText('文件是空的')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/ingest-batches')).toHaveLength(0);
  });

  it('shows progress while a batch runs, polls until it is done, then stops polling', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    const running = batch({ status: 'running', rowsDone: 500, totalRows: 2000, rowsPerSecond: 250, etaSeconds: 6, finishedAt: null });
    let answers = 0;
    api.on('GET /api/v1/data-sources', page([taxSource]));
    api.on('GET /api/v1/ingest-batches', () => {
      answers += 1;
      return page([answers === 1 ? running : batch()]);
    });
    await renderConsole('/data/imports', userOf('gov'));

    const progress = await screen.findByTestId('batch-progress');
    expect(within(progress).getByTestId('batch-status')).toHaveTextContent('导入中');
    expect(within(progress).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '25');
    expect(within(progress).getByTestId('batch-progress-text')).toHaveTextContent('500 / 2,000 行 · 250 行/秒 · 剩余约 6 秒');

    // The next poll finds it done.
    await waitFor(() => expect(screen.getByTestId('batch-row')).toHaveAttribute('data-status', 'done'));
    expect(within(screen.getByTestId('batch-row')).getByTestId('batch-status')).toHaveTextContent('已完成');
    // A finished import keeps its bar, full.
    expect(within(screen.getByTestId('batch-row')).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
    const asked = api.callsTo('GET /api/v1/ingest-batches').length;

    // Nothing is queued or running any more: a minute later it has not asked again.
    await act(async () => {
      jest.advanceTimersByTime(60_000);
    });
    expect(api.callsTo('GET /api/v1/ingest-batches')).toHaveLength(asked);
  });

  it('opens a batch: counts, failure reason, first row errors and the error report downloads', async () => {
    const failed = batch({ status: 'failed', failureReason: '文件第 1 行缺少必填列：所属期', counts: { received: 30, accepted: 20, duplicate: 1, superseded: 2, rejected: 5, held: 2 } });
    api.on('GET /api/v1/data-sources', page([taxSource]));
    api.on('GET /api/v1/ingest-batches', page([failed]));
    api.on('GET /api/v1/ingest-batches/:id', (req) => ok({ ...failed, id: req.params.id }));
    api.on('GET /api/v1/ingest-batches/:id/errors', page(rowErrors, 45));
    await renderConsole('/data/imports', userOf('platform_admin'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('batch-detail-open'));
    const detail = await screen.findByTestId('batch-detail');
    expect(within(detail).getByTestId('batch-count-received')).toHaveTextContent('30');
    expect(within(detail).getByTestId('batch-count-accepted')).toHaveTextContent('20');
    expect(within(detail).getByTestId('batch-count-superseded')).toHaveTextContent('2');
    expect(within(detail).getByTestId('batch-count-duplicate')).toHaveTextContent('1');
    expect(within(detail).getByTestId('batch-count-held')).toHaveTextContent('2');
    expect(within(detail).getByTestId('batch-count-rejected')).toHaveTextContent('5');
    expect(within(detail).getByTestId('batch-failure')).toHaveTextContent('文件第 1 行缺少必填列：所属期');

    const errors = await within(detail).findAllByTestId('row-error');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toHaveTextContent('7');
    expect(errors[0]).toHaveTextContent('统一社会信用代码');
    expect(errors[0]).toHaveTextContent('91330106MA2XXXXX1X');
    expect(errors[0]).toHaveTextContent('统一社会信用代码校验位不正确');
    expect(within(detail).getByText('逐行错误（共 45 条，显示前 20 条）')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/ingest-batches/801/errors')[0].query).toMatchObject({ current: '1', pageSize: '20' });

    expect(within(detail).getByTestId('error-report-csv')).toHaveAttribute('href', '/api/v1/ingest-batches/801/error-report?format=csv');
    expect(within(detail).getByTestId('error-report-csv')).toHaveTextContent('下载错误报告（CSV）');
    expect(within(detail).getByTestId('error-report-xlsx')).toHaveAttribute('href', '/api/v1/ingest-batches/801/error-report?format=xlsx');
  });

  it('follows a running batch in its detail until it is done, then reads its row errors again', async () => {
    jest.useFakeTimers({ advanceTimers: true });
    const running = batch({ status: 'running', rowsDone: 1000, totalRows: 2000, rowsPerSecond: 500, etaSeconds: 2, finishedAt: null });
    let detailAnswers = 0;
    api.on('GET /api/v1/data-sources', page([taxSource]));
    api.on('GET /api/v1/ingest-batches', page([batch()]));
    api.on('GET /api/v1/ingest-batches/:id', () => {
      detailAnswers += 1;
      return ok(detailAnswers === 1 ? running : batch());
    });
    api.on('GET /api/v1/ingest-batches/:id/errors', () => (detailAnswers > 1 ? page(rowErrors) : page([], 0)));
    await renderConsole('/data/imports', userOf('platform_admin'));

    await userEvent.setup({ advanceTimers: jest.advanceTimersByTime }).click(await screen.findByTestId('batch-detail-open'));
    const detail = await screen.findByTestId('batch-detail');
    expect(within(detail).getByTestId('batch-progress-text')).toHaveTextContent('1,000 / 2,000 行 · 500 行/秒 · 剩余约 2 秒');
    expect(within(detail).getByText('没有错误行')).toBeInTheDocument();

    await waitFor(() => expect(within(detail).getByTestId('batch-status')).toHaveTextContent('已完成'));
    expect(await within(detail).findAllByTestId('row-error')).toHaveLength(2);
    const asked = api.callsTo('GET /api/v1/ingest-batches/801').length;
    await act(async () => {
      jest.advanceTimersByTime(60_000);
    });
    expect(api.callsTo('GET /api/v1/ingest-batches/801')).toHaveLength(asked);
  });

  it('filters batches by source, category and status', async () => {
    api.on('GET /api/v1/data-sources', page([taxSource]));
    api.on('GET /api/v1/ingest-batches', page([batch()]));
    await renderConsole('/data/imports', userOf('platform_admin'));
    await screen.findByTestId('batch-row');

    const user = userEvent.setup();
    const filters = document.querySelector('.ant-pro-table-search') as HTMLElement;
    const filterBox = (label: string) =>
      (within(filters).getByText(label, { selector: 'label' }).closest('.ant-form-item') as HTMLElement).querySelector('.ant-select-selector') as HTMLElement;
    fireEvent.mouseDown(filterBox('状态'));
    await user.click(await screen.findByTitle('失败'));
    await user.click(within(filters).getByRole('button', { name: /查\s?询/ }));
    await waitFor(() => expect(api.callsTo('GET /api/v1/ingest-batches').at(-1)!.query).toMatchObject({ status: 'failed' }));
  });
});
