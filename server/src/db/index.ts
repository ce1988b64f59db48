import { Sequelize, Transaction, type Options } from 'sequelize';
import { Umzug, SequelizeStorage } from 'umzug';
import { migrations } from './migrations';
import { initModels } from './models';

export type Dialect = 'sqlite' | 'mysql';

/**
 * The database handle every service receives. `transaction` is the only way services open one, so that
 * SQLite (one writer at a time) gets its transactions queued in-process instead of failing with SQLITE_BUSY.
 */
export class Database {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly sequelize: Sequelize,
    readonly dialect: Dialect,
  ) {}

  async transaction<T>(fn: (t: Transaction) => Promise<T>): Promise<T> {
    if (this.dialect === 'mysql') return this.sequelize.transaction(fn);
    const run = this.queue.then(() => this.sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, fn));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async migrate(): Promise<string[]> {
    const umzug = new Umzug({
      migrations,
      context: this.sequelize.getQueryInterface(),
      storage: new SequelizeStorage({ sequelize: this.sequelize, tableName: 'schema_migrations' }),
      logger: undefined,
    });
    const applied = await umzug.up();
    return applied.map((m) => m.name);
  }

  async close(): Promise<void> {
    await this.sequelize.close();
  }
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
    configureSqliteConnections(sequelize);
    initModels(sequelize);
    return new Database(sequelize, 'sqlite');
  }
  const url = databaseUrl.replace(/^mariadb:/, 'mysql:');
  const sequelize = new Sequelize(url, {
    ...common,
    dialect: 'mysql',
    dialectOptions: { supportBigNumbers: true, bigNumberStrings: true, charset: 'utf8mb4' },
    pool: { max: 10, min: 0, idle: 10_000 },
  });
  initModels(sequelize);
  return new Database(sequelize, 'mysql');
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
