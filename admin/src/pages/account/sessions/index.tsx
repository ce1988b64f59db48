import { PageContainer } from '@ant-design/pro-components';
import type { TSession } from '@xyd/shared';
import { App, Button, Card, Popconfirm, Table, Tag } from 'antd';
import PageTitle from '@/components/PageTitle';
import { useLoad } from '@/hooks/useLoad';
import { listSessions, revokeSession } from '@/services/generated';
import { formatDateTime } from '@/utils/format';

/** A readable name for a browser's User-Agent: enough to recognise one's own devices. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return '未知设备';
  const ua = userAgent;
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /MicroMessenger/i.test(ua)
      ? '微信'
      : /Chrome\//.test(ua)
        ? 'Chrome'
        : /Firefox\//.test(ua)
          ? 'Firefox'
          : /Safari\//.test(ua)
            ? 'Safari'
            : '浏览器';
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Android/.test(ua)
      ? 'Android'
      : /iPhone|iPad/.test(ua)
        ? 'iOS'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return os ? `${browser} · ${os}` : browser;
}

/** My sign-ins: where I am signed in, and a way to end any other one. */
export default function SessionsPage() {
  const { message } = App.useApp();
  const { data, loading, reload } = useLoad(listSessions, []);

  const revoke = async (session: TSession) => {
    try {
      await revokeSession({ id: session.id });
    } catch {
      return;
    }
    message.success('已下线该设备');
    await reload();
  };

  return (
    <PageContainer title={<PageTitle>登录设备</PageTitle>} content="以下是您当前登录的设备。发现不认识的设备时，请下线它并修改密码。">
      <Card>
        <Table<TSession>
          rowKey="id"
          loading={loading}
          dataSource={data ?? []}
          pagination={false}
          onRow={(s) => ({ 'data-testid': 'session-row', 'data-current': s.current ? 'true' : 'false' }) as object}
          columns={[
            {
              title: '设备',
              key: 'device',
              render: (_, s) => (
                <span title={s.userAgent ?? undefined}>
                  {describeDevice(s.userAgent)}
                  {s.current && (
                    <Tag color="blue" style={{ marginLeft: 8 }} data-testid="current-session">
                      当前会话
                    </Tag>
                  )}
                </span>
              ),
            },
            { title: 'IP 地址', dataIndex: 'ip', render: (ip: string | null) => ip ?? '-' },
            { title: '登录时间', dataIndex: 'createdAt', render: (v: string) => formatDateTime(v) },
            { title: '最近活动', dataIndex: 'lastSeenAt', render: (v: string) => formatDateTime(v) },
            { title: '到期时间', dataIndex: 'expiresAt', render: (v: string) => formatDateTime(v) },
            {
              title: '操作',
              key: 'action',
              render: (_, s) =>
                s.current ? (
                  <span style={{ opacity: 0.45 }}>本设备</span>
                ) : (
                  <Popconfirm title="下线该设备？" description="该设备需要重新登录。" okText="确认下线" onConfirm={() => revoke(s)}>
                    <Button type="link" danger size="small" data-testid="revoke-session">
                      下线
                    </Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>
    </PageContainer>
  );
}
