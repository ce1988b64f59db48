import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AppContext } from '../context';
import { clock } from '../lib/clock';
import {
  claimJob,
  completeJob,
  errorText,
  failJob,
  findClaimable,
  renewLease,
  retryJobLater,
  scheduleTick,
  writeCheckpoint,
  type ClaimCandidate,
  type ClaimedJob,
} from './queue';
import { LeaseLostError, backoffDelayMs, isRetryable, jobDefinition, jobDefinitions, type JobDefinition } from './registry';
import { nextTick, recurringJobs, type RecurringJob } from './schedule';
import './definitions';

export interface WorkerOptions {
  /** Written as the lease owner; unique per worker by default. */
  owner?: string;
  /** Jobs run at the same time. */
  concurrency?: number;
  /** How often to look for due jobs while idle (default 1 s, or the shortest interval schedule if shorter). */
  pollMs?: number;
  /** Lease of types that do not set their own. */
  leaseMs?: number;
  /** Only these types (default: every defined type). */
  types?: string[];
  /** Keep the process alive while the worker runs (a worker-only process has nothing else holding it). */
  keepAlive?: boolean;
}

export const DEFAULT_LEASE_MS = 30_000;

/**
 * Claims due jobs, runs them with a heartbeat on their lease, and writes their outcome fenced by the claim's
 * token. Any number of workers, in any number of processes, can run against one database.
 */
export class Worker {
  readonly owner: string;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly onlyTypes: Set<string> | null;
  private readonly keepAlive: boolean;
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private readonly scheduledTicks = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private pollAgain = false;
  private stopping = false;

