import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ZFileStoreEnv, fileStoreConfig, type FileStoreConfig } from './modules/files/config';

/**
 * Configuration from the environment, validated once at start. The defaults run the embedded demo with
 * nothing set; production refuses the settings that only make sense for a demo.
 */
const ZEnv = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z.string().optional(),
  DATA_DIR: z.string().default(path.resolve(process.cwd(), 'data')),
  PUBLIC_URL: z.string().default('http://localhost:3000'),
  CORS_ORIGINS: z.string().default(''),
  /** `true` behind a reverse proxy that ends TLS: client address from X-Forwarded-For, scheme from X-Forwarded-Proto. */
  /** Where multipart uploads are spooled while a request runs (always removed when it ends). */
  UPLOAD_TMP_DIR: z.string().optional(),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  /** How many X-Forwarded-For entries to trust, counted from the right (one per proxy in front of the server). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Lets console accounts sign in without TOTP. Only for the embedded demo; refused in production. */
  ALLOW_ADMIN_WITHOUT_TOTP: z.enum(['true', 'false']).optional(),
  /** Key for the keyed hash of identity numbers (never stored in clear). */
  ID_HASH_KEY: z.string().min(16).optional(),
  /** Key of the audit chain's HMAC: without it, rewriting a row and recomputing the chain cannot be told apart. */
  AUDIT_HMAC_KEY: z.string().min(32).optional(),
  /** Encrypts API client secrets at rest (AES-256-GCM); HMAC verification needs the secret itself. */
  API_CLIENT_SECRET_KEY: z.string().min(32).optional(),
  /** Signed requests per API client per minute (in process). */
  API_CLIENT_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
  WECHAT_APPID: z.string().optional(),
  WECHAT_SECRET: z.string().optional(),
  WECHAT_API_BASE: z.string().url().default('https://api.weixin.qq.com'),
  /** `key:templateId:title` entries separated by commas. */
  WECHAT_TEMPLATES: z.string().optional(),
  WECHAT_MINIPROGRAM_STATE: z.enum(['developer', 'trial', 'formal']).default('formal'),
  OUTBOX_INTERVAL_MS: z.coerce.number().int().min(100).default(2000),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  /** Jobs one worker process runs at once, and how often it looks for due jobs. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** How long an API process reuses a session it has read (0: read it on every request); see identity/session-cache.ts. */
  SESSION_CACHE_MS: z.coerce.number().int().min(0).max(10_000).default(1000),
  WORKER_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  WORKER_LEASE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(30_000),
  CREDIT_SCORE_INTERVAL_MS: z.coerce.number().int().min(200).max(3_600_000).default(2000),
  NEED_RELEASE_WORKING_DAYS: z.coerce.number().int().min(1).max(30).default(3),
  SEED_DEMO: z.enum(['true', 'false']).optional(),
  DEMO_WORLD_ENTERPRISES: z.coerce.number().int().min(0).max(1_000_000).default(300),
  DEMO_WORLD_MONTHS: z.coerce.number().int().min(1).max(120).default(24),
  STATIC_ADMIN_DIR: z.string().optional(),
  STATIC_H5_DIR: z.string().optional(),
  /** FILE_STORE, FILE_STORE_DIR and S3_*: see modules/files/config.ts. */
  ...ZFileStoreEnv.shape,
});

export interface SubscriptionTemplateConfig {
  key: string;
  templateId: string;
  title: string;
}

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  port: number;
  host: string;
  databaseUrl: string;
  publicUrl: string;
  corsOrigins: string[];
  trustProxy: boolean;
  uploadTmpDir: string;
  trustProxyHops: number;
  logLevel: string;
  allowAdminWithoutTotp: boolean;
  idHashKey: string;
  auditHmacKey: string;
  apiClients: { secretKey: string; ratePerMinute: number };
  wechat: {
    appId: string | null;
    secret: string | null;
    apiBase: string;
    devLogin: boolean;
    miniprogramState: 'developer' | 'trial' | 'formal';
    templates: SubscriptionTemplateConfig[];
  };
  outbox: { intervalMs: number; maxAttempts: number };
  worker: { concurrency: number; pollMs: number; leaseMs: number };
  /** How often the change feed is scored (warnings follow a batch within about this long). */
  credit: { scoreIntervalMs: number };
  /** A need's recommendation is due this many working days after submission; the advisor is reminded on the last one, then a platform admin is told. */
  matching: { releaseWorkingDays: number };
  seedDemo: boolean;
  /** With the demo seed: the world loaded through the credit-data pipeline at start (0 firms = none). */
  demoWorld: { enterprises: number; months: number };
  staticAdminDir: string;
  staticH5Dir: string;
  fileStore: FileStoreConfig;
  session: { consoleIdleMs: number; consoleAbsoluteMs: number; miniappIdleMs: number; miniappAbsoluteMs: number; cacheMs: number };
  lockout: { maxFailures: number; lockMs: number };
}

export class ConfigError extends Error {}

const DEV_ID_HASH_KEY = 'xyd-development-only-id-hash-key';

const DEFAULT_TEMPLATES: SubscriptionTemplateConfig[] = [
  { key: 'verification_result', templateId: 'dev-verification-result', title: '企业认证结果通知' },
  { key: 'application_progress', templateId: 'dev-application-progress', title: '融资申请进度通知' },
  { key: 'risk_notice', templateId: 'dev-risk-notice', title: '信用风险提示' },
  { key: 'need_recommendation', templateId: 'dev-need-recommendation', title: '融资产品推荐通知' },
];

