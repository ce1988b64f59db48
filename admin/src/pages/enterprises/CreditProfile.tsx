import { ProCard } from '@ant-design/pro-components';
import { Link, useAccess } from '@umijs/max';
import type { TCreditRating } from '@xyd/shared';
import { CREDIT_DIMENSION_LABELS, CREDIT_DIMENSIONS, ENTERPRISE_STATUS_LABELS, SCALE_LABELS } from '@xyd/shared';
import { Alert, Col, Collapse, DatePicker, Descriptions, Empty, List, Progress, Row, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useLoad } from '@/hooks/useLoad';
import {
  getEnterpriseCreditHistory,
  getEnterpriseCreditProfile,
  type GetEnterpriseCreditHistoryResult,
  type GetEnterpriseCreditProfileResult,
} from '@/services/generated';
import { formatDateTime } from '@/utils/format';

// The shapes as the API document gives them (ZCreditProfile, ZCreditHistory in shared).
type TCreditProfile = GetEnterpriseCreditProfileResult;
type TCreditScore = NonNullable<TCreditProfile['score']>;
type THistoryPoint = GetEnterpriseCreditHistoryResult['points'][number];
type TFeature = TCreditProfile['features'][number];

/** Good ratings green, the middle blue, speculative ones orange, the worst red. */
export function ratingColor(rating: TCreditRating): string {
  if (rating === 'AAA' || rating === 'AA' || rating === 'A') return 'green';
  if (rating === 'BBB' || rating === 'BB') return 'blue';
  if (rating === 'B' || rating === 'CCC') return 'orange';
  return 'red';
}

/** A probability as a percentage with two decimals: 0.01234 → `1.23%`. */
export function formatProbability(p: number): string {
  return Number.isFinite(p) ? `${(p * 100).toFixed(2)}%` : '-';
}

/** The day (Asia/Shanghai) of a UTC time. */
const dayOf = (iso: string): string => formatDateTime(iso).slice(0, 10);

/** Category features travel as codes; the profile shows them in words. */
const CATEGORY_VALUE_LABELS: Record<string, Record<string, string>> = {
  scale: SCALE_LABELS,
  businessStatus: ENTERPRISE_STATUS_LABELS,
};

export function formatFeatureValue(f: Pick<TFeature, 'feature' | 'unit'> & { value: unknown }): string {
  const { value } = f;
  if (value === null || value === undefined) return '-';
  if (typeof value === 'boolean') return value ? '是' : '否';
  if (typeof value === 'string') return CATEGORY_VALUE_LABELS[f.feature]?.[value] ?? value;
  if (typeof value !== 'number') return String(value);
  const number = value.toLocaleString('zh-CN', { maximumFractionDigits: 2 });
  return f.unit ? `${number} ${f.unit}` : number;
}

function RatingTag({ score }: { score: Pick<TCreditScore, 'rating'> }) {
  return score.rating ? (
    <Tag color={ratingColor(score.rating)} data-testid="credit-rating" style={{ fontSize: 16, padding: '2px 10px' }}>
      {score.rating}
    </Tag>
  ) : (
    <Tag data-testid="credit-rating">不予评级</Tag>
  );
}

const CHART = { width: 640, height: 200, left: 44, right: 20, top: 16, bottom: 32 };

/**
 * The score over time as a line (x: when each score took effect, y: the score). A few dozen points at most, so a
 * small SVG does what a chart library would, at no cost to the bundle.
 */
