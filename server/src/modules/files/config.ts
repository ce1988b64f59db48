import path from 'node:path';
import { z } from 'zod';

/**
 * File store settings. config.ts spreads these entries into its environment schema, and the files migration
 * (which receives only a QueryInterface) reads them through `fileStoreConfigFromEnv`, so both agree.
 */
export const ZFileStoreEnv = z.object({
  /** `local` keeps files in a folder (the default); `s3` in an S3-compatible bucket. */
  FILE_STORE: z.enum(['local', 's3']).default('local'),
  /** Folder of the local store; defaults to DATA_DIR/files. */
  FILE_STORE_DIR: z.string().optional(),
  /** e.g. https://s3.cn-north-1.amazonaws.com.cn or http://minio:9000; defaults to AWS for S3_REGION. */
  S3_ENDPOINT: z.string().url().optional(),
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().optional(),
  S3_SECRET_ACCESS_KEY: z.string().optional(),
  /** `true` for MinIO and most self-hosted stores: the bucket goes in the path, not the host name. */
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('false'),
});

export type TFileStoreEnv = z.infer<typeof ZFileStoreEnv>;

export interface S3StoreConfig {
  kind: 's3';
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
}

export type FileStoreConfig = { kind: 'local'; dir: string } | S3StoreConfig;

/** Same default as config.ts: the embedded demo keeps its data under ./data. */
const defaultDataDir = () => path.resolve(process.cwd(), 'data');

export function fileStoreConfig(
  e: TFileStoreEnv,
  dataDir: string,
  fail: new (message: string) => Error = Error,
): FileStoreConfig {
  if (e.FILE_STORE === 'local') return { kind: 'local', dir: path.resolve(e.FILE_STORE_DIR ?? path.join(dataDir, 'files')) };
  const missing = (['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter((k) => !e[k]);
  if (missing.length) throw new fail(`FILE_STORE=s3 requires ${missing.join(', ')}`);
  return {
    kind: 's3',
    endpoint: (e.S3_ENDPOINT ?? `https://s3.${e.S3_REGION}.amazonaws.com`).replace(/\/+$/, ''),
    bucket: e.S3_BUCKET!,
    region: e.S3_REGION,
    accessKeyId: e.S3_ACCESS_KEY_ID!,
    secretAccessKey: e.S3_SECRET_ACCESS_KEY!,
    forcePathStyle: e.S3_FORCE_PATH_STYLE === 'true',
  };
}

/** For code that runs without an AppConfig (migrations): the process environment, read as loadConfig reads it. */
export function fileStoreConfigFromEnv(env: NodeJS.ProcessEnv = process.env): FileStoreConfig {
  const parsed = ZFileStoreEnv.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid file store configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return fileStoreConfig(parsed.data, env.DATA_DIR ?? defaultDataDir());
}
