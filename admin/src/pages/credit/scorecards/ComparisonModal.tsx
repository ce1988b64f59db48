import type { TScorecardComparison, TScorecardVersion } from '@xyd/shared';
import { Alert, Descriptions, Modal, Skeleton, Space, Table, Typography } from 'antd';
import { useLoad } from '@/hooks/useLoad';
import { compareScorecard } from '@/services/generated';
import { PSI_ALERT, formatMetric, psiLevel } from './format';

type TInputPsi = TScorecardComparison['inputPsi'][number];

function Psi({ value, testId }: { value: number | null; testId?: string }) {
  const level = psiLevel(value);
  return (
    <Typography.Text
      type={level === 'alert' ? 'danger' : level === 'watch' ? 'warning' : undefined}
      strong={level === 'alert'}
      data-testid={testId}
      data-level={level ?? 'none'}
    >
      {formatMetric(value)}
      {level === 'alert' ? '（显著偏移）' : ''}
    </Typography.Text>
  );
}

/**
 * Row = the active version's rating, column = the candidate's; the last of each is 未评级. The diagonal (no move) is
 * shaded, so that what moves stands out.
 */
function MigrationMatrix({ migration }: { migration: TScorecardComparison['migration'] }) {
  const { ratings, matrix } = migration;
  const rows = ratings.map((rating, i) => ({ rating, counts: matrix[i] ?? [], total: (matrix[i] ?? []).reduce((a, b) => a + b, 0) }));
  return (
    <Table
      rowKey="rating"
      size="small"
      bordered
      pagination={false}
      dataSource={rows}
      scroll={{ x: true }}
      data-testid="comparison-matrix"
      onRow={(r) => ({ 'data-testid': 'migration-row', 'data-rating': r.rating }) as object}
      columns={[
        { title: '生效版本 \\ 候选版本', dataIndex: 'rating', fixed: 'left', width: 140, render: (v: string) => <Typography.Text strong>{v}</Typography.Text> },
        ...ratings.map((rating, j) => ({
          title: rating,
          key: `c${j}`,
          align: 'right' as const,
          onCell: (_: unknown, i?: number) => ({ style: i === j ? { background: '#f5f5f5', fontWeight: 600 } : undefined }),
          render: (_: unknown, r: (typeof rows)[number]) => <span data-testid="migration-cell">{r.counts[j] ?? 0}</span>,
        })),
        { title: '合计', dataIndex: 'total', align: 'right' as const, width: 80 },
      ]}
    />
  );
}

function Outcomes({ outcomes }: { outcomes: TScorecardComparison['outcomes'] }) {
  if (!outcomes.active && !outcomes.candidate) {
    return (
      <Typography.Text type="secondary" data-testid="comparison-no-outcomes">
        暂无实际结果（已有结果的企业 {outcomes.labelled} 家，其中违约 {outcomes.bads} 家，不足以计算 AUC 和 KS）
      </Typography.Text>
    );
  }
  const cell = (m: { auc: number; ks: number } | null, key: 'auc' | 'ks') => (m ? formatMetric(m[key]) : '暂无实际结果');
  return (
    <Table
      rowKey="name"
      size="small"
      pagination={false}
      data-testid="comparison-outcomes"
      dataSource={[
        { name: '生效版本', m: outcomes.active },
        { name: '候选版本', m: outcomes.candidate },
      ]}
      footer={() => `按 ${outcomes.labelled} 家有实际结果的企业（其中违约 ${outcomes.bads} 家）计算`}
      columns={[
        { title: '版本', dataIndex: 'name' },
        { title: 'AUC', key: 'auc', render: (_, r) => cell(r.m, 'auc') },
        { title: 'KS', key: 'ks', render: (_, r) => cell(r.m, 'ks') },
      ]}
    />
  );
}

/** A candidate against the active version on the same enterprises: where ratings move, how far the inputs drift, and which ranks the outcomes better. */
export default function ComparisonModal({ candidate, onClose }: { candidate: TScorecardVersion | null; onClose: () => void }) {
  const comparison = useLoad(() => (candidate ? compareScorecard({ id: candidate.id }) : Promise.resolve(undefined)), [candidate?.id]);
  const data = candidate && comparison.data?.candidateId === candidate.id ? comparison.data : undefined;

  return (
    <Modal
      open={candidate !== null}
      onCancel={onClose}
      footer={null}
      width={960}
      destroyOnHidden
      title={candidate ? `候选版本对比：${candidate.name}（第 ${candidate.version} 版）` : '候选版本对比'}
    >
      {!data ? (
        comparison.error ? <Alert type="warning" showIcon message="对比结果加载失败" /> : <Skeleton active />
      ) : (
        <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="comparison">
          {data.activeId === null && <Alert type="info" showIcon message="尚无生效版本，无法对比" />}
          {data.enterprises === 0 && data.activeId !== null && (
            <Alert type="info" showIcon message="候选版本尚未完成影子评分，稍后再来查看对比结果" />
          )}
          <Descriptions size="small" bordered column={2}>
            <Descriptions.Item label="对比企业">
              <span data-testid="comparison-enterprises">{data.enterprises.toLocaleString('zh-CN')} 家</span>
            </Descriptions.Item>
            <Descriptions.Item label="评分 PSI">
              <Psi value={data.scorePsi} testId="comparison-score-psi" />
            </Descriptions.Item>
          </Descriptions>
          <div>
            <Typography.Title level={5}>评级迁移矩阵</Typography.Title>
            <MigrationMatrix migration={data.migration} />
          </div>
          <div>
            <Typography.Title level={5}>按实际结果的区分能力</Typography.Title>
            <Outcomes outcomes={data.outcomes} />
          </div>
          <div>
            <Typography.Title level={5}>各输入特征的 PSI</Typography.Title>
            <Typography.Paragraph type="secondary">PSI 高于 {PSI_ALERT} 表示该特征的分布相对训练时明显偏移，启用前应核查。</Typography.Paragraph>
            <Table<TInputPsi>
              rowKey="feature"
              size="small"
              pagination={false}
              dataSource={data.inputPsi}
              onRow={(r) => ({ 'data-testid': 'input-psi-row', 'data-feature': r.feature }) as object}
              columns={[
                { title: '特征', dataIndex: 'label' },
                { title: '特征名', dataIndex: 'feature', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
                { title: 'PSI', dataIndex: 'psi', render: (_, r) => <Psi value={r.psi} testId="input-psi" /> },
              ]}
            />
          </div>
        </Space>
      )}
    </Modal>
  );
}
