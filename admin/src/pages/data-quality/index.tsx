import { ReloadOutlined } from '@ant-design/icons';
import { PageContainer, ProCard } from '@ant-design/pro-components';
import type { TQualityRow } from '@xyd/shared';
import { CREDIT_CATEGORY_LABELS } from '@xyd/shared';
import { App, Button, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import PageTitle from '@/components/PageTitle';
import { useLoad } from '@/hooks/useLoad';
import { getCreditQuality, refreshCreditQuality } from '@/services/generated';
import { formatDateTime } from '@/utils/format';

/** After 刷新, ask again this often until the job has written new figures, for at most this many times. */
export const REFRESH_POLL_MS = 2000;
export const REFRESH_MAX_POLLS = 30;
/** A rejection rate from which the figure is shown in red. */
const HIGH_REJECTION = 0.1;

/** A share (0–1) as a percentage with one decimal: 0.9634 → `96.3%`. */
export function formatShare(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '-';
  return `${(Math.round(share * 1000) / 10).toFixed(1)}%`;
}

function Freshness({ row }: { row: TQualityRow }) {
  if (!row.latestPeriod) return <Typography.Text type="secondary">尚无数据</Typography.Text>;
  return (
    <Space direction="vertical" size={0}>
      <span>{row.latestPeriod}</span>
      {row.cadence === 'monthly' && row.monthsBehind !== null && (
        row.monthsBehind > 0 ? (
          <Tag color="warning" data-testid="quality-behind">
            落后 {row.monthsBehind} 个月
          </Tag>
        ) : (
          <Tag color="success">已报至上月</Tag>
        )
      )}
    </Space>
  );
}

/** 数据质量: per source and category, how much is accepted, why rows are refused, how fresh and how complete it is. */
export default function DataQualityPage() {
  const { message } = App.useApp();
  const quality = useLoad(getCreditQuality, []);
  const [waitingSince, setWaitingSince] = useState<{ computedAt: string | null } | null>(null);
  const polls = useRef(0);

  const refresh = async () => {
    const previous = quality.data?.computedAt ?? null;
    try {
      await refreshCreditQuality();
    } catch {
      return; // shown globally
    }
    message.info('已开始重新计算，完成后自动更新');
    polls.current = 0;
    setWaitingSince({ computedAt: previous });
  };

  // Follow the refresh job: the figures are new once computedAt moves.
  useEffect(() => {
    if (!waitingSince) return undefined;
    if (quality.data && quality.data.computedAt !== waitingSince.computedAt) {
      setWaitingSince(null);
      message.success('数据质量已更新');
      return undefined;
    }
    if (polls.current >= REFRESH_MAX_POLLS) {
      setWaitingSince(null);
      message.warning('重新计算尚未完成，请稍后再查看');
      return undefined;
    }
    const timer = setTimeout(() => {
      polls.current += 1;
      quality.reload();
    }, REFRESH_POLL_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [waitingSince, quality.data]);

  const rows = quality.data?.rows ?? [];
  const silent = rows.filter((r) => r.silent).length;

  return (
    <PageContainer title={<PageTitle>数据质量</PageTitle>}>
      <ProCard
        bordered
        title={
          <Space>
            <span>各数据源报送质量</span>
            {silent > 0 && (
              <Tag color="red" data-testid="quality-silent-count">
                {silent} 项已停报
              </Tag>
            )}
          </Space>
        }
        extra={
          <Space>
            <Typography.Text type="secondary" data-testid="quality-computed-at">
              {quality.data ? (quality.data.computedAt ? `统计于 ${formatDateTime(quality.data.computedAt)}` : '尚未统计') : ''}
            </Typography.Text>
            <Button icon={<ReloadOutlined />} loading={!!waitingSince} onClick={refresh} data-testid="quality-refresh">
              刷新
            </Button>
          </Space>
        }
      >
        <Table<TQualityRow>
          rowKey={(r) => `${r.sourceId}-${r.category}`}
          size="middle"
          pagination={false}
          loading={quality.loading && !quality.data}
          dataSource={rows}
          scroll={{ x: 1300 }}
          locale={{ emptyText: quality.data?.computedAt === null ? '尚未统计，请点击刷新' : '暂无数据源' }}
          onRow={(r) => ({ 'data-testid': 'quality-row', 'data-silent': String(r.silent) }) as object}
          columns={[
            {
              title: '数据源',
              key: 'source',
              fixed: 'left',
              width: 220,
              render: (_, r) => (
                <Space direction="vertical" size={0}>
                  <Space size={4}>
                    <span>{r.sourceName}</span>
                    {!r.enabled && <Tag>已停用</Tag>}
                  </Space>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {r.organisationName}
                  </Typography.Text>
                </Space>
              ),
            },
            { title: '数据类别', dataIndex: 'category', width: 120, render: (_, r) => CREDIT_CATEGORY_LABELS[r.category] },
            {
              title: '接收 / 入库 / 重复 / 拒收',
              key: 'counts',
              width: 190,
              render: (_, r) => `${r.received.toLocaleString('zh-CN')} / ${r.accepted.toLocaleString('zh-CN')} / ${r.duplicate.toLocaleString('zh-CN')} / ${r.rejected.toLocaleString('zh-CN')}`,
            },
            { title: '入库率', dataIndex: 'acceptanceRate', width: 90, render: (_, r) => <span data-testid="quality-acceptance">{formatShare(r.acceptanceRate)}</span> },
            {
              title: '拒收率',
              dataIndex: 'rejectionRate',
              width: 90,
              render: (_, r) => (
                <Typography.Text type={r.rejectionRate !== null && r.rejectionRate >= HIGH_REJECTION ? 'danger' : undefined} data-testid="quality-rejection">
                  {formatShare(r.rejectionRate)}
                </Typography.Text>
              ),
            },
            {
              title: '主要拒收原因',
              key: 'reasons',
              width: 260,
              render: (_, r) =>
                r.topReasons.length === 0 ? (
                  '-'
                ) : (
                  <Space direction="vertical" size={0} data-testid="quality-reasons">
                    {r.topReasons.map((reason) => (
                      <span key={reason.reason}>
                        {reason.reason}
                        <Typography.Text type="secondary">（{reason.count.toLocaleString('zh-CN')} 行）</Typography.Text>
                      </span>
                    ))}
                  </Space>
                ),
            },
            { title: '最新期次', key: 'latest', width: 130, render: (_, r) => <Freshness row={r} /> },
            {
              title: '最近接收',
              dataIndex: 'lastReceivedAt',
              width: 180,
              render: (_, r) => (
                <Space direction="vertical" size={0}>
                  <span>{r.lastReceivedAt ? formatDateTime(r.lastReceivedAt) : '从未接收'}</span>
                  {r.silent && (
                    <Tag color="red" data-testid="quality-silent">
                      已停报
                    </Tag>
                  )}
                </Space>
              ),
            },
            {
              title: '覆盖率',
              dataIndex: 'coverage',
              width: 150,
              render: (_, r) => (
                <Space direction="vertical" size={0} data-testid="quality-coverage">
                  <span>{formatShare(r.coverage)}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {r.firmsCovered.toLocaleString('zh-CN')} / {r.firmsInRegion.toLocaleString('zh-CN')} 户
                  </Typography.Text>
                </Space>
              ),
            },
          ]}
        />
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          入库率、拒收率按接收的行数计算；覆盖率为覆盖区域内已登记企业中近 12 个月有该类数据的比例。按月报送的类别 45 天、其他类别 90 天未收到数据即标为「已停报」。
        </Typography.Paragraph>
      </ProCard>
    </PageContainer>
  );
}
