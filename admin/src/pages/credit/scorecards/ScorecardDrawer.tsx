import type { TScorecard, TScorecardCharacteristic, TScorecardTraining } from '@xyd/shared';
import { CREDIT_DIMENSION_LABELS, SCORECARD_STATUS_LABELS } from '@xyd/shared';
import { Alert, Descriptions, Drawer, List, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useLoad } from '@/hooks/useLoad';
import { getScorecard } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import { KIND_LABELS, describeCondition, formatMetric } from './format';

export const STATUS_COLORS = { active: 'green', candidate: 'blue', retired: 'default' } as const;

function Bins({ characteristic }: { characteristic: TScorecardCharacteristic }) {
  return (
    <Space direction="vertical" size={0}>
      {characteristic.bins.map((bin, i) => (
        <span key={`${bin.label}-${i}`} data-testid="scorecard-bin">
          {bin.label}：<Typography.Text strong>{bin.points}</Typography.Text> 分
          {bin.woe !== undefined && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {' '}
              （WOE {bin.woe.toFixed(3)}
              {bin.goods !== undefined && bin.bads !== undefined ? `，好 ${bin.goods} / 坏 ${bin.bads}` : ''}）
            </Typography.Text>
          )}
        </span>
      ))}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        其他取值：{characteristic.fallbackPoints} 分
      </Typography.Text>
    </Space>
  );
}

