import type { AppConfig } from './config';
import type { Database } from './db';
import type { Logger } from './lib/logger';
import type { FileStore } from './modules/files/store';
import type { WechatClient, WechatLoginProvider } from './wechat';

/** What services are built with: no Koa in here. */
export interface AppContext {
  config: AppConfig;
  db: Database;
  logger: Logger;
  /** Uploaded files' bytes (a local folder or an S3 bucket); their `files` rows are in the database. */
  fileStore: FileStore;
  wechatLogin: WechatLoginProvider;
  /** Null in the development login mode: subscription messages then go to the message centre only. */
  wechatClient: WechatClient | null;
}
