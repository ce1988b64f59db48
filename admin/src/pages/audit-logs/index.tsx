import { ReloadOutlined } from '@ant-design/icons';
import { PageContainer, ProCard, ProTable, type ProColumns } from '@ant-design/pro-components';
import type { TAuditAnchor, TAuditBrokenRow, TAuditLog, TAuditVerifyResult } from '@xyd/shared';
import { Alert, App, Button, Descriptions, Table, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import PageTitle from '@/components/PageTitle';
import { useLoad } from '@/hooks/useLoad';
import { toTableResult } from '@/services/api';
import { getAuditVerification, listAuditAnchors, listAuditLogs, requestAuditVerification } from '@/services/generated';
import { formatDateTime } from '@/utils/format';

const OUTCOME_ENUM = {
  success: { text: '成功', status: 'Success' },
  failure: { text: '失败', status: 'Error' },
  denied: { text: '拒绝', status: 'Warning' },
} as const;

const ACTOR_TYPE_LABELS: Record<TAuditLog['actorType'], string> = {
  admin: '后台用户',
  wechat: '小程序用户',
  source: '数据源',
  system: '系统',
  anonymous: '匿名',
};

/** How often, and how many times, the page looks for the result of a run it queued. */
const RUN_POLL_INTERVAL_MS = 2000;
const RUN_POLL_ATTEMPTS = 30;

function HashText({ hash, testId }: { hash: string; testId?: string }) {
  return (
    <Typography.Text code copyable={{ text: hash }} data-testid={testId} style={{ wordBreak: 'break-all' }}>
      {hash}
    </Typography.Text>
  );
}

function chainSummary(data: TAuditVerifyResult): { chain: 'ok' | 'broken' | 'unknown'; type: 'success' | 'error' | 'info'; text: string } {
  if (!data.verifiedAt) return { chain: 'unknown', type: 'info', text: '尚未运行过审计日志链校验，请点击“重新校验”。' };
  if (data.ok) return { chain: 'ok', type: 'success', text: `审计日志链完整：已校验 ${data.checked} 条记录，未发现篡改。` };
  return {
    chain: 'broken',
    type: 'error',
    text: `审计日志链断裂：发现 ${data.broken?.length ?? 0} 条记录校验失败（已校验 ${data.checked} 条）。`,
  };
}

/**
 * The latest verification run of the hash chain (a job on the worker, incremental from the last checkpoint): every
 * broken row, when it ran, and the head hash to note down elsewhere as an external anchor.
 */
function ChainStatus() {
  const { message } = App.useApp();
  const { data: loaded, loading, error, reload } = useLoad(getAuditVerification, []);
  const [latest, setLatest] = useState<TAuditVerifyResult>();
  const [waiting, setWaiting] = useState(false);
  const poll = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(poll.current), []);
  const data = latest ?? loaded;

  /** Queue a run, then look again until a run newer than the one shown has finished. */
  const verifyAgain = async () => {
    clearTimeout(poll.current);
    let before: string | null;
    try {
      const current = await requestAuditVerification();
      setLatest(current);
      before = current.verifiedAt;
    } catch {
      return; // shown globally
    }
    setWaiting(true);
    message.info('已提交重新校验，完成后将自动显示结果');
    let attempts = 0;
    const look = async () => {
      attempts += 1;
      try {
        const result = await getAuditVerification();
        setLatest(result);
        if (result.verifiedAt && result.verifiedAt !== before) {
          setWaiting(false);
          return;
        }
      } catch {
        // shown globally; keep looking
      }
      if (attempts >= RUN_POLL_ATTEMPTS) setWaiting(false);
      else poll.current = setTimeout(look, RUN_POLL_INTERVAL_MS);
    };
    poll.current = setTimeout(look, RUN_POLL_INTERVAL_MS);
  };

  const again = (
    <Button size="small" icon={<ReloadOutlined />} loading={loading || waiting} onClick={data ? verifyAgain : reload} data-testid="audit-verify-again">
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
        message={error ? '无法读取审计日志链校验结果' : '正在读取审计日志链校验结果…'}
        action={error ? again : undefined}
      />
    );
  }
  const summary = chainSummary(data);
  const broken = data.broken ?? [];
  return (
    <ProCard title="审计日志链校验" bordered style={{ marginBottom: 16 }} extra={again}>
      <Alert data-testid="audit-chain-status" data-chain={summary.chain} type={summary.type} showIcon message={summary.text} />
      {waiting && <Alert type="info" showIcon style={{ marginTop: 12 }} data-testid="audit-verify-queued" message="新的校验已排队，正在等待结果…" />}
      <Descriptions column={{ xs: 1, md: 2 }} size="small" style={{ marginTop: 16 }}>
        <Descriptions.Item label="校验时间">
          <span data-testid="audit-verified-at">{data.verifiedAt ? formatDateTime(data.verifiedAt) : '尚未校验'}</span>
        </Descriptions.Item>
        <Descriptions.Item label="已封链至">{data.sealedSeq ? `第 ${data.sealedSeq} 条` : '-'}</Descriptions.Item>
        <Descriptions.Item label="待封链记录">
          <span data-testid="audit-unsealed">{data.unsealed} 条</span>
        </Descriptions.Item>
        <Descriptions.Item label="链头哈希（外部锚点）" span={2}>
          {data.headHash ? <HashText hash={data.headHash} testId="audit-head-hash" /> : '-'}
        </Descriptions.Item>
      </Descriptions>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
        请将链头哈希与封链序号另行记录（如纸质台账或外部系统）：日后若链头与记录不符，说明日志被整体改写。
      </Typography.Paragraph>
      {broken.length > 0 && (
        <Table<TAuditBrokenRow>
          style={{ marginTop: 16 }}
          rowKey="id"
          size="small"
          dataSource={broken}
          pagination={broken.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
          onRow={() => ({ 'data-testid': 'audit-broken-row' }) as object}
          title={() => '校验失败的记录'}
          columns={[
            { title: '记录编号', dataIndex: 'id', width: 200 },
            { title: '序号', dataIndex: 'seq', width: 120 },
            { title: '原因', dataIndex: 'reason' },
          ]}
        />
      )}
    </ProCard>
  );
}

