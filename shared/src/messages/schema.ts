import { z } from 'zod';

export const ZMessage = z.object({
  id: z.string(),
  title: z.string(),
  body: z.string(),
  link: z.string().nullable(),
  readAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TMessage = z.infer<typeof ZMessage>;

export const ZMessageQuery = z.object({
  unread: z
    .enum(['true', 'false'], { error: 'unread 只能为 true 或 false' })
    .transform((v) => v === 'true')
    .optional(),
});

export const ZUnreadCount = z.object({ count: z.number().int() });

export const SUBSCRIBE_RESULTS = ['accept', 'reject', 'ban', 'filter'] as const;
export const ZSubscriptionReport = z.object({
  results: z
    .record(z.string().min(1).max(128), z.enum(SUBSCRIBE_RESULTS, { error: '订阅结果只能是 accept、reject、ban 或 filter' }))
    .refine((r) => Object.keys(r).length > 0 && Object.keys(r).length <= 3, '每次最多上报 3 个模板的订阅结果'),
}).meta({ example: { results: { 'dev-verification-result': 'accept', 'dev-application-progress': 'reject' } } });
export type TSubscriptionReport = z.infer<typeof ZSubscriptionReport>;

export const ZSubscriptionTemplate = z.object({ key: z.string(), templateId: z.string(), title: z.string(), granted: z.number().int() });
export type TSubscriptionTemplate = z.infer<typeof ZSubscriptionTemplate>;
