import type { ZodType } from 'zod';
import type { AppContext } from '../context';

/** What a handler gets besides its payload. */
export interface JobRun<P> {
  app: AppContext;
  id: string;
  type: string;
  payload: P;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
  /** Aborted when the lease is lost: another worker may now run the job, so stop and write nothing. */
  signal: AbortSignal;
  /**
   * Stores progress as the job's payload, so a retry or a takeover resumes from it. Throws LeaseLostError when
   * this worker no longer holds the job.
   */
  checkpoint(payload: P): Promise<void>;
}

export type JobHandler<P> = (run: JobRun<P>) => Promise<void>;

export interface JobBackoff {
  /** Delay before the second attempt; doubled for each further one. */
  baseMs: number;
  maxMs: number;
}

export interface JobOptions<P> {
  /** Console label (Chinese). */
  label?: string;
  maxAttempts?: number;
  backoff?: JobBackoff;
  /** How long a claim holds without a heartbeat; the heartbeat renews it every third of this. */
  leaseMs?: number;
  /** Validates the payload before the handler runs; a payload that fails it fails the job at once. */
  payload?: ZodType<P>;
}

export interface JobDefinition<P = unknown> {
  type: string;
  handler: JobHandler<P>;
  label: string;
  maxAttempts: number;
  backoff: JobBackoff;
  leaseMs: number | null;
  payload: ZodType<P> | null;
}

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_BACKOFF: JobBackoff = { baseMs: 5_000, maxMs: 3600_000 };

const definitions = new Map<string, JobDefinition>();

/**
 * Registers a job type. Defined once per process at module load (like routes), so the API process, which
 * enqueues, and the workers, which run, agree on the defaults.
 */
export function defineJob<P = Record<string, unknown>>(type: string, handler: JobHandler<P>, options: JobOptions<P> = {}): JobDefinition<P> {
  if (!/^[a-z][a-z0-9_.-]{0,63}$/.test(type)) throw new Error(`job type must be lower-case and at most 64 characters: ${type}`);
  const existing = definitions.get(type);
  if (existing && existing.handler !== handler) throw new Error(`job type defined twice: ${type}`);
  const definition: JobDefinition<P> = {
    type,
    handler,
    label: options.label ?? type,
    maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    leaseMs: options.leaseMs ?? null,
    payload: options.payload ?? null,
  };
  definitions.set(type, definition as JobDefinition);
  return definition;
}

export function jobDefinition(type: string): JobDefinition | undefined {
  return definitions.get(type);
}

export function jobDefinitions(): JobDefinition[] {
  return [...definitions.values()];
}

/** Delay before attempt `attempts + 1`, after `attempts` failed ones. */
export function backoffDelayMs(backoff: JobBackoff, attempts: number): number {
  return Math.min(backoff.baseMs * 2 ** Math.max(0, attempts - 1), backoff.maxMs);
}

/** Thrown by a handler for a failure that another attempt cannot fix (bad payload, refused by a partner). */
export class NonRetryableJobError extends Error {
  readonly retryable = false;
}

/** The worker no longer holds the job: another worker took it over after the lease ran out. */
export class LeaseLostError extends Error {
  constructor(readonly jobId: string) {
    super(`lease on job ${jobId} lost`);
  }
}

export function isRetryable(error: unknown): boolean {
  return !(error && typeof error === 'object' && (error as { retryable?: unknown }).retryable === false);
}
