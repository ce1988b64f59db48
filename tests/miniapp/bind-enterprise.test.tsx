import { fireEvent, screen, waitFor } from '@testing-library/react';
import Taro from '@tarojs/taro';
import { validateIdCard, validateUscc } from '@xyd/shared';
import BindEnterprise from '../../miniapp/src/subpackages/enterprise/bind/index';
import { FakeApi, fail, ok } from './support/fake-api';
import { nativeInput, renderPage } from './support/page';

// Check characters computed by the GB 32100 / GB 11643 algorithms.
const GOOD_USCC = '91110108600040399G';
const GOOD_ID = '11010519491231002X';

async function type(testId: string, value: string) {
  const input = await nativeInput(screen.getByTestId(testId));
  fireEvent.input(input, { target: { value } });
  return input;
}

function chooseLicenceReturns(file: { path: string; size: number; name?: string }) {
  return jest.spyOn(Taro, 'chooseImage').mockResolvedValue({
    tempFilePaths: [file.path],
    tempFiles: [{ path: file.path, size: file.size, originalFileObj: { name: file.name } } as never],
    errMsg: 'chooseImage:ok',
  });
}

async function fillValidForm() {
  await type('bind-uscc', GOOD_USCC.toLowerCase());
  await type('bind-enterprise-name', '北京示例科技有限公司');
  await type('bind-legal-rep-name', '张三');
  await type('bind-legal-rep-id', GOOD_ID.toLowerCase());
  fireEvent.click(screen.getByTestId('bind-role-agent'));
  chooseLicenceReturns({ path: 'blob:http://localhost/licence', size: 200_000, name: 'licence.png' });
  fireEvent.click(screen.getByTestId('bind-licence'));
  await screen.findByTestId('bind-licence-preview');
}

describe('bind enterprise form', () => {
  let api: FakeApi;

  beforeEach(() => {
    api = new FakeApi().install();
    jest.spyOn(Taro, 'redirectTo').mockResolvedValue({ errMsg: 'redirectTo:ok' });
    jest.spyOn(Taro, 'showToast').mockResolvedValue({ errMsg: 'showToast:ok' });
  });

  it("shows the shared validator's message for a bad credit code and sends nothing", async () => {
    await renderPage(BindEnterprise);
    const badCode = GOOD_USCC.slice(0, 17) + 'A';
    const expected = validateUscc(badCode);
    expect(expected.ok).toBe(false);

    const input = await type('bind-uscc', badCode);
    fireEvent.blur(input);
    expect((await screen.findByTestId('bind-uscc-error')).textContent).toBe(
      (expected as { message: string }).message,
    );

    fireEvent.click(screen.getByTestId('bind-submit'));
    expect(await screen.findByTestId('bind-legal-rep-id-error')).toBeTruthy();
    expect(screen.getByTestId('bind-uscc-error').textContent).toContain('校验位不正确');
    expect(screen.getByTestId('bind-licence-error').textContent).toBe('请上传营业执照照片');
    expect(api.calls).toHaveLength(0);
    expect(Taro.uploadFile).not.toHaveBeenCalled();
  });

  it("shows the identity number validator's message", async () => {
    await renderPage(BindEnterprise);
    const badId = GOOD_ID.slice(0, 17) + '1';

    fireEvent.blur(await type('bind-legal-rep-id', badId));

    expect((await screen.findByTestId('bind-legal-rep-id-error')).textContent).toBe(
      (validateIdCard(badId) as { message: string }).message,
    );
  });

  it('submits a valid form as multipart with the licence and goes to the progress page', async () => {
    api.on('POST', '/api/v1/verifications', ok({ id: '7', status: 'pending' }));
    await renderPage(BindEnterprise);
    await fillValidForm();

    fireEvent.click(screen.getByTestId('bind-submit'));

    await waitFor(() => expect(Taro.redirectTo).toHaveBeenCalledWith({ url: '/subpackages/enterprise/progress/index' }));
    const [submission] = api.callsTo('POST', '/api/v1/verifications');
    expect(submission.kind).toBe('upload');
    expect(submission.file).toEqual({ filePath: 'blob:http://localhost/licence', name: 'licence', fileName: 'licence.png' });
    expect(submission.body).toEqual({
      uscc: GOOD_USCC,
      enterpriseName: '北京示例科技有限公司',
      legalRepName: '张三',
      legalRepIdNumber: GOOD_ID,
      applicantRole: 'agent',
    });
    expect(submission.header.Authorization).toBe('Bearer token-1');
    expect(screen.queryByTestId('bind-form-error')).toBeNull();
  });

  it("shows the server's message and its field errors beside the fields", async () => {
    api.on(
      'POST',
      '/api/v1/verifications',
      fail(400, 'VALIDATION_FAILED', '提交的信息有误', [{ field: 'enterpriseName', message: '企业名称与登记信息不一致' }]),
    );
    await renderPage(BindEnterprise);
    await fillValidForm();

    fireEvent.click(screen.getByTestId('bind-submit'));

    expect((await screen.findByTestId('bind-form-error')).textContent).toBe('提交的信息有误');
    expect(screen.getByTestId('bind-enterprise-name-error').textContent).toBe('企业名称与登记信息不一致');
    expect(Taro.redirectTo).not.toHaveBeenCalled();
  });

  it('shows a conflict from the server, such as a request already pending', async () => {
    api.on('POST', '/api/v1/verifications', fail(409, 'CONFLICT', '该企业已有待审核的认证申请'));
    await renderPage(BindEnterprise);
    await fillValidForm();

    fireEvent.click(screen.getByTestId('bind-submit'));

    expect((await screen.findByTestId('bind-form-error')).textContent).toBe('该企业已有待审核的认证申请');
  });

  it('refuses a licence photo over 5 MB before uploading', async () => {
    await renderPage(BindEnterprise);
    chooseLicenceReturns({ path: 'blob:big', size: 6 * 1024 * 1024, name: 'big.jpg' });

    fireEvent.click(screen.getByTestId('bind-licence'));

    expect((await screen.findByTestId('bind-licence-error')).textContent).toBe('营业执照照片不能超过 5 MB');
    expect(screen.queryByTestId('bind-licence-preview')).toBeNull();
  });
});
