import path from 'node:path';
import { z } from 'zod';

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
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Lets console accounts sign in without TOTP. Only for the embedded demo; refused in production. */
  ALLOW_ADMIN_WITHOUT_TOTP: z.enum(['true', 'false']).optional(),
  /** Key for the keyed hash of identity numbers (never stored in clear). */
  ID_HASH_KEY: z.string().min(16).optional(),
  WECHAT_APPID: z.string().optional(),
  WECHAT_SECRET: z.string().optional(),
  WECHAT_API_BASE: z.string().url().default('https://api.weixin.qq.com'),
  /** `key:templateId:title` entries separated by commas. */
  WECHAT_TEMPLATES: z.string().optional(),
  WECHAT_MINIPROGRAM_STATE: z.enum(['developer', 'trial', 'formal']).default('formal'),
  OUTBOX_INTERVAL_MS: z.coerce.number().int().min(100).default(2000),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  SEED_DEMO: z.enum(['true', 'false']).optional(),
  STATIC_ADMIN_DIR: z.string().optional(),
  STATIC_H5_DIR: z.string().optional(),
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
  logLevel: string;
  allowAdminWithoutTotp: boolean;
  idHashKey: string;
  wechat: {
    appId: string | null;
    secret: string | null;
    apiBase: string;
    devLogin: boolean;
    miniprogramState: 'developer' | 'trial' | 'formal';
    templates: SubscriptionTemplateConfig[];
  };
  outbox: { intervalMs: number; maxAttempts: number };
  seedDemo: boolean;
  staticAdminDir: string;
  staticH5Dir: string;
  session: { consoleIdleMs: number; consoleAbsoluteMs: number; miniappIdleMs: number; miniappAbsoluteMs: number };
  lockout: { maxFailures: number; lockMs: number };
}

export class ConfigError extends Error {}

const DEV_ID_HASH_KEY = 'xyd-development-only-id-hash-key';

const DEFAULT_TEMPLATES: SubscriptionTemplateConfig[] = [
  { key: 'verification_result', templateId: 'dev-verification-result', title: '企业认证结果通知' },
  { key: 'application_progress', templateId: 'dev-application-progress', title: '融资申请进度通知' },
  { key: 'risk_notice', templateId: 'dev-risk-notice', title: '信用风险提示' },
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
  if (production && !e.DATABASE_URL) throw new ConfigError('DATABASE_URL is required with NODE_ENV=production');
  const databaseUrl = e.DATABASE_URL ?? `sqlite:${path.join(e.DATA_DIR, 'xyd.sqlite')}`;
  if (!/^(mysql|mariadb):\/\//.test(databaseUrl) && !databaseUrl.startsWith('sqlite:')) {
    throw new ConfigError('DATABASE_URL must start with mysql:// or sqlite:');
  }
  const repoRoot = path.resolve(__dirname, '..', '..');
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl,
    publicUrl: e.PUBLIC_URL,
    corsOrigins: e.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean),
    logLevel: e.LOG_LEVEL,
    allowAdminWithoutTotp,
    idHashKey: e.ID_HASH_KEY ?? DEV_ID_HASH_KEY,
    wechat: {
      appId: e.WECHAT_APPID ?? null,
      secret: e.WECHAT_SECRET ?? null,
      apiBase: e.WECHAT_API_BASE.replace(/\/$/, ''),
      devLogin,
      miniprogramState: e.WECHAT_MINIPROGRAM_STATE,
      templates: parseTemplates(e.WECHAT_TEMPLATES),
    },
    outbox: { intervalMs: e.OUTBOX_INTERVAL_MS, maxAttempts: e.OUTBOX_MAX_ATTEMPTS },
    seedDemo: e.SEED_DEMO === 'true',
    staticAdminDir: e.STATIC_ADMIN_DIR ?? path.join(repoRoot, 'admin', 'dist'),
    staticH5Dir: e.STATIC_H5_DIR ?? path.join(repoRoot, 'miniapp', 'dist', 'h5'),
    session: {
      consoleIdleMs: 30 * 60_000,
      consoleAbsoluteMs: 12 * 3600_000,
      miniappIdleMs: 7 * 24 * 3600_000,
      miniappAbsoluteMs: 30 * 24 * 3600_000,
    },
    lockout: { maxFailures: 5, lockMs: 15 * 60_000 },
  };
}
