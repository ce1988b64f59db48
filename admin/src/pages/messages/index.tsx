import { PageContainer } from '@ant-design/pro-components';
import { history, useModel } from '@umijs/max';
import type { TMessage } from '@xyd/shared';
import { App, Badge, Button, Card, List, Segmented, Space, Typography } from 'antd';
import { useState } from 'react';
import PageTitle from '@/components/PageTitle';
import { useLoad } from '@/hooks/useLoad';
import { listMessages, markAllMessagesRead, markMessageRead } from '@/services/generated';
import { formatDateTime } from '@/utils/format';

type Filter = 'all' | 'unread';

/** Links in messages point into the console (`/verifications/12`); anything else is shown, not followed. */
function consolePath(link: string | null): string | null {
  if (!link || !link.startsWith('/') || link.startsWith('//')) return null;
  return link;
}

/** The in-app message centre: notifications delivered by the outbox dispatcher. */
export default function MessagesPage() {
  const { message } = App.useApp();
  const { count, refresh } = useModel('unread');
  const [filter, setFilter] = useState<Filter>('all');
  const [page, setPage] = useState({ current: 1, pageSize: 20 });
  const { data, loading, reload } = useLoad(
    () => listMessages({ ...page, unread: filter === 'unread' ? 'true' : undefined }),
    [filter, page.current, page.pageSize],
  );

  const afterChange = async () => {
    await Promise.all([reload(), refresh()]);
  };

  const markRead = async (item: TMessage) => {
    try {
      await markMessageRead({ id: item.id });
    } catch {
      return;
    }
    await afterChange();
  };

  const markAll = async () => {
    try {
      const { updated } = await markAllMessagesRead();
      message.success(updated > 0 ? `已将 ${updated} 条消息标为已读` : '没有未读消息');
    } catch {
      return;
    }
    await afterChange();
  };

  const open = async (item: TMessage) => {
    if (!item.readAt) await markRead(item);
    const path = consolePath(item.link);
    if (path) history.push(path);
  };

  return (
    <PageContainer title={<PageTitle>消息中心</PageTitle>}>
      <Card
        title={
          <Space>
            <Segmented<Filter>
              value={filter}
              onChange={(value) => {
                setFilter(value);
                setPage((p) => ({ ...p, current: 1 }));
              }}
              options={[
                { value: 'all', label: '全部消息' },
                { value: 'unread', label: '未读消息' },
              ]}
            />
            <Typography.Text type="secondary" data-testid="unread-summary">
              {count} 条未读
            </Typography.Text>
          </Space>
        }
        extra={
          <Button onClick={markAll} disabled={count === 0} data-testid="mark-all-read">
            全部标为已读
          </Button>
        }
      >
        <List<TMessage>
          loading={loading}
          dataSource={data?.list ?? []}
          locale={{ emptyText: filter === 'unread' ? '没有未读消息' : '暂无消息' }}
          pagination={
            (data?.total ?? 0) > page.pageSize && {
              current: page.current,
              pageSize: page.pageSize,
              total: data?.total ?? 0,
              onChange: (current, pageSize) => setPage({ current, pageSize }),
            }
          }
          renderItem={(item) => (
            <List.Item
              data-testid="message-item"
              data-read={item.readAt ? 'true' : 'false'}
              actions={
                item.readAt
                  ? [<Typography.Text key="read" type="secondary">已读</Typography.Text>]
                  : [
                      <a key="read" onClick={() => markRead(item)} data-testid="mark-read">
                        标为已读
                      </a>,
                    ]
              }
            >
              <List.Item.Meta
                title={
                  <Space size={6}>
                    {!item.readAt && <Badge status="processing" />}
                    <Typography.Link strong={!item.readAt} onClick={() => open(item)}>
                      {item.title}
                    </Typography.Link>
                  </Space>
                }
                description={
                  <>
                    <div style={{ whiteSpace: 'pre-wrap', color: 'rgba(0,0,0,0.75)' }}>{item.body}</div>
                    <Typography.Text type="secondary">{formatDateTime(item.createdAt)}</Typography.Text>
                  </>
                }
              />
            </List.Item>
          )}
        />
      </Card>
    </PageContainer>
  );
}
