import { BellOutlined } from '@ant-design/icons';
import { history, useLocation, useModel } from '@umijs/max';
import { Badge } from 'antd';
import { useEffect } from 'react';

const POLL_MS = 60_000;

/** The header bell: unread messages, refreshed on every page change and once a minute. */
export default function NoticeBell() {
  const { count, refresh } = useModel('unread');
  const { pathname } = useLocation();

  useEffect(() => {
    refresh();
  }, [pathname, refresh]);

  useEffect(() => {
    const timer = window.setInterval(refresh, POLL_MS);
    return () => window.clearInterval(timer);
  }, [refresh]);

  return (
    <span
      role="button"
      tabIndex={0}
      aria-label={count > 0 ? `消息中心，${count} 条未读` : '消息中心'}
      data-testid="notice-bell"
      style={{ display: 'inline-flex', alignItems: 'center', cursor: 'pointer', padding: '0 4px' }}
      onClick={() => history.push('/messages')}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') history.push('/messages');
      }}
    >
      <Badge count={count} size="small" overflowCount={99} data-testid="notice-count">
        <BellOutlined style={{ fontSize: 16 }} />
      </Badge>
    </span>
  );
}