function parseTemplates(raw: string | undefined): SubscriptionTemplateConfig[] {
  if (!raw) return DEFAULT_TEMPLATES;
  return raw.split(',').map((entry) => {
    const [key, templateId, ...title] = entry.split(':').map((s) => s.trim());
    if (!key || !templateId) throw new ConfigError(`WECHAT_TEMPLATES 项 “${entry}” 应为 key:templateId:标题`);
    return { key, templateId, title: title.join(':') || key };
  });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = ZEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const allowAdminWithoutTotp = e.ALLOW_ADMIN_WITHOUT_TOTP === 'true';
  if (production && allowAdminWithoutTotp) {
    throw new ConfigError('ALLOW_ADMIN_WITHOUT_TOTP=true is for the embedded demo only and is refused with NODE_ENV=production');
  }
  const devLogin = !e.WECHAT_APPID;
  if (production && devLogin) {
    throw new ConfigError('WECHAT_APPID is not set: the development login mode is refused with NODE_ENV=production');
  }
  if (e.WECHAT_APPID && !e.WECHAT_SECRET) throw new ConfigError('WECHAT_SECRET is required when WECHAT_APPID is set');
  if (production && !e.ID_HASH_KEY) throw new ConfigError('ID_HASH_KEY is required with NODE_ENV=production');
  if (production && !e.API_CLIENT_SECRET_KEY) throw new ConfigError('API_CLIENT_SECRET_KEY is required with NODE_ENV=production');
  if (production && !e.AUDIT_HMAC_KEY) throw new ConfigError('AUDIT_HMAC_KEY is required with NODE_ENV=production');
  if (production && !e.DATABASE_URL) throw new ConfigError('DATABASE_URL is required with NODE_ENV=production');
  const databaseUrl = e.DATABASE_URL ?? `sqlite:${path.join(e.DATA_DIR, 'xyd.sqlite')}`;
  if (!/^(mysql|mariadb):\/\//.test(databaseUrl) && !databaseUrl.startsWith('sqlite:')) {
    throw new ConfigError('DATABASE_URL must start with mysql:// or sqlite:');
  }
  const trustProxy = e.TRUST_PROXY === 'true';
  if (e.PUBLIC_URL.startsWith('https://') && !trustProxy) {
    throw new ConfigError(
      'PUBLIC_URL is https:// but TRUST_PROXY is not true: TLS ends at the reverse proxy, so set TRUST_PROXY=true (and TRUST_PROXY_HOPS) or use an http:// PUBLIC_URL',
    );
  }
  if (!/^https?:\/\/[^/]+/.test(e.PUBLIC_URL)) throw new ConfigError('PUBLIC_URL must be an http:// or https:// URL');
  const repoRoot = path.resolve(__dirname, '..', '..');
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl,
    publicUrl: e.PUBLIC_URL,
    corsOrigins: e.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
    trustProxy,
    uploadTmpDir: e.UPLOAD_TMP_DIR ?? path.join(os.tmpdir(), 'xyd-uploads'),
    trustProxyHops: e.TRUST_PROXY_HOPS,
    logLevel: e.LOG_LEVEL,
    allowAdminWithoutTotp,
    idHashKey: e.ID_HASH_KEY ?? DEV_ID_HASH_KEY,
    auditHmacKey: e.AUDIT_HMAC_KEY ?? 'xyd-development-only-audit-hmac-key',
    apiClients: { secretKey: e.API_CLIENT_SECRET_KEY ?? 'xyd-development-only-api-client-secret-key', ratePerMinute: e.API_CLIENT_RATE_LIMIT },
    wechat: {
      appId: e.WECHAT_APPID ?? null,
      secret: e.WECHAT_SECRET ?? null,
      apiBase: e.WECHAT_API_BASE.replace(/\/$/, ''),
      devLogin,
      miniprogramState: e.WECHAT_MINIPROGRAM_STATE,
      templates: parseTemplates(e.WECHAT_TEMPLATES),
    },
    outbox: { intervalMs: e.OUTBOX_INTERVAL_MS, maxAttempts: e.OUTBOX_MAX_ATTEMPTS },
    worker: { concurrency: e.WORKER_CONCURRENCY, pollMs: e.WORKER_POLL_MS, leaseMs: e.WORKER_LEASE_MS },
    credit: { scoreIntervalMs: e.CREDIT_SCORE_INTERVAL_MS },
    matching: { releaseWorkingDays: e.NEED_RELEASE_WORKING_DAYS },
    seedDemo: e.SEED_DEMO === 'true',
    demoWorld: { enterprises: e.DEMO_WORLD_ENTERPRISES, months: e.DEMO_WORLD_MONTHS },
    staticAdminDir: e.STATIC_ADMIN_DIR ?? path.join(repoRoot, 'admin', 'dist'),
    staticH5Dir: e.STATIC_H5_DIR ?? path.join(repoRoot, 'miniapp', 'dist', 'h5'),
    fileStore: fileStoreConfig(e, e.DATA_DIR, ConfigError),
    session: {
      consoleIdleMs: 30 * 60_000,
      consoleAbsoluteMs: 12 * 3600_000,
      miniappIdleMs: 7 * 24 * 3600_000,
      miniappAbsoluteMs: 30 * 24 * 3600_000,
      cacheMs: e.SESSION_CACHE_MS,
    },
    lockout: { maxFailures: 5, lockMs: 15 * 60_000 },
  };
}

/** For process entry points: a bad setting stops the process with exit code 2 and a message naming it. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`配置错误 / configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}
