import type { TBatchStatus, TIngestBatch } from '@xyd/shared';

/** How often the console asks again while an import is queued or running (ProTable polls no faster than 2 s). */
export const POLL_INTERVAL_MS = 2000;

export function isActive(batch: Pick<TIngestBatch, 'status'>): boolean {
  return batch.status === 'queued' || batch.status === 'running';
}

export const STATUS_COLORS: Record<TBatchStatus, string> = {
  queued: 'default',
  running: 'processing',
  done: 'success',
  failed: 'error',
};

/** Whole percent of the rows read; 0 until the import has counted the file's rows. */
export function percentDone(batch: Pick<TIngestBatch, 'status' | 'rowsDone' | 'totalRows'>): number {
  if (batch.status === 'done') return 100;
  if (!batch.totalRows || batch.totalRows <= 0) return 0;
  return Math.min(100, Math.floor((batch.rowsDone / batch.totalRows) * 100));
}

/** `约 45 秒`, `约 3 分 20 秒`, `约 2 小时 5 分`. */
export function formatEta(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return null;
  const s = Math.ceil(seconds);
  if (s < 60) return `约 ${s} 秒`;
  if (s < 3600) return `约 ${Math.floor(s / 60)} 分 ${s % 60} 秒`;
  return `约 ${Math.floor(s / 3600)} 小时 ${Math.floor((s % 3600) / 60)} 分`;
}

/** `1,250 行/秒`. */
export function formatRate(rowsPerSecond: number | null | undefined): string | null {
  if (rowsPerSecond === null || rowsPerSecond === undefined || !Number.isFinite(rowsPerSecond) || rowsPerSecond < 0) return null;
  return `${Math.round(rowsPerSecond).toLocaleString('zh-CN')} 行/秒`;
}
