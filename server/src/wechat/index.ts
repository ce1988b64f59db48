export { WechatClient } from './client';
export type { SubscribeMessage, SubscribeSendResult, WechatClientOptions, WechatLogger } from './client';
export { assertDevLoginAllowed, createDevLoginProvider, devCode2Session, DEV_OPENID_PREFIX } from './dev-login';
export type { WechatLoginProvider, WechatSession } from './dev-login';
export { isFinalWechatError, isRetryableErrcode, TransportErrcode, WechatApiError } from './errors';
export type { MiniprogramState, WechatEndpoint } from './wire';
