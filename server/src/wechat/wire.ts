/**
 * Request and response bodies of the three WeChat server APIs we use, spelled as WeChat's docs spell them
 * (snake_case on the wire). Shared by the client and the fake server under tests/fake-wechat so the two agree.
 */

export type WechatEndpoint = 'jscode2session' | 'stable_token' | 'subscribe_send';

/** Every WeChat answer may carry these; a missing or zero errcode means success. */
export interface WechatErrorBody {
  errcode?: number;
  errmsg?: string;
}

/** GET /sns/jscode2session query (auth.code2Session). */
export interface Jscode2SessionQuery {
  appid: string;
  secret: string;
  js_code: string;
  grant_type: 'authorization_code';
}

export interface Jscode2SessionResponse extends WechatErrorBody {
  openid?: string;
  session_key?: string;
  /** Only when the mini-program is bound to a WeChat Open Platform account. */
  unionid?: string;
}

/** POST /cgi-bin/stable_token JSON body (getStableAccessToken). */
export interface StableTokenRequest {
  grant_type: 'client_credential';
  appid: string;
  secret: string;
  /** true invalidates the previous token; WeChat allows it 20 times a day, at least 30 s apart. */
  force_refresh?: boolean;
}

export interface StableTokenResponse extends WechatErrorBody {
  access_token?: string;
  /** Seconds the token remains valid (at most 7200). */
  expires_in?: number;
}

export type MiniprogramState = 'developer' | 'trial' | 'formal';
export type SubscribeMessageLang = 'zh_CN' | 'en_US' | 'zh_HK' | 'zh_TW';

/** POST /cgi-bin/message/subscribe/send?access_token=… JSON body (subscribeMessage.send). */
export interface SubscribeSendRequest {
  touser: string;
  template_id: string;
  page?: string;
  data: Record<string, { value: string }>;
  miniprogram_state?: MiniprogramState;
  lang?: SubscribeMessageLang;
}

/** `msgid` is a 64-bit integer on the wire, beyond Number's exact range: read it from the raw text. */
export interface SubscribeSendResponse extends WechatErrorBody {
  msgid?: number;
}
