import type { TNeedDetail } from '@xyd/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import { getNeed } from '@/services/generated';

/** How often the page asks again while the first match is still queued. */
export const MATCH_POLL_MS = 2000;

export interface NeedDetailState {
  need: TNeedDetail | undefined;
  loading: boolean;
  error: unknown;
  reload: () => Promise<void>;
  /** Shows a detail a review call answered with, so that the next step names its version without another GET. */
  replace: (detail: TNeedDetail) => void;
}

/**
 * One need under review. Answers arriving after a newer request (or a `replace`) are dropped; while `matchedAt` is
 * null the need is fetched again every MATCH_POLL_MS until the worker has matched it.
 */
export function useNeedDetail(id: string): NeedDetailState {
  const [need, setNeed] = useState<TNeedDetail>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  // Bumped after every poll, answered or not, so that a failed poll is tried again.
  const [polls, setPolls] = useState(0);
  const latest = useRef(0);

  const fetchNeed = useCallback(
    async (quiet: boolean) => {
      const ticket = ++latest.current;
      if (!quiet) setLoading(true);
      try {
        const detail = await getNeed({ id }, quiet ? { skipErrorHandler: true } : undefined);
        if (ticket === latest.current) {
          setNeed(detail);
          setError(undefined);
        }
      } catch (e) {
        if (ticket === latest.current && !quiet) setError(e);
      } finally {
        if (ticket === latest.current) setLoading(false);
        if (quiet) setPolls((n) => n + 1);
      }
    },
    [id],
  );

  useEffect(() => {
    fetchNeed(false);
    return () => {
      latest.current += 1;
    };
  }, [fetchNeed]);

  const matching = need !== undefined && need.matchedAt === null;
  useEffect(() => {
    if (!matching) return undefined;
    const timer = setTimeout(() => fetchNeed(true), MATCH_POLL_MS);
    return () => clearTimeout(timer);
  }, [matching, polls, fetchNeed]);

  const reload = useCallback(() => fetchNeed(false), [fetchNeed]);
  const replace = useCallback((detail: TNeedDetail) => {
    latest.current += 1;
    setNeed(detail);
    setError(undefined);
    setLoading(false);
  }, []);

  return { need, loading, error, reload, replace };
}
