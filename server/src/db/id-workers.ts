import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { DataTypes, Model, Op, type Sequelize } from 'sequelize';
import { IdWorkerError, WORKER_COUNT, setIdWorker } from '../lib/ids';

/** One row per worker id (0–63); a process owns one while its lease holds. */
export class IdWorker extends Model {
  declare workerId: number;
  declare owner: string | null;
  declare token: number | string;
  declare leaseUntil: Date | null;
}

export function initIdWorkerModel(sequelize: Sequelize): void {
  IdWorker.init(
    {
      workerId: { type: DataTypes.INTEGER, primaryKey: true, field: 'worker_id' },
      owner: { type: DataTypes.STRING(96), allowNull: true },
      token: { type: DataTypes.BIGINT, allowNull: false },
      leaseUntil: { type: DataTypes.DATE(3), allowNull: true, field: 'lease_until' },
    },
    { sequelize, tableName: 'id_workers', timestamps: false, underscored: true },
  );
}

export const ID_LEASE_MS = 60_000;
/** Ids stop a little before the lease ends, so a slow heartbeat never overlaps another process's lease. */
const SAFETY_MS = 5_000;

export interface IdLease {
  workerId: number;
  release(): Promise<void>;
}

/**
 * Takes a free worker id with an atomic conditional UPDATE (owner + token, no SELECT … FOR UPDATE), then keeps it
 * with a heartbeat that matches owner and token. A process that loses its lease stops making ids until it has a
 * new one.
 */
export async function leaseIdWorker(options: { leaseMs?: number } = {}): Promise<IdLease> {
  const leaseMs = options.leaseMs ?? ID_LEASE_MS;
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`.slice(0, 96);
  let held: { workerId: number; token: string } | null = null;

  const acquire = async (): Promise<{ workerId: number; token: string }> => {
    for (let round = 0; round < 5; round++) {
      const now = new Date();
      const free = (await IdWorker.findAll({
        where: { [Op.or]: [{ leaseUntil: null }, { leaseUntil: { [Op.lt]: now } }] },
        attributes: ['workerId', 'token', 'leaseUntil'],
        raw: true,
      })) as unknown as Array<{ workerId: number; token: number | string; leaseUntil: Date | string | null }>;
      // Least recently used first, so a released id is not handed out again at once; ties in random order.
      free.sort((a, b) => (a.leaseUntil ? new Date(a.leaseUntil).getTime() : 0) - (b.leaseUntil ? new Date(b.leaseUntil).getTime() : 0) || Math.random() - 0.5);
      for (const candidate of free) {
        const until = new Date(Date.now() + leaseMs);
        const [won] = await IdWorker.update(
          { owner, token: IdWorker.sequelize!.literal('token + 1') as never, leaseUntil: until },
          {
            where: {
              workerId: candidate.workerId,
              token: Number(candidate.token),
              [Op.or]: [{ leaseUntil: null }, { leaseUntil: { [Op.lt]: now } }],
            },
          },
        );
        if (won === 1) {
          const token = String(BigInt(candidate.token) + 1n);
          setIdWorker(candidate.workerId, until.getTime() - SAFETY_MS);
          return { workerId: candidate.workerId, token };
        }
      }
    }
    throw new IdWorkerError(`all ${WORKER_COUNT} id worker ids are leased by live processes`);
  };

  held = await acquire();
  let stopped = false;
  let beating: Promise<void> = Promise.resolve();
  const beat = async () => {
    if (stopped || !held) return;
    const until = new Date(Date.now() + leaseMs);
    try {
      const [kept] = await IdWorker.update(
        { leaseUntil: until },
        { where: { workerId: held.workerId, owner, token: held.token } },
      );
      if (kept === 1) {
        setIdWorker(held.workerId, until.getTime() - SAFETY_MS);
        return;
      }
      // Taken over (this process was paused past its lease): stop making ids and lease a fresh one.
      setIdWorker(null);
      held = await acquire();
    } catch {
      // The database is unreachable: ids stop by themselves when the current lease runs out.
    }
  };
  const timer = setInterval(() => {
    beating = beating.then(beat);
  }, Math.max(1000, Math.floor(leaseMs / 3)));
  timer.unref();

  return {
    get workerId() {
      return held!.workerId;
    },
    async release() {
      stopped = true;
      clearInterval(timer);
      await beating;
      if (!held) return;
      setIdWorker(null);
      await IdWorker.update({ leaseUntil: new Date(), owner: null }, { where: { workerId: held.workerId, owner, token: held.token } }).catch(() => undefined);
    },
  };
}
