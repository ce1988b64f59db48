import { z } from 'zod';

export const ZAuditLog = z.object({
  id: z.string(),
  at: z.string(),
  actorType: z.enum(['admin', 'wechat', 'system', 'anonymous']),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  outcome: z.enum(['success', 'failure', 'denied']),
  detail: z.record(z.string(), z.unknown()).nullable(),
  ip: z.string().nullable(),
  hash: z.string(),
});
export type TAuditLog = z.infer<typeof ZAuditLog>;

export const ZAuditQuery = z.object({
  action: z.string().trim().max(64).optional(),
  actorId: z.string().regex(/^\d+$/, '操作人编号不正确').optional(),
});

export const ZAuditVerifyResult = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBrokenId: z.string().nullable(),
  reason: z.string().nullable(),
});
export type TAuditVerifyResult = z.infer<typeof ZAuditVerifyResult>;

export const ZWorkbench = z.object({
  cards: z.array(z.object({ key: z.string(), title: z.string(), value: z.number(), link: z.string().nullable() })),
});
export type TWorkbench = z.infer<typeof ZWorkbench>;

export const ZHealth = z.object({ status: z.literal('ok'), database: z.enum(['sqlite', 'mysql']), version: z.string() });
