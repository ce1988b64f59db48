import { z } from 'zod';

/** A background job's life: waiting (or scheduled) → running (leased by a worker) → done, or failed after its last attempt. */
export const ZJobStatus = z.enum(['pending', 'running', 'done', 'failed']);
export type TJobStatus = z.infer<typeof ZJobStatus>;

export const JOB_STATUS_LABELS: Record<TJobStatus, string> = {
  pending: '等待中',
  running: '运行中',
  done: '已完成',
  failed: '已失败',
};

export const ZJob = z.object({
  id: z.string(),
  type: z.string(),
  status: ZJobStatus,
  // OpenAPI 3.0 has no "any value" type: without this, zod-to-openapi emits a bare `nullable: true`.
  payload: z.record(z.string(), z.unknown()).nullable().meta({ type: 'object', nullable: true, additionalProperties: {}, description: '任务参数（任意 JSON 字段）' }),
  runAt: z.string(),
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  lastError: z.string().nullable(),
  leaseOwner: z.string().nullable(),
  leaseUntil: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TJob = z.infer<typeof ZJob>;

export const ZJobQuery = z.object({
  status: ZJobStatus.optional(),
  type: z.string().trim().max(64).optional(),
});
export type TJobQuery = z.infer<typeof ZJobQuery>;

/** One row per job type: how many are in each state, and when the type last ran. */
export const ZJobQueueSummary = z.object({
  type: z.string(),
  pending: z.number().int(),
  running: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  lastFinishedAt: z.string().nullable(),
  schedule: z.string().nullable(),
});
export type TJobQueueSummary = z.infer<typeof ZJobQueueSummary>;

export const ZJobSummary = z.object({ queues: z.array(ZJobQueueSummary) });
export type TJobSummary = z.infer<typeof ZJobSummary>;
