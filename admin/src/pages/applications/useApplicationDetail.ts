import type { TApplicationDetail } from '@xyd/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import { getApplication } from '@/services/generated';

export interface ApplicationDetailState {
  detail: TApplicationDetail | undefined;
  loading: boolean;
  error: unknown;
  reload: () => Promise<void>;
  /** Shows the detail a move answered with, so that the next move names its version without another GET. */
  replace: (detail: TApplicationDetail) => void;
}

/** One application; answers arriving after a newer request (or a `replace`) are dropped. */
export function useApplicationDetail(id: string): ApplicationDetailState {
  const [detail, setDetail] = useState<TApplicationDetail>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const latest = useRef(0);

  const reload = useCallback(async () => {
    const ticket = ++latest.current;
    setLoading(true);
    try {
      const next = await getApplication({ id });
      if (ticket === latest.current) {
        setDetail(next);
        setError(undefined);
      }
    } catch (e) {
      if (ticket === latest.current) setError(e);
    } finally {
      if (ticket === latest.current) setLoading(false);
    }
  }, [id]);

  useEffect(() => {
    reload();
    return () => {
      latest.current += 1;
    };
  }, [reload]);

  const replace = useCallback((next: TApplicationDetail) => {
    latest.current += 1;
    setDetail(next);
    setError(undefined);
    setLoading(false);
  }, []);

  return { detail, loading, error, reload, replace };
}