function Training({ training }: { training: TScorecardTraining }) {
  return (
    <>
      <Descriptions size="small" bordered column={2} data-testid="scorecard-training">
        <Descriptions.Item label="训练数据" span={2}>
          {training.data}
        </Descriptions.Item>
        <Descriptions.Item label="标签列">
          {training.label}
          {training.goodValue !== undefined ? `（好 = ${training.goodValue}）` : ''}
        </Descriptions.Item>
        <Descriptions.Item label="样本">
          {training.rows.toLocaleString('zh-CN')} 行，坏样本 {training.bads.toLocaleString('zh-CN')}
        </Descriptions.Item>
        <Descriptions.Item label="训练时间">{formatDateTime(training.trainedAt)}</Descriptions.Item>
        <Descriptions.Item label="分档坏账率单调">
          {training.bandsMonotone === undefined ? '-' : training.bandsMonotone ? '是' : <Typography.Text type="danger">否</Typography.Text>}
        </Descriptions.Item>
        {training.holdout && (
          <Descriptions.Item label="留出集" span={2}>
            AUC {formatMetric(training.holdout.auc)} · KS {formatMetric(training.holdout.ks)} · Gini {formatMetric(training.holdout.gini)} · PSI{' '}
            {formatMetric(training.holdout.psi)}
          </Descriptions.Item>
        )}
        {training.crossValidation && (
          <Descriptions.Item label="交叉验证" span={2}>
            {training.crossValidation.repeats} 次重复 {training.crossValidation.folds} 折：AUC {formatMetric(training.crossValidation.auc)} ±{' '}
            {formatMetric(training.crossValidation.aucSd)} · KS {formatMetric(training.crossValidation.ks)} · Gini{' '}
            {formatMetric(training.crossValidation.gini)}
          </Descriptions.Item>
        )}
      </Descriptions>
      {training.bandBadRates && training.bandBadRates.length > 0 && (
        <Table
          style={{ marginTop: 12 }}
          rowKey="rating"
          size="small"
          pagination={false}
          dataSource={training.bandBadRates}
          columns={[
            { title: '评级', dataIndex: 'rating' },
            { title: '样本数', dataIndex: 'count' },
            { title: '坏账率', dataIndex: 'badRate', render: (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`) },
          ]}
        />
      )}
    </>
  );
}

function Rules({ card }: { card: TScorecard }) {
  return (
    <List
      size="small"
      bordered
      dataSource={card.rules}
      locale={{ emptyText: '无硬性规则' }}
      renderItem={(rule) => (
        <List.Item data-testid="scorecard-rule">
          <Space wrap>
            {rule.kind === 'cap' ? <Tag color="orange">评级上限 {rule.maxRating}</Tag> : <Tag color="red">不予评级</Tag>}
            <span>当 {describeCondition(rule.when, card)}</span>
            <Typography.Text type="secondary">{rule.reason}</Typography.Text>
          </Space>
        </List.Item>
      )}
    />
  );
}

/** A version's whole document: scaling, bands, hard rules, every characteristic with its bins and points, training. */
export default function ScorecardDrawer({ id, onClose }: { id: string | null; onClose: () => void }) {
  const detail = useLoad(() => (id ? getScorecard({ id }) : Promise.resolve(undefined)), [id]);
  const version = id && detail.data?.id === id ? detail.data : undefined;
  const card = version?.document;

  return (
    <Drawer open={id !== null} onClose={onClose} width={960} title={version ? `${version.name}（第 ${version.version} 版）` : '评分卡详情'} destroyOnHidden>
      {!version || !card ? (
        detail.error ? <Alert type="warning" showIcon message="评分卡加载失败" /> : <Skeleton active />
      ) : (
        <Space direction="vertical" size="large" style={{ width: '100%' }} data-testid="scorecard-detail">
          <Descriptions size="small" bordered column={2}>
            <Descriptions.Item label="类型">{KIND_LABELS[version.kind]}</Descriptions.Item>
            <Descriptions.Item label="状态">
              <Tag color={STATUS_COLORS[version.status]}>{SCORECARD_STATUS_LABELS[version.status]}</Tag>
            </Descriptions.Item>
            <Descriptions.Item label="说明" span={2}>
              {card.description || '-'}
            </Descriptions.Item>
            <Descriptions.Item label="评分刻度" span={2}>
              <span data-testid="scorecard-scaling">
                {card.scaling.baseScore} 分对应好坏比 {card.scaling.baseOdds}:1，每 {card.scaling.pdo} 分好坏比翻倍
              </span>
            </Descriptions.Item>
            <Descriptions.Item label="异议中的记录">{card.excludeDisputed ? '不参与评分' : '照常参与评分'}</Descriptions.Item>
            <Descriptions.Item label="已评分企业">{version.scored.toLocaleString('zh-CN')} 家</Descriptions.Item>
            <Descriptions.Item label="上传时间">{formatDateTime(version.createdAt)}</Descriptions.Item>
            <Descriptions.Item label="启用时间">{formatDateTime(version.activatedAt)}</Descriptions.Item>
          </Descriptions>

          <div>
            <Typography.Title level={5}>评级分档</Typography.Title>
            <Space wrap data-testid="scorecard-bands">
              {card.bands.map((band) => (
                <Tag key={band.rating}>
                  {band.rating} ≥ {band.minScore}
                </Tag>
              ))}
            </Space>
          </div>

          <div>
            <Typography.Title level={5}>硬性规则</Typography.Title>
            <Rules card={card} />
          </div>

          <div>
            <Typography.Title level={5}>特征与分箱（{card.characteristics.length}）</Typography.Title>
            <Table<TScorecardCharacteristic>
              rowKey="feature"
              size="small"
              pagination={false}
              dataSource={card.characteristics}
              onRow={() => ({ 'data-testid': 'scorecard-characteristic' }) as object}
              columns={[
                {
                  title: '特征',
                  key: 'label',
                  width: 150,
                  render: (_, c) => (
                    <Space direction="vertical" size={0}>
                      <span>{c.label}</span>
                      <Typography.Text type="secondary" style={{ fontSize: 12 }} code>
                        {c.feature}
                      </Typography.Text>
                    </Space>
                  ),
                },
                { title: '维度', dataIndex: 'dimension', width: 90, render: (d: TScorecardCharacteristic['dimension']) => CREDIT_DIMENSION_LABELS[d] },
                { title: '分箱与得分', key: 'bins', width: 300, render: (_, c) => <Bins characteristic={c} /> },
                {
                  title: '说明',
                  dataIndex: 'comment',
                  render: (_, c) => (
                    <Space direction="vertical" size={0}>
                      <span>{c.comment}</span>
                      {c.iv !== undefined && (
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          IV {formatMetric(c.iv)}
                          {c.coefficient !== undefined ? ` · 系数 ${formatMetric(c.coefficient)}` : ''}
                          {c.standardError !== undefined ? `（标准误 ${formatMetric(c.standardError)}）` : ''}
                        </Typography.Text>
                      )}
                    </Space>
                  ),
                },
              ]}
            />
          </div>

          {card.training && (
            <div>
              <Typography.Title level={5}>训练与验证</Typography.Title>
              <Training training={card.training} />
            </div>
          )}
        </Space>
      )}
    </Drawer>
  );
}
