import { z } from 'zod';

/** `seq` and `hash` are null until the sealer has chained the row (moments after it was written). */
export const ZAuditLog = z.object({
  id: z.string(),
  seq: z.string().nullable(),
  at: z.string(),
  actorType: z.enum(['admin', 'wechat', 'source', 'system', 'anonymous']),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  outcome: z.enum(['success', 'failure', 'denied']),
  // OpenAPI 3.0 has no "any value" type: without this, zod-to-openapi emits a bare `nullable: true`.
  detail: z.record(z.string(), z.unknown()).nullable().meta({ type: 'object', nullable: true, additionalProperties: {}, description: '事件详情（任意 JSON 字段）' }),
  ip: z.string().nullable(),
  hash: z.string().nullable(),
});
export type TAuditLog = z.infer<typeof ZAuditLog>;

export const ZAuditQuery = z.object({
  action: z.string().trim().max(64).optional(),
  actorId: z.string().regex(/^\d+$/, '操作人编号不正确').optional(),
});

/** One row whose stored content, link or place in the chain does not hold. */
export const ZAuditBrokenRow = z.object({ id: z.string(), seq: z.string(), reason: z.string() });
export type TAuditBrokenRow = z.infer<typeof ZAuditBrokenRow>;

/**
 * The latest verification run (a job on the worker): incremental from the last good checkpoint, reporting every
 * broken row rather than only the first. `firstBrokenId`/`reason` repeat the first entry of `broken`.
 */
export const ZAuditVerifyResult = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  broken: z.array(ZAuditBrokenRow),
  firstBrokenId: z.string().nullable(),
  reason: z.string().nullable(),
  /** Highest sealed (chained) sequence number and its hash. */
  sealedSeq: z.string().nullable(),
  headHash: z.string().nullable(),
  /** Rows appended but not yet chained by the sealer. */
  unsealed: z.number().int(),
  verifiedAt: z.string().nullable(),
});
export type TAuditVerifyResult = z.infer<typeof ZAuditVerifyResult>;

/** The chain head exported periodically as an external anchor: write it down elsewhere to detect a rewrite. */
export const ZAuditAnchor = z.object({ id: z.string(), seq: z.string(), hash: z.string(), at: z.string() });
export type TAuditAnchor = z.infer<typeof ZAuditAnchor>;

export const ZWorkbench = z.object({
  cards: z.array(z.object({ key: z.string(), title: z.string(), value: z.number(), link: z.string().nullable() })),
});
export type TWorkbench = z.infer<typeof ZWorkbench>;

export const ZHealth = z.object({ status: z.literal('ok'), database: z.enum(['sqlite', 'mysql']), version: z.string() });
