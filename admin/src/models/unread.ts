import { useCallback, useState } from 'react';
import { getUnreadMessageCount } from '@/services/generated';

/** The message-centre badge: the header shows it, the message centre refreshes it after marking messages read. */
export default function useUnreadModel() {
  const [count, setCount] = useState(0);
  const refresh = useCallback(async () => {
    try {
      const data = await getUnreadMessageCount({ skipErrorHandler: true });
      setCount(data.count);
    } catch {
      // The badge is a hint; a failed poll keeps the last count.
    }
  }, []);
  return { count, refresh };
}
