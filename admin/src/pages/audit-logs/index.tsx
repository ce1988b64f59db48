import { ReloadOutlined } from '@ant-design/icons';
import { PageContainer, ProTable, type ProColumns } from '@ant-design/pro-components';
import type { TAuditLog } from '@xyd/shared';
import { Alert, Button, Typography } from 'antd';
import PageTitle from '@/components/PageTitle';
import { useLoad } from '@/hooks/useLoad';
import { toTableResult } from '@/services/api';
import { listAuditLogs, verifyAuditChain } from '@/services/platform';
import { formatDateTime } from '@/utils/format';

const OUTCOME_ENUM = {
  success: { text: '成功', status: 'Success' },
  failure: { text: '失败', status: 'Error' },
  denied: { text: '拒绝', status: 'Warning' },
} as const;

const ACTOR_TYPE_LABELS: Record<TAuditLog['actorType'], string> = {
  admin: '后台用户',
  wechat: '小程序用户',
  system: '系统',
  anonymous: '匿名',
};

/** The result of walking the hash chain: every row must carry the hash of the one before it. */
function ChainStatus() {
  const { data, loading, error, reload } = useLoad(verifyAuditChain, []);
  const again = (
    <Button size="small" icon={<ReloadOutlined />} loading={loading} onClick={reload}>
      重新校验
    </Button>
  );
  if (!data) {
    return (
      <Alert
        data-testid="audit-chain-status"
        data-chain="unknown"
        type={error ? 'error' : 'info'}
        showIcon
        style={{ marginBottom: 16 }}
        message={error ? '无法完成审计日志链校验' : '正在校验审计日志链…'}
        action={error ? again : undefined}
      />
    );
  }
  return data.ok ? (
    <Alert
      data-testid="audit-chain-status"
      data-chain="ok"
      type="success"
      showIcon
      style={{ marginBottom: 16 }}
      message={`审计日志链完整：已校验 ${data.checked} 条记录，未发现篡改。`}
      action={again}
    />
  ) : (
    <Alert
      data-testid="audit-chain-status"
      data-chain="broken"
      type="error"
      showIcon
      style={{ marginBottom: 16 }}
      message={`审计日志链断裂：自编号 ${data.firstBrokenId ?? '-'} 的记录起校验失败（已校验 ${data.checked} 条）。`}
      description={data.reason ?? undefined}
      action={again}
    />
  );
}

/** Platform administration: who did what, when, to what, with what outcome. */
export default function AuditLogPage() {
  const columns: ProColumns<TAuditLog>[] = [
    { title: '编号', dataIndex: 'id', search: false, width: 170 },
    { title: '时间', dataIndex: 'at', search: false, width: 180, render: (_, r) => formatDateTime(r.at) },
    { title: '操作', dataIndex: 'action', fieldProps: { placeholder: '如 auth.login', 'aria-label': '操作' } },
    {
      title: '操作人',
      dataIndex: 'actorId',
      fieldProps: { placeholder: '操作人编号', 'aria-label': '操作人编号' },
      render: (_, r) => `${r.actorName ?? ACTOR_TYPE_LABELS[r.actorType]}${r.actorId ? `（#${r.actorId}）` : ''}`,
    },
    {
      title: '对象',
      dataIndex: 'targetType',
      search: false,
      render: (_, r) => (r.targetType ? `${r.targetType}${r.targetId ? ` #${r.targetId}` : ''}` : '-'),
    },
    { title: '结果', dataIndex: 'outcome', search: false, valueEnum: OUTCOME_ENUM, width: 80 },
    { title: 'IP', dataIndex: 'ip', search: false, width: 120 },
    {
      title: '哈希',
      dataIndex: 'hash',
      search: false,
      width: 150,
      render: (_, r) => (
        <Typography.Text code copyable={{ text: r.hash }} title={r.hash}>
          {r.hash.slice(0, 10)}
        </Typography.Text>
      ),
    },
  ];

  return (
    <PageContainer title={<PageTitle>审计日志</PageTitle>}>
      <ChainStatus />
      <ProTable<TAuditLog, { action?: string; actorId?: string }>
        rowKey="id"
        columns={columns}
        headerTitle="审计记录"
        search={{ labelWidth: 'auto' }}
        request={(params) =>
          toTableResult(
            listAuditLogs({
              current: params.current,
              pageSize: params.pageSize,
              action: params.action?.trim(),
              actorId: params.actorId?.trim(),
            }),
          )
        }
        expandable={{
          rowExpandable: (r) => !!r.detail,
          expandedRowRender: (r) => <pre style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{JSON.stringify(r.detail, null, 2)}</pre>,
        }}
        onRow={() => ({ 'data-testid': 'audit-row' }) as object}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
      />
    </PageContainer>
  );
}
