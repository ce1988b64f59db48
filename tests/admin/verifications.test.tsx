import type { TVerification, TVerificationDetail } from '@xyd/shared';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, fail, ok, page } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

const pending: TVerification = {
  id: '7',
  uscc: '91330106MA2XXXXX1L',
  enterpriseName: '杭州青禾农业科技有限公司',
  legalRepName: '王芳',
  legalRepIdMasked: '330106********1234',
  applicantRole: 'owner',
  applicantName: '王芳',
  regionCode: '330106',
  status: 'pending',
  rejectReason: null,
  reviewerName: null,
  reviewedAt: null,
  createdAt: '2025-03-01T01:30:00.000Z',
};

function detailOf(overrides: Partial<TVerificationDetail> = {}): TVerificationDetail {
  return {
    ...pending,
    licenceMime: 'image/png',
    registration: {
      enterpriseId: '42',
      uscc: pending.uscc,
      name: '杭州青禾农业科技有限公司',
      legalRepName: '王小芳',
      legalRepIdMasked: '330106********1234',
      regionName: '浙江省杭州市西湖区',
      status: 'active',
      existingOwners: [],
    },
    checks: { enterpriseRegistered: true, nameMatches: true, legalRepNameMatches: false, legalRepIdMatches: true },
    ...overrides,
  };
}

