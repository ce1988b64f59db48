import { ApiError, MAX_AMOUNT_FEN, MAX_RATE_BP } from '@xyd/shared';
import type { FormInstance } from 'antd';
import type { Rule } from 'antd/es/form';
import { formatDateTime } from '@/utils/format';
import { bpToPercent, fenToYuan, isWholeFenYuan } from '../products/terms';

/** The largest amount and rate the API takes, in the units the forms are typed in. */
export const MAX_YUAN = fenToYuan(MAX_AMOUNT_FEN);
export const MAX_PERCENT = bpToPercent(MAX_RATE_BP);

export const required = (message: string): Rule => ({ required: true, message });

/** 元 with at most two decimals: a finer amount would be rounded away silently on the way to fen. */
export const wholeFen: Rule = {
  validator: (_, value: number | null | undefined) =>
    value === null || value === undefined || isWholeFenYuan(value)
      ? Promise.resolve()
      : Promise.reject(new Error('金额最多精确到分（小数点后 2 位）')),
};

/** Today in Asia/Shanghai, YYYY-MM-DD: the default day of a disbursement or a repayment. */
export function todayInShanghai(): string {
  return formatDateTime(new Date().toISOString()).slice(0, 10);
}

/**
 * Where a server field error belongs on a form: the API's name without the body's sub-object (`offer.amountFen`,
 * `loan.disbursedOn`, `rejection.text`), renamed where the form holds another unit (amountFen → amountYuan).
 * Only names in `fields` exist on the form; anything else answers null.
 */
export function formFieldFor(serverField: string, renames: Readonly<Record<string, string>>, fields: readonly string[]): string | null {
  const path = serverField.replace(/^(body\.)?(offer|loan|rejection)\./, '');
  const name = renames[path] ?? path;
  return fields.includes(name) ? name : null;
}

/**
 * Puts the server's field errors (400 `errorFields`) on the fields they name. The global handler has already shown
 * the message; answers whether any landed on the form.
 */
export function showFieldErrors(
  form: Pick<FormInstance, 'setFields'>,
  error: unknown,
  renames: Readonly<Record<string, string>>,
  fields: readonly string[],
): boolean {
  if (!(error instanceof ApiError)) return false;
  const byField = new Map<string, string[]>();
  for (const { field, message } of error.errorFields) {
    const name = formFieldFor(field, renames, fields);
    if (!name) continue;
    const messages = byField.get(name) ?? [];
    if (!messages.includes(message)) messages.push(message);
    byField.set(name, messages);
  }
  form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  return byField.size > 0;
}

/** The money and rate fields of the offer and loan forms, by their API names. */
export const MONEY_RENAMES = {
  amountFen: 'amountYuan',
  rateBp: 'ratePercent',
  principalFen: 'principalYuan',
  interestFen: 'interestYuan',
} as const;
