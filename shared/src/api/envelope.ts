import { z } from 'zod';

export const ZFieldError = z.object({ field: z.string(), message: z.string() });
export type TFieldError = z.infer<typeof ZFieldError>;

/** Every response body: umi's request plugin and the mini-program's request module both read this shape. */
export interface ApiEnvelope<T> {
  success: boolean;
  data?: T;
  errorCode?: string;
  errorMessage?: string;
  errorFields?: TFieldError[];
  requestId?: string;
}

export const ZErrorEnvelope = z.object({
  success: z.literal(false),
  errorCode: z.string(),
  errorMessage: z.string(),
  errorFields: z.array(ZFieldError).optional(),
  requestId: z.string().optional(),
});

export function envelopeOf<T extends z.ZodTypeAny>(data: T) {
  return z.object({ success: z.literal(true), data });
}

export interface PageResult<T> {
  list: T[];
  total: number;
}

export function pageOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({ list: z.array(item), total: z.number().int() });
}