export function ScoreTrend({ points }: { points: THistoryPoint[] }) {
  if (points.length === 0) return <Typography.Text type="secondary">暂无历史评分</Typography.Text>;
  const sorted = [...points].sort((a, b) => a.computedAt.localeCompare(b.computedAt));
  const times = sorted.map((p) => Date.parse(p.computedAt));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  // Round the scale to tens and keep at least 20 points of range, so that a steady firm draws a steady line.
  let lo = Math.floor(Math.min(...sorted.map((p) => p.score)) / 10) * 10;
  let hi = Math.ceil(Math.max(...sorted.map((p) => p.score)) / 10) * 10;
  if (hi - lo < 20) {
    const mid = (hi + lo) / 2;
    lo = mid - 10;
    hi = mid + 10;
  }
  const plotW = CHART.width - CHART.left - CHART.right;
  const plotH = CHART.height - CHART.top - CHART.bottom;
  const x = (t: number) => CHART.left + (t1 === t0 ? plotW / 2 : ((t - t0) / (t1 - t0)) * plotW);
  const y = (s: number) => CHART.top + ((hi - s) / (hi - lo)) * plotH;
  const coords = sorted.map((p, i) => ({ p, cx: x(times[i]), cy: y(p.score) }));
  const ticks = [lo, (lo + hi) / 2, hi];

  return (
    <svg
      role="img"
      aria-label="评分走势"
      data-testid="credit-history-chart"
      viewBox={`0 0 ${CHART.width} ${CHART.height}`}
      width="100%"
      style={{ maxWidth: CHART.width, display: 'block' }}
    >
      {ticks.map((t) => (
        <g key={t}>
          <line x1={CHART.left} x2={CHART.width - CHART.right} y1={y(t)} y2={y(t)} stroke="#f0f0f0" />
          <text x={CHART.left - 6} y={y(t) + 4} textAnchor="end" fontSize={11} fill="#8c8c8c">
            {Math.round(t)}
          </text>
        </g>
      ))}
      <polyline points={coords.map((c) => `${c.cx},${c.cy}`).join(' ')} fill="none" stroke="#1677ff" strokeWidth={2} />
      {coords.map(({ p, cx, cy }) => (
        <circle key={p.scoreId} cx={cx} cy={cy} r={3.5} fill="#fff" stroke="#1677ff" strokeWidth={2} data-testid="credit-history-point">
          <title>{`${dayOf(p.computedAt)}：${p.score} 分 · ${p.rating ?? '不予评级'} · 第 ${p.scorecardVersion} 版`}</title>
        </circle>
      ))}
      <text x={CHART.left} y={CHART.height - 8} fontSize={11} fill="#8c8c8c">
        {dayOf(sorted[0].computedAt)}
      </text>
      {sorted.length > 1 && (
        <text x={CHART.width - CHART.right} y={CHART.height - 8} textAnchor="end" fontSize={11} fill="#8c8c8c">
          {dayOf(sorted[sorted.length - 1].computedAt)}
        </text>
      )}
    </svg>
  );
}

function ScoreHeadline({ score, profile }: { score: TCreditScore; profile: TCreditProfile }) {
  const access = useAccess();
  return (
    <Row gutter={[24, 16]} align="middle">
      <Col flex="none">
        <Space align="baseline" size="middle">
          <span data-testid="credit-score" style={{ fontSize: 44, fontWeight: 600, lineHeight: 1 }}>
            {score.score}
          </span>
          <Typography.Text type="secondary">分</Typography.Text>
          <RatingTag score={score} />
        </Space>
      </Col>
      <Col flex="auto">
        <Descriptions size="small" column={{ xs: 1, md: 2 }} data-testid="credit-score-facts">
          <Descriptions.Item label="评分卡">
            {score.scorecardName}（第 {score.scorecardVersion} 版）
          </Descriptions.Item>
          <Descriptions.Item label="计算时间">{formatDateTime(score.computedAt)}</Descriptions.Item>
          <Descriptions.Item label="违约概率">{formatProbability(score.badProbability)}</Descriptions.Item>
          <Descriptions.Item label="分数对应评级">{score.bandRating}</Descriptions.Item>
          <Descriptions.Item label="待处理预警">
            {profile.openWarnings > 0 && access.canSeeWarnings ? (
              <Link to={`/credit/warnings?enterpriseId=${profile.enterpriseId}`} data-testid="credit-open-warnings">
                {profile.openWarnings} 条
              </Link>
            ) : (
              `${profile.openWarnings} 条`
            )}
          </Descriptions.Item>
          <Descriptions.Item label="处理中异议">{profile.openDisputes} 条</Descriptions.Item>
        </Descriptions>
      </Col>
      {(score.noRatingReason || score.cap) && (
        <Col span={24}>
          {score.noRatingReason && <Alert type="error" showIcon message={`不予评级：${score.noRatingReason}`} data-testid="credit-no-rating" />}
          {score.cap && <Alert type="warning" showIcon message={`评级上限 ${score.cap.to}：${score.cap.reason}`} data-testid="credit-cap" />}
        </Col>
      )}
    </Row>
  );
}

function Dimensions({ score }: { score: TCreditScore }) {
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={4}>
      {CREDIT_DIMENSIONS.map((d) => {
        const raw = score.dimensions[d];
        const value = Math.round(raw ?? 0);
        return (
          <Row key={d} align="middle" gutter={12} data-testid={`credit-dimension-${d}`}>
            <Col flex="80px">{CREDIT_DIMENSION_LABELS[d]}</Col>
            <Col flex="auto">
              {raw === null || raw === undefined ? (
                <Typography.Text type="secondary">本版本未评估</Typography.Text>
              ) : (
                <Progress percent={value} format={() => `${value}`} status="normal" strokeColor={value < 60 ? '#fa8c16' : undefined} />
              )}
            </Col>
          </Row>
        );
      })}
    </Space>
  );
}

