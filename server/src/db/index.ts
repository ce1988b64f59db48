import fs from 'node:fs';
import path from 'node:path';
import { createPool, type Pool } from 'mysql2';
import { DatabaseError, QueryTypes, Sequelize, Transaction, type Options } from 'sequelize';
import { Umzug, SequelizeStorage } from 'umzug';
import { migrations } from './migrations';
import { initModels } from './models';
import { leaseIdWorker, type IdLease } from './id-workers';
import { currentTransaction, transactionContext } from './transaction-context';

export type Dialect = 'sqlite' | 'mysql';

Sequelize.useCLS(transactionContext as never);

const RETRYABLE_MYSQL = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);
const MAX_TRANSACTION_ATTEMPTS = 5;

/** A deadlock or lock-wait timeout (MySQL) or a busy database (SQLite): the whole transaction may run again. */
export function isRetryableTransactionError(error: unknown): boolean {
  const e = error as { parent?: { code?: string; errno?: number }; original?: { code?: string }; name?: string } | null;
  const code = e?.parent?.code ?? e?.original?.code;
  if (code && RETRYABLE_MYSQL.has(code)) return true;
  if (e?.parent?.errno === 1213 || e?.parent?.errno === 1205) return true;
  return code === 'SQLITE_BUSY' || e?.name === 'SequelizeTimeoutError';
}

/**
 * The database handle every service receives. `transaction` is the only way services open one:
 * - a call inside another joins it (so an idempotency key and the change it guards commit together);
 * - on MySQL a deadlock or lock-wait timeout re-runs the whole transaction a bounded number of times, so
 *   the function must have no side effects outside the database;
 * - SQLite (one writer at a time) gets its transactions queued in-process instead of failing with SQLITE_BUSY.
 */
export class Database {
  private queue: Promise<unknown> = Promise.resolve();
  private idLease: IdLease | null = null;

  constructor(
    readonly sequelize: Sequelize,
    readonly dialect: Dialect,
    /** The SQLite file (null in memory or on MySQL): its migration lock lives beside it. */
    private readonly sqliteFile: string | null = null,
  ) {}

  /** The transaction the caller is running in, if any. */
  get activeTransaction(): Transaction | undefined {
    return currentTransaction();
  }

  async transaction<T>(fn: (t: Transaction) => Promise<T>): Promise<T> {
    const outer = this.activeTransaction;
    if (outer) return fn(outer);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.runOnce(fn);
      } catch (error) {
        if (attempt >= MAX_TRANSACTION_ATTEMPTS || !isRetryableTransactionError(error)) throw error;
        // Jittered backoff: the transactions that deadlocked together should not meet again.
        await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** attempt + Math.random() * 20 * attempt));
      }
    }
  }

  private runOnce<T>(fn: (t: Transaction) => Promise<T>): Promise<T> {
    const body = (t: Transaction) => fn(t);
    if (this.dialect === 'mysql') return this.sequelize.transaction(body);
    const run = this.queue.then(() => this.sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, body));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Applies pending migrations. On MySQL they run under a named lock (GET_LOCK), so several processes starting
   * together on an empty database migrate once; the others wait and then find nothing to do.
   */
  async migrate(): Promise<string[]> {
    const umzug = new Umzug({
      migrations,
      context: this.sequelize.getQueryInterface(),
      storage: new SequelizeStorage({ sequelize: this.sequelize, tableName: 'schema_migrations' }),
      logger: undefined,
    });
    if (this.dialect !== 'mysql') return withFileLock(this.sqliteFile, async () => (await umzug.up()).map((m) => m.name));
    // A transaction pins one connection, and the named lock belongs to that connection's session.
    return this.sequelize.transaction(async (t) => {
      const [rows] = (await this.sequelize.query("SELECT GET_LOCK('xyd_migrations', 300) AS got", { transaction: t })) as [Array<{ got: number | string | null }>, unknown];
      if (Number(rows[0]?.got) !== 1) throw new Error('could not take the migration lock within 300 s');
      try {
        return (await umzug.up()).map((m) => m.name);
      } finally {
        await this.sequelize.query("SELECT RELEASE_LOCK('xyd_migrations')", { transaction: t });
      }
    });
  }

  /** Migrates, then leases this process's id worker: what every process does before serving or working. */
  async start(): Promise<string[]> {
    const applied = await this.migrate();
    if (!this.idLease) this.idLease = await leaseIdWorker();
    return applied;
  }

  async close(): Promise<void> {
    if (this.idLease) {
      await this.idLease.release();
      this.idLease = null;
    }
    const lean = leanPools.get(this.sequelize);
    leanPools.delete(this.sequelize);
    await this.sequelize.close();
    if (lean) await new Promise<void>((resolve) => lean.end(() => resolve()));
  }
}

/**
 * SQLite has no named locks: processes sharing a file take turns through an exclusive lock file beside it.
 * A lock older than ten minutes belongs to a process that died and is broken.
 */