describe('enterprise verification queue', () => {
  it('lists pending requests by default, one row per request', async () => {
    api.on('GET /api/v1/verifications', page([pending, { ...pending, id: '8', enterpriseName: '杭州云栖制造有限公司' }], 2));
    await renderConsole('/verifications', userOf('advisor'));

    expect(await findPageTitle('企业认证审核')).toBeInTheDocument();
    const rows = await screen.findAllByTestId('verification-row');
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByText('杭州青禾农业科技有限公司')).toBeInTheDocument();
    expect(within(rows[0]).getByText('审核中')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/verifications')[0].query).toMatchObject({ status: 'pending', current: '1', pageSize: '20' });
  });

  it('is not offered to roles without the review permission', async () => {
    api.on('GET /api/v1/workbench', ok({ cards: [] }));
    await renderConsole('/verifications', userOf('fi_officer'));
    expect(await findPageTitle('无权访问')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/verifications')).toHaveLength(0);
  });
});

describe('verification review', () => {
  it('shows the licence and the applicant data beside the registration data, highlighting mismatches', async () => {
    api.on('GET /api/v1/verifications/:id', ok(detailOf()));
    await renderConsole('/verifications/7', userOf('advisor'));

    expect(await findPageTitle('认证详情')).toBeInTheDocument();
    const licence = await screen.findByAltText('营业执照');
    expect(licence).toHaveAttribute('src', '/api/v1/verifications/7/licence');

    const legalRep = screen.getByTestId('compare-legalRepName');
    expect(legalRep).toHaveAttribute('data-mismatch', 'true');
    expect(within(legalRep).getByText('王芳')).toBeInTheDocument();
    expect(within(legalRep).getByText('王小芳')).toBeInTheDocument();
    expect(within(legalRep).getByText('不一致')).toBeInTheDocument();
    expect(screen.getByTestId('compare-name')).toHaveAttribute('data-mismatch', 'false');
    expect(screen.getByTestId('mismatch-summary')).toHaveTextContent('有 1 处不一致');
  });

  it('warns when the enterprise is not in the registration data', async () => {
    api.on(
      'GET /api/v1/verifications/:id',
      ok(detailOf({ registration: null, checks: { enterpriseRegistered: false, nameMatches: false, legalRepNameMatches: false, legalRepIdMatches: false } })),
    );
    await renderConsole('/verifications/7', userOf('advisor'));
    expect(await screen.findByTestId('registration-missing')).toBeInTheDocument();
    expect(screen.getAllByText('无登记信息')).toHaveLength(4);
  });

  it('approves only after confirming: 通过 asks first, 确认通过 calls the server and the page shows the new status', async () => {
    let status: TVerification['status'] = 'pending';
    api.on('GET /api/v1/verifications/:id', () => ok(detailOf({ status, reviewerName: status === 'approved' ? '顾问李敏' : null })));
    api.on('POST /api/v1/verifications/:id/approve', (req) => {
      status = 'approved';
      return ok({ ...pending, id: req.params.id, status });
    });
    await renderConsole('/verifications/7', userOf('advisor'));

    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: '通过' }));

    const confirm = await screen.findByTestId('approve-confirm');
    expect(confirm).toHaveTextContent('王芳将以法定代表人身份绑定「杭州青禾农业科技有限公司」');
    // The legal representative's name differs from the registration: said again where the decision is taken.
    expect(within(confirm).getByText('申请信息与登记信息有 1 处不一致。')).toBeInTheDocument();
    expect(within(confirm).queryByText(/已有法定代表人账号/)).not.toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/verifications/7/approve')).toHaveLength(0);

    await user.click(screen.getByRole('button', { name: '确认通过' }));
    await waitFor(() => expect(screen.getByTestId('verification-status')).toHaveTextContent('已通过'));
    expect(api.callsTo('POST /api/v1/verifications/7/approve')).toHaveLength(1);
    expect(screen.queryByTestId('approve-button')).not.toBeInTheDocument();
  });

  it('cancelling the confirmation approves nothing', async () => {
    api.on('GET /api/v1/verifications/:id', ok(detailOf()));
    api.on('POST /api/v1/verifications/:id/approve', ok({ ...pending, status: 'approved' }));
    await renderConsole('/verifications/7', userOf('advisor'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('approve-button'));
    await screen.findByTestId('approve-confirm');
    await user.click(screen.getByRole('button', { name: '取消' }));
    await waitFor(() => expect(screen.queryByTestId('approve-confirm')).not.toBeInTheDocument());
    expect(api.callsTo('POST /api/v1/verifications/7/approve')).toHaveLength(0);
    expect(screen.getByTestId('verification-status')).toHaveTextContent('审核中');
  });

  it('warns clearly when the firm already has a legal representative account', async () => {
    const registration = { ...detailOf().registration!, legalRepName: '王芳', existingOwners: ['张三'] };
    api.on('GET /api/v1/verifications/:id', ok(detailOf({ registration, checks: { enterpriseRegistered: true, nameMatches: true, legalRepNameMatches: true, legalRepIdMatches: true } })));
    await renderConsole('/verifications/7', userOf('advisor'));

    expect(await screen.findByTestId('existing-owners')).toHaveTextContent('张三');
    const user = userEvent.setup();
    await user.click(screen.getByTestId('approve-button'));
    const warning = await screen.findByTestId('approve-warning');
    expect(warning).toHaveTextContent('该企业已有法定代表人账号：张三。通过后将再增加一名法定代表人');
    expect(screen.getAllByTestId('approve-warning')).toHaveLength(1);
  });

  it('rejects only with a reason, and sends that reason', async () => {
    let status: TVerification['status'] = 'pending';
    api.on('GET /api/v1/verifications/:id', () =>
      ok(detailOf({ status, rejectReason: status === 'rejected' ? '营业执照照片模糊，请重新拍摄' : null })),
    );
    api.on('POST /api/v1/verifications/:id/reject', (req) => {
      status = 'rejected';
      return ok({ ...pending, status, rejectReason: req.body.reason });
    });
    await renderConsole('/verifications/7', userOf('advisor'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('reject-button'));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: '确认驳回' }));
    expect(await within(dialog).findByText('请填写驳回原因')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/verifications/7/reject')).toHaveLength(0);

    fillIn(within(dialog).getByTestId('reject-reason'), '营业执照照片模糊，请重新拍摄');
    await user.click(within(dialog).getByRole('button', { name: '确认驳回' }));

    await waitFor(() => expect(screen.getByTestId('verification-status')).toHaveTextContent('已驳回'));
    expect(api.callsTo('POST /api/v1/verifications/7/reject')[0].body).toEqual({ reason: '营业执照照片模糊，请重新拍摄' });
    expect(await screen.findByText('已驳回：营业执照照片模糊，请重新拍摄')).toBeInTheDocument();
  });

  it('lets a platform admin decide a registered firm, but not move it to another region', async () => {
    api.on('GET /api/v1/verifications/:id', ok(detailOf()));
    await renderConsole('/verifications/7', userOf('platform_admin'));
    expect(await screen.findByTestId('platform-admin-review')).toBeInTheDocument();
    expect(screen.getByTestId('approve-button')).toBeInTheDocument();
    expect(screen.getByTestId('reject-button')).toBeInTheDocument();
    expect(screen.queryByTestId('reassign-button')).not.toBeInTheDocument();
  });

  it('lets a platform admin reassign an unregistered firm to the advisors of a region', async () => {
    const unregistered = {
      registration: null,
      regionCode: null,
      checks: { enterpriseRegistered: false, nameMatches: false, legalRepNameMatches: false, legalRepIdMatches: false },
    };
    api.on('GET /api/v1/verifications/:id', ok(detailOf(unregistered)));
    api.on('GET /api/v1/regions', (req) =>
      ok(
        req.query.parent === '330000'
          ? [{ code: '330100', name: '杭州市', level: 'city', parentCode: '330000' }]
          : req.query.parent === '330100'
            ? [{ code: '330106', name: '西湖区', level: 'district', parentCode: '330100' }]
            : [{ code: '330000', name: '浙江省', level: 'province', parentCode: null }],
      ),
    );
    api.on('POST /api/v1/verifications/:id/reassign', (req) => ok({ ...pending, regionCode: req.body.regionCode }));
    await renderConsole('/verifications/7', userOf('platform_admin'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('reassign-button'));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: '确认改派' }));
    expect(await within(dialog).findByText('请选择改派到的区域')).toBeInTheDocument();

    const box = within(dialog).getByText('改派到', { selector: 'label' }).closest('.ant-form-item')!.querySelector('.ant-select-selector')!;
    fireEvent.mouseDown(box);
    const option = (name: string) => screen.findByText(name, { selector: '.ant-cascader-menu-item-content' });
    await user.click(await option('浙江省'));
    await user.click(await option('杭州市'));
    await user.click(await option('西湖区'));
    await user.click(within(dialog).getByRole('button', { name: '确认改派' }));

    await waitFor(() => expect(api.callsTo('POST /api/v1/verifications/7/reassign')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/verifications/7/reassign')[0].body).toEqual({ regionCode: '330106' });
  });

  it('shows an advisor no reassignment', async () => {
    api.on('GET /api/v1/verifications/:id', ok(detailOf({ registration: null })));
    await renderConsole('/verifications/7', userOf('advisor'));
    expect(await screen.findByTestId('approve-button')).toBeInTheDocument();
    expect(screen.queryByTestId('reassign-button')).not.toBeInTheDocument();
    expect(screen.queryByTestId('platform-admin-review')).not.toBeInTheDocument();
  });

  it('shows the server message when a decision conflicts, and stays pending', async () => {
    api.on('GET /api/v1/verifications/:id', ok(detailOf()));
    api.on('POST /api/v1/verifications/:id/approve', fail(409, 'CONFLICT', '该申请已被其他顾问处理'));
    await renderConsole('/verifications/7', userOf('advisor'));

    const user = userEvent.setup();
    await user.click(await screen.findByTestId('approve-button'));
    await user.click(await screen.findByRole('button', { name: '确认通过' }));
    expect(await screen.findByText('该申请已被其他顾问处理')).toBeInTheDocument();
    expect(screen.getByTestId('verification-status')).toHaveTextContent('审核中');
  });
});
