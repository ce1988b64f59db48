/**
 * Runs the fake WeChat API on its own, for the demo and manual testing:
 *   PORT=9400 node -r @swc-node/register tests/fake-wechat/main.ts
 * Optional: HOST, WECHAT_APP_ID, WECHAT_APP_SECRET (they must match the server's), TOKEN_TTL_SECONDS.
 */
import { startFakeWechat } from './server';

function optionalInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const fake = await startFakeWechat({
    port: optionalInt('PORT'),
    host: process.env.HOST,
    tokenTtlSeconds: optionalInt('TOKEN_TTL_SECONDS'),
    appId: process.env.WECHAT_APP_ID,
    appSecret: process.env.WECHAT_APP_SECRET,
  });
  console.log(`fake WeChat API listening on ${fake.url} (appid ${fake.appId})`);
  const stop = (): void => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
