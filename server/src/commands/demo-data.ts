import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { createContext } from '../main';
import { DEMO_PASSWORD, seedDemo } from '../seed/demo';
import { ConsoleApi, FILE_ROWS, WorldLoadError, loadDemoWorld, loadWorld, type LoadWorldOptions } from '../seed/load-world';
import { WORLD_DEFAULT_MONTHS, WORLD_DEFAULT_SEED, WorldOptionsError, lastCompleteMonth, resolveWorld } from '../seed/world';

/**
 * `npm run demo:data -- --enterprises N [--months 36] [--seed 2026] [--end-month YYYY-MM] [--url http://…]`:
 * builds the demo world through the real pipeline. With `--url` it signs in to a running server as the platform
 * admin; without, it starts the API and a worker in this process on the configured DATABASE_URL (seeding the demo
 * organisations first on an empty database).
 */

const USAGE = `用法：npm run demo:data -- --enterprises N [选项]
  --enterprises N     企业数（必填，1–1,000,000）
  --months M          月度数据的月份数（默认 ${WORLD_DEFAULT_MONTHS}）
  --seed S            随机种子（默认 ${WORLD_DEFAULT_SEED}；相同参数生成相同数据）
  --end-month YYYY-MM 最后一个月（默认上一个自然月）
  --url URL           向运行中的服务导入（如 http://localhost:3000）；不填则在本进程内启动服务与任务进程
  --username NAME     平台管理员账号（默认 admin）
  --password PASS     其密码（--url 时使用，默认演示密码）
  --totp CODE         账号已绑定动态验证码时的验证码
  --file-rows N       每个导入文件的行数（默认 ${FILE_ROWS.toLocaleString('en-US')}）
  --file-mb N         每个导入文件的大小上限（MB，默认 2048；服务端上传上限较小时调小）
  --senders N         并发推送的数据源连接数（默认 2）`;

class UsageError extends Error {}

const mb = (value: number | undefined) => (value === undefined ? undefined : value * 1024 * 1024);

function integerOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.replace(/[,_]/g, ''))) throw new UsageError(`--${name} 应为非负整数，当前为「${value}」`);
  return Number(value.replace(/[,_]/g, ''));
}

export function parseDemoDataArgs(argv: string[]): LoadWorldOptions & { url?: string; username: string; password: string; totp?: string } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        enterprises: { type: 'string' },
        months: { type: 'string' },
        seed: { type: 'string' },
        'end-month': { type: 'string' },
        url: { type: 'string' },
        username: { type: 'string' },
        password: { type: 'string' },
        totp: { type: 'string' },
        'file-rows': { type: 'string' },
        'file-mb': { type: 'string' },
        senders: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(`参数不正确：${(error as Error).message}`);
  }
  if (values.help) throw new UsageError('');
  const enterprises = integerOption(values.enterprises, 'enterprises');
  if (enterprises === undefined) throw new UsageError('请用 --enterprises N 指定企业数');
  if (values.url !== undefined && !/^https?:\/\/[^/]+/.test(values.url)) throw new UsageError(`--url 应为 http:// 或 https:// 开头的服务地址，当前为「${values.url}」`);
  const options = {
    enterprises,
    months: integerOption(values.months, 'months'),
    seed: integerOption(values.seed, 'seed'),
    endMonth: values['end-month'] ?? lastCompleteMonth(),
    fileRows: integerOption(values['file-rows'], 'file-rows'),
    fileBytes: mb(integerOption(values['file-mb'], 'file-mb')),
    senders: integerOption(values.senders, 'senders'),
    url: values.url,
    username: values.username ?? 'admin',
    password: values.password ?? DEMO_PASSWORD,
    totp: values.totp,
  };
  // The world's own checks, before anything connects.
  resolveWorld(options);
  if (options.fileRows !== undefined && options.fileRows < 1) throw new UsageError('--file-rows 应为正整数');
  if (options.fileBytes !== undefined && (options.fileBytes < 1024 * 1024 || options.fileBytes > 2048 * 1024 * 1024)) throw new UsageError('--file-mb 应为 1 到 2048 之间的整数');
  if (options.senders !== undefined && (options.senders < 1 || options.senders > 16)) throw new UsageError('--senders 应为 1 到 16 之间的整数');
  return options;
}

async function main(): Promise<void> {
  const options = parseDemoDataArgs(process.argv.slice(2));
  if (options.url) {
    const api = await ConsoleApi.signIn(options.url, options.username, options.password, options.totp);
    const summary = await loadWorld(api, options);
    process.exitCode = summary.failed.length > 0 ? 1 : 0;
    return;
  }
  // In process: the configured database, migrated, with the demo organisations and accounts when it is empty.
  const config = loadConfig({ LOG_LEVEL: 'warn', ...process.env } as NodeJS.ProcessEnv);
  const app = await createContext(config);
  try {
    await app.db.start();
    if (config.env !== 'production' && (await seedDemo(app))) console.log('demo organisations and accounts seeded');
    const summary = await loadDemoWorld(app, options);
    process.exitCode = summary.failed.length > 0 ? 1 : 0;
  } finally {
    await app.db.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) {
      if (error.message) console.error(error.message);
      console.error(USAGE);
      process.exit(2);
    }
    if (error instanceof WorldOptionsError || error instanceof WorldLoadError || error instanceof ConfigError) {
      console.error(error.message);
      process.exit(error instanceof WorldOptionsError ? 2 : 1);
    }
    console.error(error);
    process.exit(1);
  });
}