/** Chain heads exported by the platform on a schedule; each one fixes the log up to its sequence number. */
function AnchorList() {
  return (
    <ProTable<TAuditAnchor>
      rowKey="id"
      headerTitle="外部锚点"
      search={false}
      columns={[
        { title: '导出时间', dataIndex: 'at', width: 200, render: (_, r) => formatDateTime(r.at) },
        { title: '封链序号', dataIndex: 'seq', width: 140 },
        { title: '链头哈希', dataIndex: 'hash', render: (_, r) => <HashText hash={r.hash} /> },
      ]}
      request={(params) => toTableResult(listAuditAnchors({ current: params.current, pageSize: params.pageSize }))}
      onRow={() => ({ 'data-testid': 'audit-anchor-row' }) as object}
      pagination={{ defaultPageSize: 5, showSizeChanger: false }}
      options={false}
      style={{ marginBottom: 16 }}
    />
  );
}

/** Platform administration: who did what, when, to what, with what outcome. */
export default function AuditLogPage() {
  const columns: ProColumns<TAuditLog>[] = [
    { title: '编号', dataIndex: 'id', search: false, width: 170 },
    { title: '链序号', dataIndex: 'seq', search: false, width: 90, render: (_, r) => r.seq ?? '-' },
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
      // The sealer chains new rows moments after they are written.
      render: (_, r) =>
        r.hash ? (
          <Typography.Text code copyable={{ text: r.hash }} title={r.hash}>
            {r.hash.slice(0, 10)}
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary">待封链</Typography.Text>
        ),
    },
  ];

  return (
    <PageContainer title={<PageTitle>审计日志</PageTitle>}>
      <ChainStatus />
      <AnchorList />
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
