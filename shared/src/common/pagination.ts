import { z } from 'zod';

export const ZPageQuery = z.object({
  current: z.coerce.number().int().min(1, '页码从 1 开始').default(1),
  pageSize: z.coerce.number().int().min(1, '每页条数至少为 1').max(100, '每页条数不能超过 100').default(20),
});
export type TPageQuery = z.infer<typeof ZPageQuery>;

/** Numeric path ids arrive as strings; BIGINT keys stay strings in JSON to avoid precision loss. */
export const ZIdParam = z.object({ id: z.string().regex(/^\d{1,19}$/, '编号格式不正确') });
export type TIdParam = z.infer<typeof ZIdParam>;
