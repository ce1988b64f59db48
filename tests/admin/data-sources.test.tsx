import type { TAdminRole, TDataSource, TDataSourceWithSecret, TOrganisation } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import access from '@/access';
import { api, fail, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

const taxSource: TDataSource = {
  id: '701',
  organisationId: '40',
  organisationName: '杭州市税务局',
  name: '杭州市纳税数据',
  keyId: 'ds_tax00001',
  categories: ['tax', 'penalty'],
  regionCodes: ['330100'],
  unknownUscc: 'hold',
  enabled: true,
  previousKeyValidUntil: null,
  rotatedAt: null,
  lastReceivedAt: '2026-03-01T02:00:00.000Z',
  createdAt: '2026-01-05T02:00:00.000Z',
};
const waterSource: TDataSource = {
  ...taxSource,
  id: '702',
  organisationId: '41',
  organisationName: '杭州水务集团',
  name: '杭州水务用水数据',
  keyId: 'ds_water001',
  categories: ['utility'],
  regionCodes: ['330102', '330106'],
  unknownUscc: 'reject',
  enabled: false,
  lastReceivedAt: null,
};

const taxBureau: TOrganisation = {
  id: '40',
  name: '杭州市税务局',
  type: 'government',
  regionCode: '330100',
  regionName: '浙江省杭州市',
  disabled: false,
  userCount: 2,
  createdAt: '2025-01-01T00:00:00.000Z',
};

const SECRET = 'dsk_9Fq2Lm7Xc4Vb1Nz8Rt5Yw3Pa6Sd0Gh';

function rowOf(name: string) {
  return screen.getAllByTestId('source-row').find((row) => row.textContent?.includes(name))!;
}

/** The select box (antd Select) of the form item labelled `label`. */
function selectBox(container: HTMLElement, label: string): HTMLElement {
  const item = within(container).getByText(label, { selector: 'label' }).closest('.ant-form-item') as HTMLElement;
  return item.querySelector('.ant-select-selector') as HTMLElement;
}

describe('access flags of data aggregation (数据汇聚)', () => {
  const table: [TAdminRole, boolean, boolean][] = [
    ['platform_admin', true, true],
    ['gov', false, true],
    ['advisor', false, false],
    ['fi_admin', false, false],
    ['fi_officer', false, false],
    ['agency', false, false],
  ];
  it.each(table)('%s: manage sources %s, import files %s', (role, manage, importData) => {
    const flags = access({ currentUser: userOf(role) });
    expect(flags.canManageDataSources).toBe(manage);
    expect(flags.canImportData).toBe(importData);
  });

  it('grants neither when nobody is signed in', () => {
    expect(access(undefined)).toMatchObject({ canManageDataSources: false, canImportData: false });
  });
});

describe('data sources (数据源管理)', () => {
  it('is for platform administrators only', async () => {
    api.on('GET /api/v1/data-sources', page([taxSource]));
    await renderConsole('/data/sources', userOf('gov'));
    expect(await findPageTitle('无权访问')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/data-sources')).toHaveLength(0);
  });

  it('lists the sources with their organisation, categories, regions, state, key and last receipt', async () => {
    api.on('GET /api/v1/data-sources', page([taxSource, waterSource]));
    await renderConsole('/data/sources', userOf('platform_admin'));

    expect(await findPageTitle('数据源管理')).toBeInTheDocument();
    expect(await screen.findAllByTestId('source-row')).toHaveLength(2);
    // The menu groups the three pages under 数据汇聚.
    expect(screen.getAllByText('数据汇聚').length).toBeGreaterThan(0);

    const tax = rowOf('杭州市纳税数据');
    expect(tax).toHaveTextContent('杭州市税务局');
    expect(tax).toHaveTextContent('纳税');
    expect(tax).toHaveTextContent('行政处罚');
    expect(tax).toHaveTextContent('330100');
    expect(tax).toHaveTextContent('暂存，企业登记后入库');
    expect(tax).toHaveTextContent('ds_tax00001');
    expect(tax).toHaveTextContent('2026-03-01 10:00:00');
    expect(within(tax).getByTestId('source-status')).toHaveTextContent('启用');
    expect(within(tax).getByTestId('source-toggle')).toHaveTextContent('停用');

    const water = rowOf('杭州水务用水数据');
    expect(water).toHaveTextContent('水电气');
    expect(water).toHaveTextContent('330102');
    expect(water).toHaveTextContent('330106');
    expect(water).toHaveTextContent('拒收并说明原因');
    expect(water).toHaveTextContent('尚未接收');
    expect(within(water).getByTestId('source-status')).toHaveTextContent('已停用');
    expect(within(water).getByTestId('source-toggle')).toHaveTextContent('启用');
  });

  it('新建数据源 checks region codes before sending, then sends the form and shows the secret once', async () => {
    let sources: TDataSource[] = [];
    api.on('GET /api/v1/data-sources', () => page(sources));
    api.on('GET /api/v1/organisations', page([taxBureau]));
    api.on('POST /api/v1/data-sources', (req) => {
      const source: TDataSource = { ...taxSource, ...req.body, organisationName: '杭州市税务局', lastReceivedAt: null };
      sources = [source];
      const issued: TDataSourceWithSecret = { source, secret: SECRET };
      return { status: 201, body: { success: true, data: issued } };
    });
    await renderConsole('/data/sources', userOf('platform_admin'));
    await findPageTitle('数据源管理');

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('source-create'));
    const dialog = await screen.findByRole('dialog');
    fireEvent.mouseDown(selectBox(dialog, '所属机构'));
    await user.click(await screen.findByTitle('杭州市税务局（政府部门）'));
    fillIn(within(dialog).getByLabelText('数据源名称'), '  杭州市纳税数据 ');
    await user.click(within(dialog).getByLabelText('纳税'));
    await user.click(within(dialog).getByLabelText('行政处罚'));
    await user.click(within(dialog).getByLabelText('暂存，企业登记后入库'));

    const regions = selectBox(dialog, '覆盖区域').querySelector('input') as HTMLInputElement;
    await user.type(regions, '3301{enter}');
    await user.click(within(dialog).getByRole('button', { name: '确定' }));
    expect(await within(dialog).findByText('“3301”不是 6 位行政区划代码')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/data-sources')).toHaveLength(0);

    // Remove the bad code, enter a good one.
    await user.click(within(dialog).getByText('3301').closest('.ant-select-selection-item')!.querySelector('.ant-select-selection-item-remove')!);
    await user.type(regions, '330100{enter}');
    await user.click(within(dialog).getByRole('button', { name: '确定' }));

    const modal = await screen.findByTestId('secret-modal');
    expect(within(modal).getByTestId('secret-value')).toHaveTextContent(SECRET);
    expect(within(modal).getByTestId('secret-key-id')).toHaveTextContent('ds_tax00001');
    expect(within(modal).getByTestId('secret-warning')).toHaveTextContent('请立即复制并妥善保存，关闭后将无法再次查看');
    expect(within(modal).getByRole('button', { name: /复制密钥/ })).toBeInTheDocument();
    expect(within(modal).getByTestId('secret-usage')).toHaveTextContent('X-Signature');

    const sent = api.callsTo('POST /api/v1/data-sources');
    expect(sent).toHaveLength(1);
    expect(sent[0].body).toEqual({
      organisationId: '40',
      name: '杭州市纳税数据',
      categories: ['penalty', 'tax'],
      regionCodes: ['330100'],
      unknownUscc: 'hold',
    });

    await waitFor(() => expect(screen.getAllByTestId('source-row')).toHaveLength(1));
    await user.click(screen.getByTestId('secret-close'));
    await waitFor(() => expect(screen.queryByText(SECRET)).not.toBeInTheDocument());
  });

  it('shows the server’s reason when it refuses a new source', async () => {
    api.on('GET /api/v1/data-sources', page([]));
    api.on('GET /api/v1/organisations', page([taxBureau]));
    api.on('POST /api/v1/data-sources', fail(400, 'VALIDATION_FAILED', '覆盖区域不在所属机构的管辖范围内'));
    await renderConsole('/data/sources', userOf('platform_admin'));
    await findPageTitle('数据源管理');

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('source-create'));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: '确定' }));
    // Nothing is sent while required fields are missing.
    expect(await within(dialog).findByText('请选择所属机构')).toBeInTheDocument();
    expect(within(dialog).getByText('请输入数据源名称')).toBeInTheDocument();
    expect(within(dialog).getByText('至少选择一个数据类别')).toBeInTheDocument();
    expect(within(dialog).getByText('至少填写一个覆盖区域')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/data-sources')).toHaveLength(0);

    fireEvent.mouseDown(selectBox(dialog, '所属机构'));
    await user.click(await screen.findByTitle('杭州市税务局（政府部门）'));
    fillIn(within(dialog).getByLabelText('数据源名称'), '纳税数据');
    await user.click(within(dialog).getByLabelText('纳税'));
    await user.type(selectBox(dialog, '覆盖区域').querySelector('input')!, '320100{enter}');
    await user.click(within(dialog).getByRole('button', { name: '确定' }));

    expect(await screen.findByText('覆盖区域不在所属机构的管辖范围内')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/data-sources')).toHaveLength(1);
    expect(screen.queryByTestId('secret-modal')).not.toBeInTheDocument();
  });

  it('编辑 sends only what changed, and nothing for the same categories in another order', async () => {
    let source = taxSource;
    api.on('GET /api/v1/data-sources', () => page([source]));
    api.on('PATCH /api/v1/data-sources/:id', (req) => {
      source = { ...source, ...req.body };
      return ok(source);
    });
    await renderConsole('/data/sources', userOf('platform_admin'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('source-edit'));
    let dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByLabelText('数据源名称')).toHaveValue('杭州市纳税数据');
    expect(within(dialog).getByLabelText('纳税')).toBeChecked();
    expect(within(dialog).queryByText('所属机构')).not.toBeInTheDocument();
    // Unticking and ticking again leaves the set as it was (in another order): nothing to send.
    await user.click(within(dialog).getByLabelText('纳税'));
    await user.click(within(dialog).getByLabelText('纳税'));
    await user.click(within(dialog).getByRole('button', { name: '确定' }));
    expect(await screen.findByText('未做修改')).toBeInTheDocument();
    expect(api.callsTo('PATCH /api/v1/data-sources/701')).toHaveLength(0);

    await user.click(await screen.findByTestId('source-edit'));
    dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByLabelText('行政处罚'));
    await user.click(within(dialog).getByLabelText('社会保险'));
    await user.click(within(dialog).getByRole('button', { name: '确定' }));

    await waitFor(() => expect(api.callsTo('PATCH /api/v1/data-sources/701')).toHaveLength(1));
    expect(api.callsTo('PATCH /api/v1/data-sources/701')[0].body).toEqual({ categories: ['tax', 'social_security'] });
    await waitFor(() => expect(rowOf('杭州市纳税数据')).toHaveTextContent('社会保险'));
    expect(rowOf('杭州市纳税数据')).not.toHaveTextContent('行政处罚');
  });

  it('停用 and 启用 ask for confirmation first', async () => {
    let source = taxSource;
    api.on('GET /api/v1/data-sources', () => page([source]));
    api.on('PATCH /api/v1/data-sources/:id', (req) => {
      source = { ...source, ...req.body };
      return ok(source);
    });
    await renderConsole('/data/sources', userOf('platform_admin'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('source-toggle'));
    expect(await screen.findByText('停用 杭州市纳税数据？')).toBeInTheDocument();
    expect(api.callsTo('PATCH /api/v1/data-sources/701')).toHaveLength(0);
    await user.click(screen.getByTestId('source-toggle-confirm'));

    await waitFor(() => expect(screen.getByTestId('source-row')).toHaveAttribute('data-enabled', 'false'));
    expect(api.callsTo('PATCH /api/v1/data-sources/701')[0].body).toEqual({ enabled: false });
    expect(within(screen.getByTestId('source-row')).getByTestId('source-status')).toHaveTextContent('已停用');

    await user.click(within(screen.getByTestId('source-row')).getByTestId('source-toggle'));
    expect(await screen.findByText('启用 杭州市纳税数据？')).toBeInTheDocument();
    const confirms = await screen.findAllByTestId('source-toggle-confirm');
    await user.click(confirms[confirms.length - 1]);
    await waitFor(() => expect(screen.getByTestId('source-row')).toHaveAttribute('data-enabled', 'true'));
    expect(api.callsTo('PATCH /api/v1/data-sources/701')[1].body).toEqual({ enabled: true });
  });

  it('轮换密钥 warns, sends the grace period, and shows the new secret with until when the old key works', async () => {
    const graceUntil = '2026-03-02T04:00:00.000Z';
    let source = taxSource;
    api.on('GET /api/v1/data-sources', () => page([source]));
    api.on('POST /api/v1/data-sources/:id/rotate', (req) => {
      source = { ...taxSource, previousKeyValidUntil: req.body.graceHours > 0 ? graceUntil : null, rotatedAt: '2026-03-01T04:00:00.000Z' };
      return ok({ source, secret: SECRET });
    });
    await renderConsole('/data/sources', userOf('platform_admin'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('source-rotate'));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByTestId('rotate-warning')).toHaveTextContent('新密钥只显示一次');
    const grace = within(dialog).getByLabelText('旧密钥宽限期（小时）');
    expect(grace).toHaveValue('24');
    await user.clear(grace);
    await user.type(grace, '48');
    await user.click(within(dialog).getByRole('button', { name: '确认轮换' }));

    const modal = await screen.findByTestId('secret-modal');
    expect(within(modal).getByTestId('secret-value')).toHaveTextContent(SECRET);
    expect(within(modal).getByTestId('secret-previous')).toHaveTextContent('旧密钥在 2026-03-02 12:00:00 前仍可使用');
    expect(api.callsTo('POST /api/v1/data-sources/701/rotate')[0].body).toEqual({ graceHours: 48 });
  });
});