async function withFileLock<T>(file: string | null, fn: () => Promise<T>): Promise<T> {
  if (!file) return fn();
  const lock = `${file}.migrate.lock`;
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      fs.mkdirSync(path.dirname(lock), { recursive: true });
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 600_000) fs.rmSync(lock, { force: true });
      if (Date.now() > deadline) throw new Error(`could not take the migration lock ${lock} within 300 s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/**
 * On MySQL each database also has a small driver pool of its own for `leanSelect`. Sequelize's connections carry
 * its per-field type-cast callback, which mysql2 cannot switch off per query and which costs more than the rest of
 * the row parsing; this pool casts natively to the same values (DATETIME as a UTC Date, DATE as YYYY-MM-DD text,
 * BIGINT and DECIMAL as strings), and its sessions run in UTC as Sequelize's do.
 */
const leanPools = new WeakMap<Sequelize, Pool>();

/** Per process on MySQL: the most connections of each pool (Sequelize's and the lean one), and their idle time. */
const POOL_MAX = 10;
const POOL_IDLE_MS = 10_000;
/** Driver options both pools share: BIGINT values as strings, utf8mb4. */
const DRIVER_OPTIONS = { supportBigNumbers: true, bigNumberStrings: true, charset: 'utf8mb4' };

function leanPool(url: string): Pool {
  const pool = createPool({
    ...DRIVER_OPTIONS,
    uri: url,
    connectionLimit: POOL_MAX,
    maxIdle: 0,
    idleTimeout: POOL_IDLE_MS,
    timezone: '+00:00',
    dateStrings: ['DATE'],
  });
  pool.on('connection', (connection) => connection.query("SET time_zone = '+00:00'"));
  return pool;
}

/** Queries issued through Sequelize and through `leanSelect`, for the bench's queries-per-request figure. */
export const queryCounter = { count: 0 };

/**
 * A read on a hot path (every request's session, the enterprise detail): on MySQL it goes straight to a pooled
 * driver connection, skipping Sequelize's query building; inside a transaction, or on SQLite, through Sequelize.
 * `?` placeholders; driver errors come out as Sequelize errors, so the error middleware maps them as usual.
 */
export async function leanSelect<T extends object>(sequelize: Sequelize, sql: string, params: unknown[] = []): Promise<T[]> {
  const transaction = currentTransaction();
  if (sequelize.getDialect() !== 'mysql' || transaction) {
    return sequelize.query<T>(sql, { replacements: params, type: QueryTypes.SELECT, transaction });
  }
  const pool = leanPools.get(sequelize);
  if (!pool) throw new Error('leanSelect: this Sequelize instance was not opened by connect()');
  queryCounter.count += 1;
  return new Promise<T[]>((resolve, reject) =>
    pool.query({ sql, values: params }, (error, rows) => (error ? reject(new DatabaseError(error as never)) : resolve(rows as T[]))),
  );
}

/**
 * Multi-row INSERTs of many rows (scores, warnings, notifications from one scoring batch) with bind parameters: the
 * values go to the driver as they are, instead of Sequelize splicing thousands of replacements into the SQL text.
 * Dates are written as Sequelize writes them on each dialect (UTC; SQLite compares them as text).
 */
export async function insertRows(
  sequelize: Sequelize,
  table: string,
  columns: readonly string[],
  rows: readonly unknown[][],
  t?: Transaction,
  perStatement = 200,
): Promise<void> {
  const sqlite = sequelize.getDialect() === 'sqlite';
  const value = (v: unknown) => {
    if (!(v instanceof Date)) return v;
    const text = v.toISOString().replace('T', ' ').replace('Z', '');
    return sqlite ? `${text} +00:00` : text;
  };
  for (let start = 0; start < rows.length; start += perStatement) {
    const slice = rows.slice(start, start + perStatement);
    let n = 0;
    const tuples = slice.map((row) => `(${row.map(() => `$${++n}`).join(',')})`).join(',');
    await sequelize.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples}`, {
      bind: slice.flatMap((row) => row.map(value)),
      type: QueryTypes.INSERT,
      transaction: t,
    });
  }
}

/** A DATEONLY column as `YYYY-MM-DD`: mysql2 may hand it over as a Date (at UTC midnight), SQLite as text. */
export function isoDay(value: string | Date | null): string | null {
  return value === null ? null : value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}

/** mysql2 answers SUM/AVG/COUNT over BIGINT as strings and SQLite as numbers: every aggregate goes through here. */
export function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) throw new TypeError(`not a number: ${String(value)}`);
  return n;
}

export function connect(databaseUrl: string, log: (sql: string) => void = () => undefined): Database {
  const common: Options = {
    logging: false,
    benchmark: false,
    define: { underscored: true, timestamps: true },
    timezone: '+00:00',
  };
  void log;
  if (databaseUrl.startsWith('sqlite:')) {
    const storage = databaseUrl.slice('sqlite:'.length) || ':memory:';
    const sequelize = new Sequelize({ ...common, dialect: 'sqlite', storage });
    countQueries(sequelize);
    configureSqliteConnections(sequelize);
    initModels(sequelize);
    return new Database(sequelize, 'sqlite', storage === ':memory:' ? null : storage);
  }
  const url = databaseUrl.replace(/^mariadb:/, 'mysql:');
  const sequelize = new Sequelize(url, {
    ...common,
    dialect: 'mysql',
    dialectOptions: DRIVER_OPTIONS,
    pool: { max: POOL_MAX, min: 0, idle: POOL_IDLE_MS },
  });
  leanPools.set(sequelize, leanPool(url));
  countQueries(sequelize);
  initModels(sequelize);
  return new Database(sequelize, 'mysql');
}

function countQueries(sequelize: Sequelize): void {
  sequelize.addHook('beforeQuery', () => {
    queryCounter.count += 1;
  });
}

interface SqliteConnection {
  configure(option: 'busyTimeout', ms: number): void;
  run(sql: string): void;
  __xydConfigured?: boolean;
}

/** Every SQLite connection (Sequelize opens one per transaction) waits for locks and uses WAL. */
function configureSqliteConnections(sequelize: Sequelize): void {
  const manager = sequelize.connectionManager as unknown as {
    getConnection(options?: object): Promise<SqliteConnection>;
  };
  const original = manager.getConnection.bind(manager);
  manager.getConnection = async (options?: object) => {
    const connection = await original(options);
    if (!connection.__xydConfigured) {
      connection.__xydConfigured = true;
      connection.configure('busyTimeout', 15_000);
      connection.run('PRAGMA journal_mode=WAL');
    }
    return connection;
  };
}