  constructor(
    private readonly app: AppContext,
    options: WorkerOptions = {},
  ) {
    this.owner = (options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`).slice(0, 96);
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    // Poll at least as often as the shortest interval schedule ticks, or its ticks would be skipped.
    const shortestTick = Math.min(...recurringJobs(app.config).map((r) => r.everyMs ?? Infinity));
    this.pollMs = Math.max(10, Math.min(options.pollMs ?? 1000, shortestTick));
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.onlyTypes = options.types ? new Set(options.types) : null;
    this.keepAlive = options.keepAlive ?? false;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.poll(), this.pollMs);
    if (!this.keepAlive) this.timer.unref();
    this.poll();
  }

  /** Stops claiming and waits for the jobs in hand to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private types(): JobDefinition[] {
    return jobDefinitions().filter((d) => !this.onlyTypes || this.onlyTypes.has(d.type));
  }

  /** One pass at a time; a request for a pass while one runs makes it go round once more. */
  private poll(): void {
    if (this.stopping) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    this.polling = (async () => {
      do {
        this.pollAgain = false;
        try {
          await this.scheduleRecurring();
          await this.claimAndRun();
        } catch (error) {
          this.app.logger.error({ err: error, owner: this.owner }, 'job worker pass failed');
        }
      } while (this.pollAgain && !this.stopping);
    })().finally(() => {
      this.polling = null;
    });
  }

  private async scheduleRecurring(): Promise<void> {
    const mine = new Set(this.types().map((d) => d.type));
    const now = clock.now();
    for (const entry of recurringJobs(this.app.config)) {
      if (!mine.has(entry.type)) continue;
      const tick = nextTick(entry, now);
      const key = tick.toISOString();
      if (this.scheduledTicks.get(entry.type) === key) continue;
      await scheduleTick(entry.type, tick, entry.maxAttempts ?? 1);
      this.scheduledTicks.set(entry.type, key);
    }
  }

  private async claimAndRun(): Promise<void> {
    const free = this.concurrency - this.running.size;
    if (free <= 0) return;
    // Read more candidates than slots and try them in random order, so that workers polling together do not
    // all race for the same first rows.
    const limit = free * 3 + 2;
    const candidates = shuffle(await findClaimable(this.types().map((d) => d.type), limit));
    let claimed = 0;
    for (const candidate of candidates) {
      if (claimed >= free || this.stopping) break;
      const job = await this.claim(candidate);
      if (!job) continue;
      claimed += 1;
      this.run(job);
    }
    // Slots left while every candidate went to other workers: more may be due, so look again at once.
    if (claimed < free && candidates.length === limit) this.pollAgain = true;
  }

  private async claim(candidate: ClaimCandidate): Promise<ClaimedJob | null> {
    const definition = jobDefinition(candidate.type);
    if (!definition) return null;
    return claimJob(candidate, this.owner, definition.leaseMs ?? this.leaseMs);
  }

  private run(job: ClaimedJob): void {
    const controller = new AbortController();
    const done = this.execute(job, controller)
      .catch((error) => this.app.logger.error({ err: error, jobId: job.id, type: job.type }, 'job bookkeeping failed'))
      .finally(() => {
        this.running.delete(job.id);
        this.poll();
      });
    this.running.set(job.id, { controller, done });
  }

  private async execute(job: ClaimedJob, controller: AbortController): Promise<void> {
    const definition = jobDefinition(job.type)!;
    const log = this.app.logger.child({ jobId: job.id, type: job.type, attempt: job.attempts, owner: this.owner });
    if (job.attempts > job.maxAttempts) {
      // Its last attempt's worker died holding it.
      await failJob(job, '执行该任务的进程失联，已达最大尝试次数');
      log.warn('job failed: worker lost on its last attempt');
      return;
    }
    let lost = false;
    let leaseValidUntil = clock.nowMs() + job.leaseMs;
    const loseLease = () => {
      if (lost) return;
      lost = true;
      controller.abort(new LeaseLostError(job.id));
    };
    const heartbeat = setInterval(() => {
      renewLease(job)
        .then((kept) => {
          if (kept) leaseValidUntil = clock.nowMs() + job.leaseMs;
          else loseLease();
        })
        .catch((error) => {
          log.warn({ err: error }, 'lease renewal failed');
          // Without a renewal another worker may take the job once the lease ends: stop before that.
          if (clock.nowMs() >= leaseValidUntil) loseLease();
        });
    }, Math.max(5, Math.floor(job.leaseMs / 3)));
    heartbeat.unref();

    let outcome: { ok: true } | { ok: false; error: unknown };
    try {
      const payload = parsePayload(definition, job.payload);
      await definition.handler({
        app: this.app,
        id: job.id,
        type: job.type,
        payload,
        attempt: job.attempts,
        maxAttempts: job.maxAttempts,
        signal: controller.signal,
        checkpoint: async (next) => {
          if (lost || !(await writeCheckpoint(job, next))) {
            loseLease();
            throw new LeaseLostError(job.id);
          }
          leaseValidUntil = clock.nowMs() + job.leaseMs;
        },
      });
      outcome = { ok: true };
    } catch (error) {
      outcome = { ok: false, error };
    } finally {
      clearInterval(heartbeat);
    }

    if (lost) {
      log.warn('job lease lost: outcome not written, the new holder decides');
      return;
    }
    let written: boolean;
    if (outcome.ok) {
      written = await completeJob(job);
    } else {
      const text = errorText(outcome.error);
      const final = !isRetryable(outcome.error) || job.attempts >= job.maxAttempts;
      written = final
        ? await failJob(job, text)
        : await retryJobLater(job, text, new Date(clock.nowMs() + backoffDelayMs(definition.backoff, job.attempts)));
      log[final ? 'error' : 'warn']({ err: outcome.error, final }, final ? 'job failed' : 'job attempt failed, will retry');
    }
    if (!written) log.warn('job outcome refused: the lease was taken over');
  }
}

function parsePayload(definition: JobDefinition, text: string | null): unknown {
  const value: unknown = text === null ? {} : JSON.parse(text);
  if (!definition.payload) return value;
  const parsed = definition.payload.safeParse(value);
  if (!parsed.success) {
    const error = new Error(`任务参数不正确：${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('；')}`);
    (error as Error & { retryable: boolean }).retryable = false;
    throw error;
  }
  return parsed.data;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Starts a worker; the returned function stops it and resolves once its running jobs have finished. */
export function startWorker(app: AppContext, options: WorkerOptions = {}): () => Promise<void> {
  const worker = new Worker(app, options);
  worker.start();
  return () => worker.stop();
}

export type { RecurringJob };
