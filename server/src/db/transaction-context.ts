import { AsyncLocalStorage } from 'node:async_hooks';
import type { Transaction } from 'sequelize';

/**
 * Sequelize's CLS hook on AsyncLocalStorage: inside `db.transaction(fn)` every query that names no transaction runs
 * in it. So a service's reads see its own uncommitted writes, and a request wrapped in a transaction (idempotency
 * keys) cannot read around it on another connection.
 */
const transactionStore = new AsyncLocalStorage<Map<string, unknown>>();
export const transactionContext = {
  run(fn: (context: Map<string, unknown>) => unknown) {
    const context = new Map(transactionStore.getStore() ?? []);
    return transactionStore.run(context, () => fn(context));
  },
  runAndReturn(fn: (context: Map<string, unknown>) => unknown) {
    return this.run(fn);
  },
  bind<F extends (...args: never[]) => unknown>(fn: F): F {
    return fn;
  },
  get(key: string): unknown {
    return transactionStore.getStore()?.get(key);
  },
  set(key: string, value: unknown): void {
    transactionStore.getStore()?.set(key, value);
  },
};

/** The transaction the caller is running in, if any. */
export function currentTransaction(): Transaction | undefined {
  return (transactionContext.get('transaction') as Transaction | null | undefined) ?? undefined;
}
