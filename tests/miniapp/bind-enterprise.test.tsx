import { fireEvent, screen, waitFor } from '@testing-library/react';
import { Current } from '@tarojs/runtime';
import Taro from '@tarojs/taro';
import { validateIdCard, validateUscc } from '@xyd/shared';
import BindEnterprise from '../../miniapp/src/subpackages/enterprise/bind/index';
import { FakeApi, fail, ok } from './support/fake-api';
import { verification } from './support/fixtures';
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

/** What Taro's H5 chooseImage hands back for a file the browser let the user pick: the File itself beside a blob URL. */
function chooseBrowserFile(file: File) {
  return jest.spyOn(Taro, 'chooseImage').mockResolvedValue({
    tempFilePaths: ['blob:http://localhost/picked'],
    tempFiles: [{ path: 'blob:http://localhost/picked', size: file.size, type: file.type, originalFileObj: file } as never],
    errMsg: 'chooseImage:ok',
  });
}

const PNG_HEADER = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

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

  describe('licence photo type', () => {
    it('says so when the browser drops a file it cannot read as an image (a PDF picked under 所有文件)', async () => {
      await renderPage(BindEnterprise);
      // Taro's H5 chooseImage fails to decode the file, logs it and reports success with no file.
      jest.spyOn(Taro, 'chooseImage').mockResolvedValue({ tempFilePaths: [], tempFiles: [], errMsg: 'chooseImage:ok' });

      fireEvent.click(screen.getByTestId('bind-licence'));

      expect((await screen.findByTestId('bind-licence-error')).textContent).toBe('只能上传 JPEG 或 PNG 图片');
      expect(screen.queryByTestId('bind-licence-preview')).toBeNull();
    });

    it.each([
      ['a PDF by its name', new File(['%PDF-1.7'], 'licence.pdf', { type: 'application/pdf' })],
      ['a GIF by its type', new File(['GIF89a'], 'licence', { type: 'image/gif' })],
      ['HTML named .png, by its first bytes', new File(['<html><body>x</body></html>'], 'licence.png', { type: '' })],
    ])('refuses %s', async (_what, file) => {
      await renderPage(BindEnterprise);
      chooseBrowserFile(file);

      fireEvent.click(screen.getByTestId('bind-licence'));

      expect((await screen.findByTestId('bind-licence-error')).textContent).toBe('只能上传 JPEG 或 PNG 图片');
      expect(screen.queryByTestId('bind-licence-preview')).toBeNull();
    });

    it('accepts a real PNG and clears the error', async () => {
      await renderPage(BindEnterprise);
      chooseBrowserFile(new File(['%PDF-1.7'], 'scan.pdf', { type: 'application/pdf' }));
      fireEvent.click(screen.getByTestId('bind-licence'));
      await screen.findByTestId('bind-licence-error');

      chooseBrowserFile(new File([new Uint8Array(PNG_HEADER)], 'licence.png', { type: 'image/png' }));
      fireEvent.click(screen.getByTestId('bind-licence'));

      expect(await screen.findByTestId('bind-licence-preview')).toBeTruthy();
      expect(screen.queryByTestId('bind-licence-error')).toBeNull();
    });
  });

  it('takes a credit code pasted with spaces or in full-width characters whole, and sends it normalised', async () => {
    api.on('POST', '/api/v1/verifications', ok({ id: '7', status: 'pending' }));
    await renderPage(BindEnterprise);
    await fillValidForm();
    // 91110108600040399G in full-width characters with ideographic and ordinary spaces: 22 characters as pasted.
    const pasted = '９１１１\u3000０１０８ ６０００ ４０３９９ｇ';
    expect(pasted.length).toBeGreaterThan(18);

    const input = await type('bind-uscc', pasted);
    // The field must not cut the pasted text at 18 characters before it is normalised.
    expect(Number(input.getAttribute('maxlength'))).toBeGreaterThanOrEqual(pasted.length);
    fireEvent.blur(input);
    await waitFor(() => expect(input.value).toBe(GOOD_USCC));
    expect(screen.queryByTestId('bind-uscc-error')).toBeNull();

    fireEvent.click(screen.getByTestId('bind-submit'));
    await waitFor(() => expect(api.callsTo('POST', '/api/v1/verifications')).toHaveLength(1));
    expect((api.callsTo('POST', '/api/v1/verifications')[0].body as { uscc: string }).uscc).toBe(GOOD_USCC);
  });

  it('repeats a submission that got no answer with the same Idempotency-Key; a changed form gets a new one', async () => {
    let attempt = 0;
    await renderPage(BindEnterprise);
    await fillValidForm();
    // The fake server's upload, wrapped: the first attempt never reaches the server; the later ones do.
    const upload = jest.spyOn(Taro, 'uploadFile');
    const server = upload.getMockImplementation()!;
    upload.mockImplementation(((options: Taro.uploadFile.Option) => {
      attempt += 1;
      return attempt === 1 ? Promise.reject({ errMsg: 'uploadFile:fail' }) : server(options);
    }) as unknown as typeof Taro.uploadFile);
    api.on('POST', '/api/v1/verifications', fail(409, 'CONFLICT', '该企业已有待审核的认证申请'));

    fireEvent.click(screen.getByTestId('bind-submit'));
    expect((await screen.findByTestId('bind-form-error')).textContent).toBe('网络连接失败，请检查网络后重试');
    fireEvent.click(screen.getByTestId('bind-submit'));
    await waitFor(() => expect(screen.getByTestId('bind-form-error').textContent).toBe('该企业已有待审核的认证申请'));

    await type('bind-enterprise-name', '北京示例科技股份有限公司');
    fireEvent.click(screen.getByTestId('bind-submit'));
    await waitFor(() => expect(upload).toHaveBeenCalledTimes(3));

    const keys = upload.mock.calls.map(([options]) => (options.header as Record<string, string>)['Idempotency-Key']);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  describe('修改后重新提交', () => {
    afterEach(() => {
      Current.router = null;
    });

    it('fills the form from the rejected request, leaving the identity number and the photo to the user', async () => {
      Current.router = { params: { resubmit: '5' }, path: '/subpackages/enterprise/bind/index' } as never;
      api.on(
        'GET',
        '/api/v1/verifications/mine',
        ok([
          verification({ id: '6', status: 'pending', enterpriseName: '别的企业' }),
          verification({ id: '5', status: 'rejected', applicantRole: 'agent', legalRepName: '李四', rejectReason: '营业执照照片不清晰' }),
        ]),
      );
      // As on a real network, the answer comes after the form's inputs have rendered.
      const request = jest.spyOn(Taro, 'request');
      const server = request.getMockImplementation()!;
      let answer = () => {};
      const answered = new Promise<void>((resolve) => (answer = resolve));
      request.mockImplementation(((options: Taro.request.Option) =>
        options.url.endsWith('/verifications/mine') ? answered.then(() => server(options)) : server(options)) as unknown as typeof Taro.request);
      await renderPage(BindEnterprise);
      const value = async (testId: string) => (await nativeInput(screen.getByTestId(testId))).value;
      for (const testId of ['bind-uscc', 'bind-enterprise-name', 'bind-legal-rep-name', 'bind-legal-rep-id']) await value(testId);
      answer();

      expect((await screen.findByTestId('bind-resubmit-notice')).textContent).toContain('驳回原因：营业执照照片不清晰');
      await waitFor(async () => expect(await value('bind-uscc')).toBe(GOOD_USCC));
      expect(await value('bind-enterprise-name')).toBe('北京示例科技有限公司');
      expect(await value('bind-legal-rep-name')).toBe('李四');
      expect(await value('bind-legal-rep-id')).toBe('');
      expect(screen.getByTestId('bind-role-agent').getAttribute('data-selected')).toBe('true');
      expect(screen.queryByTestId('bind-licence-preview')).toBeNull();
    });

    it('opens an empty form without a request to prefill from', async () => {
      api.on('GET', '/api/v1/verifications/mine', ok([verification({ id: '5', status: 'rejected' })]));
      await renderPage(BindEnterprise);
      expect(api.callsTo('GET', '/api/v1/verifications/mine')).toHaveLength(0);
      expect(screen.queryByTestId('bind-resubmit-notice')).toBeNull();
      expect((await nativeInput(screen.getByTestId('bind-uscc'))).value).toBe('');
    });
  });
});
