import { ArrowDownOutlined, ArrowUpOutlined } from '@ant-design/icons';
import type { TCriterionCheck, TNeedMatch } from '@xyd/shared';
import { MATCH_REVIEW_LABELS } from '@xyd/shared';
import { Button, Card, Space, Tag, Typography } from 'antd';
import { formatRateRange, formatTermRange, formatWanRange } from '../products/terms';
import { MATCH_REVIEW_COLORS } from './labels';

/** Every criterion the product sets, met ones green and failed ones red; the texts come ready from the matcher. */
export function CheckList({ checks, testId }: { checks: readonly TCriterionCheck[]; testId?: string }) {
  return (
    <ul style={{ margin: 0, paddingLeft: 18 }} data-testid={testId}>
      {checks.map((c) => (
        <li key={c.criterion} data-testid="match-check" data-ok={String(c.ok)}>
          <Typography.Text type={c.ok ? 'success' : 'danger'}>{c.text}</Typography.Text>
        </li>
      ))}
    </ul>
  );
}

/** Name, institution and the ranges of a matched product, as one line. */
export function ProductFacts({ product }: { product: TNeedMatch['product'] }) {
  return (
    <Typography.Text type="secondary">
      {product.institutionName} · 额度 {formatWanRange(product.amountMinFen, product.amountMaxFen)} · 期限{' '}
      {formatTermRange(product.termMinMonths, product.termMaxMonths)} · 年利率 {formatRateRange(product.rateMinBp, product.rateMaxBp)}
    </Typography.Text>
  );
}

export interface MatchActions {
  confirm: () => void;
  remove: () => void;
  restore: () => void;
  moveUp?: () => void;
  moveDown?: () => void;
}

/**
 * One product the system matched (or the advisor added), with its score, the advisor's review and every check.
 * `actions` is absent for those who may only read.
 */
export default function MatchCard({ match, position, actions, busy }: { match: TNeedMatch; position: number; actions?: MatchActions; busy: boolean }) {
  const removed = match.review === 'removed';
  return (
    <Card
      size="small"
      data-testid={`match-${match.productId}`}
      data-review={match.review}
      style={removed ? { opacity: 0.65 } : undefined}
      title={
        <Space wrap size={[8, 4]}>
          <Typography.Text type="secondary">{position}.</Typography.Text>
          <Typography.Text strong delete={removed}>
            {match.product.name}
          </Typography.Text>
          <Tag color={MATCH_REVIEW_COLORS[match.review]} data-testid="match-review">
            {MATCH_REVIEW_LABELS[match.review]}
          </Tag>
          {match.isNew && <Tag color="blue">新匹配</Tag>}
          {match.addedByAdvisor && <Tag color="purple">顾问添加</Tag>}
          {!match.outcome.fits && <Tag color="warning">未完全符合条件</Tag>}
        </Space>
      }
      extra={
        <span data-testid="match-score">
          匹配度 <Typography.Text strong>{match.outcome.score}</Typography.Text>
        </span>
      }
      actions={
        actions && [
          <Space key="review" size={4}>
            {match.review === 'pending' && (
              <Button size="small" type="primary" disabled={busy} onClick={actions.confirm}>
                确认
              </Button>
            )}
            {!removed && (
              <Button size="small" danger disabled={busy} onClick={actions.remove}>
                移除
              </Button>
            )}
            {removed && (
              <Button size="small" disabled={busy} onClick={actions.restore}>
                恢复
              </Button>
            )}
          </Space>,
          <Space key="order" size={4}>
            <Button size="small" icon={<ArrowUpOutlined />} disabled={busy || !actions.moveUp} onClick={actions.moveUp}>
              上移
            </Button>
            <Button size="small" icon={<ArrowDownOutlined />} disabled={busy || !actions.moveDown} onClick={actions.moveDown}>
              下移
            </Button>
          </Space>,
        ]
      }
    >
      <Space direction="vertical" size={4} style={{ width: '100%' }}>
        <ProductFacts product={match.product} />
        <CheckList checks={match.outcome.checks} />
        {match.reviewReason && (
          <Typography.Text data-testid="match-reason">
            {removed ? '移除原因' : match.addedByAdvisor ? '添加理由' : '复核说明'}：{match.reviewReason}
          </Typography.Text>
        )}
      </Space>
    </Card>
  );
}
