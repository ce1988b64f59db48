import type { TNeedMatch } from '@xyd/shared';
import { MATCH_CRITERION_LABELS } from '@xyd/shared';
import { Card, Space, Tag, Typography } from 'antd';
import { CheckList, ProductFacts } from './MatchCard';

/** A product the firm misses by one or two things it can change: what fails, and what would change it. */
export default function NearMissCard({ match }: { match: TNeedMatch }) {
  const failed = match.outcome.checks.filter((c) => !c.ok);
  return (
    <Card
      size="small"
      data-testid={`near-miss-${match.productId}`}
      title={
        <Space wrap size={[8, 4]}>
          <Typography.Text strong>{match.product.name}</Typography.Text>
          <Tag color="warning">差 {match.outcome.failed.length} 项：{match.outcome.failed.map((c) => MATCH_CRITERION_LABELS[c]).join('、')}</Tag>
        </Space>
      }
    >
      <Space direction="vertical" size={4} style={{ width: '100%' }}>
        <ProductFacts product={match.product} />
        <CheckList checks={failed} />
        {match.outcome.advice.length > 0 && (
          <ul style={{ margin: 0, paddingLeft: 18 }}>
            {match.outcome.advice.map((a) => (
              <li key={a.criterion} data-testid="near-miss-advice">
                <Typography.Text type="warning">建议：{a.text}</Typography.Text>
              </li>
            ))}
          </ul>
        )}
      </Space>
    </Card>
  );
}
