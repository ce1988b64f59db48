import { createHash, randomBytes } from 'node:crypto';
import { WechatApiError } from './errors';

/** What a login code resolves to. `sessionKey` must never leave the server. */
export interface WechatSession {
  openid: string;
  unionid?: string;
  sessionKey: string;
}

/** Satisfied by `WechatClient` (real or fake WeChat) and by the development login mode. */
export interface WechatLoginProvider {
  code2Session(code: string): Promise<WechatSession>;
}

/** Prefix that marks development identities, so they can never be mistaken for (or collide with) real openids. */
export const DEV_OPENID_PREFIX = 'dev_';

/**
 * Development login: the same code always maps to the same openid, so a developer (or a test) can log in as a
 * chosen user by choosing the code. 32 characters long; real openids are 28.
 */
export function devCode2Session(code: string): Promise<WechatSession> {
  if (!code) {
    return Promise.reject(new WechatApiError({ endpoint: 'jscode2session', errcode: 41008, errmsg: 'missing code' }));
  }
  const openid = DEV_OPENID_PREFIX + createHash('sha256').update(code).digest('hex').slice(0, 28);
  return Promise.resolve({ openid, sessionKey: randomBytes(16).toString('base64') });
}

/** Anyone could log in as anyone in this mode, hence the hard refusal in production. */
export function assertDevLoginAllowed(nodeEnv: string | undefined): void {
  if (nodeEnv === 'production') {
    throw new Error(
      'WeChat development login mode is refused when NODE_ENV=production: configure the WeChat appId and appSecret',
    );
  }
}

/** The development login provider, after checking that this environment may use it. */
export function createDevLoginProvider(nodeEnv: string | undefined): WechatLoginProvider {
  assertDevLoginAllowed(nodeEnv);
  return { code2Session: devCode2Session };
}