function Reasons({ score }: { score: TCreditScore }) {
  if (score.reasons.length === 0) return <Typography.Text type="secondary">各项均已得到最高分</Typography.Text>;
  return (
    <List
      size="small"
      dataSource={score.reasons}
      renderItem={(r) => (
        <List.Item data-testid="credit-reason">
          <Space direction="vertical" size={2} style={{ width: '100%' }}>
            <Space wrap>
              <Typography.Text strong>{r.label}</Typography.Text>
              <Tag>{r.binLabel}</Tag>
              <Typography.Text type="danger">−{r.lost} 分</Typography.Text>
              <Typography.Text type="secondary">{CREDIT_DIMENSION_LABELS[r.dimension]}</Typography.Text>
            </Space>
            <span>{r.reason}</span>
            <Typography.Text type="success">建议：{r.advice}</Typography.Text>
          </Space>
        </List.Item>
      )}
    />
  );
}

/** 查看某日评分: the score in force at the end of a chosen day, with the version that produced it. */
function ScoreOnDay({ enterpriseId }: { enterpriseId: string }) {
  const [day, setDay] = useState<string>();
  const onDay = useLoad(
    () => (day ? getEnterpriseCreditHistory({ id: enterpriseId, at: day }) : Promise.resolve(undefined)),
    [enterpriseId, day],
  );
  const at = onDay.data?.at;
  return (
    <Space wrap>
      <span>查看某日评分</span>
      <DatePicker
        aria-label="查看某日评分"
        data-testid="credit-at-date"
        disabledDate={(d) => d.valueOf() > Date.now()}
        onChange={(_, text) => setDay(typeof text === 'string' && text ? text : undefined)}
      />
      {day && !onDay.loading && onDay.data && (
        <span data-testid="credit-at-result">
          {at ? (
            <Space size={4} wrap>
              <span>{day}：</span>
              <Typography.Text strong>{at.score} 分</Typography.Text>
              <RatingTag score={at} />
              <Typography.Text type="secondary">
                {at.scorecardName}（第 {at.scorecardVersion} 版），计算于 {formatDateTime(at.computedAt)}
              </Typography.Text>
            </Space>
          ) : (
            <Typography.Text type="secondary">{day} 尚无评分</Typography.Text>
          )}
        </span>
      )}
    </Space>
  );
}

function History({ enterpriseId }: { enterpriseId: string }) {
  const history = useLoad(() => getEnterpriseCreditHistory({ id: enterpriseId }), [enterpriseId]);
  const points = history.data?.points ?? [];
  return (
    <Space direction="vertical" style={{ width: '100%' }} size="middle">
      <ScoreOnDay enterpriseId={enterpriseId} />
      {history.error ? (
        <Typography.Text type="secondary">历史评分加载失败</Typography.Text>
      ) : history.loading && !history.data ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : (
        <>
          <ScoreTrend points={points} />
          <Table<THistoryPoint>
            rowKey="scoreId"
            size="small"
            dataSource={[...points].sort((a, b) => b.computedAt.localeCompare(a.computedAt))}
            pagination={{ pageSize: 10, hideOnSinglePage: true }}
            onRow={() => ({ 'data-testid': 'credit-history-row' }) as object}
            locale={{ emptyText: '暂无历史评分' }}
            columns={[
              { title: '计算时间', dataIndex: 'computedAt', render: (v: string) => formatDateTime(v) },
              { title: '评价日', dataIndex: 'asOf', width: 120 },
              { title: '评分', dataIndex: 'score', width: 80 },
              { title: '评级', dataIndex: 'rating', width: 100, render: (v: TCreditRating | null) => v ?? '不予评级' },
              { title: '评分卡版本', dataIndex: 'scorecardVersion', width: 110, render: (v: number) => `第 ${v} 版` },
            ]}
          />
        </>
      )}
    </Space>
  );
}

/**
 * 信用画像 on an enterprise's detail page: the score and rating with the version that produced it, the five
 * dimensions, what lowered the score and what the firm can do, every characteristic's points (so a bank can check the
 * arithmetic), the features and records behind it, and its history.
 */
