import { ApiError } from '@xyd/shared';
import { errorMessageOf, toApiError } from '@/requestErrorConfig';
import { describeDevice } from '@/pages/account/sessions';
import { formatDateTime, formatFenAsWan } from '@/utils/format';
import { isLoginPath, loginPathFor, safeRedirect, toRoutePath } from '@/utils/route';

describe('route helpers', () => {
  it('strips the /admin base from browser paths', () => {
    expect(toRoutePath('/admin/verifications/7')).toBe('/verifications/7');
    expect(toRoutePath('/admin/')).toBe('/');
    expect(toRoutePath('/verifications')).toBe('/verifications');
    expect(isLoginPath('/admin/login')).toBe(true);
    expect(isLoginPath('/login/')).toBe(true);
    expect(isLoginPath('/loginx')).toBe(false);
  });

  it('remembers where a signed-out user was going', () => {
    expect(loginPathFor({ pathname: '/admin/enterprises/3', search: '?tab=members' })).toBe(
      '/login?redirect=%2Fenterprises%2F3%3Ftab%3Dmembers',
    );
    expect(loginPathFor({ pathname: '/admin/', search: '' })).toBe('/login');
    expect(loginPathFor({ pathname: '/admin/login', search: '?redirect=%2Fx' })).toBe('/login');
  });

  it('follows only same-console redirects', () => {
    expect(safeRedirect('/verifications?status=pending')).toBe('/verifications?status=pending');
    for (const bad of [null, '', 'https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '/login']) {
      expect(safeRedirect(bad)).toBe('/');
    }
  });
});

describe('formatting', () => {
  it('shows UTC times in Asia/Shanghai', () => {
    expect(formatDateTime('2025-03-01T16:30:05.000Z')).toBe('2025-03-02 00:30:05');
    expect(formatDateTime(null)).toBe('-');
  });

  it('shows fen as 万元 without floating point', () => {
    expect(formatFenAsWan('100000000')).toBe('100.00 万元');
    expect(formatFenAsWan('123456789012345678')).toBe('123,456,789,012.34 万元');
    expect(formatFenAsWan('5')).toBe('0.00 万元');
    expect(formatFenAsWan('abc')).toBe('-');
  });

  it('names a device from its user agent', () => {
    expect(describeDevice('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0')).toBe('微信 · iOS');
    expect(describeDevice(null)).toBe('未知设备');
  });
});

describe('error envelope', () => {
  it('turns an HTTP failure carrying the envelope into an ApiError', () => {
    const error = toApiError({
      response: { status: 429, data: { success: false, errorCode: 'ACCOUNT_LOCKED', errorMessage: '账号已锁定', requestId: 'req-1' } },
    });
    expect(error).toBeInstanceOf(ApiError);
    // The same shape as the mini-program's errors (one class in @xyd/shared).
    expect(error).toMatchObject({
      errorCode: 'ACCOUNT_LOCKED',
      errorMessage: '账号已锁定',
      errorFields: [],
      status: 429,
      requestId: 'req-1',
      message: '账号已锁定',
    });
  });

  it('leaves other failures alone and words them for the user', () => {
    const network = new Error('Network Error');
    expect(toApiError(network)).toBe(network);
    expect(errorMessageOf(network)).toBe('无法连接服务器，请检查网络后重试');
  });

  it('lists field errors of a validation failure', () => {
    const error = new ApiError({
      status: 400,
      errorCode: 'VALIDATION_FAILED',
      errorMessage: '输入有误',
      errorFields: [
        { field: 'name', message: '机构名称至少 2 个字' },
        { field: 'regionCode', message: '行政区划代码应为 6 位数字' },
      ],
    });
    expect(errorMessageOf(error)).toBe('机构名称至少 2 个字；行政区划代码应为 6 位数字');
  });
});