export default function CreditProfile({ enterpriseId }: { enterpriseId: string }) {
  const profile = useLoad(() => getEnterpriseCreditProfile({ id: enterpriseId }), [enterpriseId]);
  const data = profile.data;

  if (profile.error) {
    return (
      <ProCard title="信用画像" bordered>
        <Alert type="warning" showIcon message="信用画像加载失败" data-testid="credit-profile-error" />
      </ProCard>
    );
  }
  if (!data) {
    return (
      <ProCard title="信用画像" bordered>
        <Skeleton active />
      </ProCard>
    );
  }

  const score = data.score;
  const recordCounts = (
    <Table
      rowKey="category"
      size="small"
      pagination={false}
      dataSource={data.recordCounts}
      onRow={(r) => ({ 'data-testid': 'credit-count-row', 'data-category': r.category }) as object}
      locale={{ emptyText: '暂无信用记录' }}
      columns={[
        { title: '数据类别', dataIndex: 'label' },
        { title: '记录数', dataIndex: 'count', width: 90 },
        {
          title: '不良',
          dataIndex: 'adverse',
          width: 90,
          render: (v: number) => (v > 0 ? <Typography.Text type="danger">{v}</Typography.Text> : 0),
        },
        {
          title: '异议中',
          dataIndex: 'disputed',
          width: 90,
          render: (v: number) => (v > 0 ? <Typography.Text type="warning">{v}</Typography.Text> : 0),
        },
      ]}
    />
  );

  if (!score) {
    return (
      <ProCard title="信用画像" bordered data-testid="credit-profile">
        <Empty description="暂无评分，数据汇入后自动计算" data-testid="credit-profile-empty" />
        {data.recordCounts.length > 0 && (
          <ProCard title="信用记录统计" ghost style={{ marginTop: 16 }}>
            {recordCounts}
          </ProCard>
        )}
      </ProCard>
    );
  }

  return (
    <ProCard title="信用画像" bordered direction="column" gutter={[0, 16]} data-testid="credit-profile">
      <ProCard ghost>
        <ScoreHeadline score={score} profile={data} />
      </ProCard>
      <ProCard gutter={16} ghost wrap>
        <ProCard title="五维得分" colSpan={{ xs: 24, md: 10 }} bordered>
          <Dimensions score={score} />
        </ProCard>
        <ProCard title="扣分原因与改进建议" colSpan={{ xs: 24, md: 14 }} bordered data-testid="credit-reasons">
          <Reasons score={score} />
        </ProCard>
      </ProCard>
      <ProCard ghost>
        <Collapse
          items={[
            {
              key: 'points',
              label: `得分明细（${score.points.length} 项特征）`,
              children: (
                <Table
                  rowKey="feature"
                  size="small"
                  pagination={false}
                  dataSource={score.points}
                  onRow={() => ({ 'data-testid': 'credit-points-row' }) as object}
                  columns={[
                    { title: '特征', dataIndex: 'label' },
                    { title: '维度', dataIndex: 'dimension', width: 100, render: (d: keyof typeof CREDIT_DIMENSION_LABELS) => CREDIT_DIMENSION_LABELS[d] },
                    { title: '所在分箱', dataIndex: 'binLabel' },
                    { title: '得分', dataIndex: 'points', width: 80 },
                    { title: '最高分', dataIndex: 'maxPoints', width: 80 },
                  ]}
                  summary={() => (
                    <Table.Summary.Row>
                      <Table.Summary.Cell index={0} colSpan={3}>
                        合计
                      </Table.Summary.Cell>
                      <Table.Summary.Cell index={3}>{Math.round(score.points.reduce((s, p) => s + p.points, 0) * 100) / 100}</Table.Summary.Cell>
                      <Table.Summary.Cell index={4}>{Math.round(score.points.reduce((s, p) => s + p.maxPoints, 0) * 100) / 100}</Table.Summary.Cell>
                    </Table.Summary.Row>
                  )}
                />
              ),
            },
          ]}
          data-testid="credit-points"
        />
      </ProCard>
      <ProCard gutter={16} ghost wrap>
        <ProCard title="画像特征" colSpan={{ xs: 24, md: 14 }} bordered>
          <Table<TFeature>
            rowKey="feature"
            size="small"
            pagination={false}
            dataSource={data.features}
            onRow={() => ({ 'data-testid': 'credit-feature-row' }) as object}
            columns={[
              { title: '特征', dataIndex: 'label' },
              { title: '取值', key: 'value', render: (_, f) => formatFeatureValue(f) },
            ]}
          />
        </ProCard>
        <ProCard title="信用记录统计" colSpan={{ xs: 24, md: 10 }} bordered>
          {recordCounts}
        </ProCard>
      </ProCard>
      <ProCard title="评分历史" bordered>
        <History enterpriseId={enterpriseId} />
      </ProCard>
    </ProCard>
  );
}
