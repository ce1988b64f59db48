import { ProCard } from '@ant-design/pro-components';
import { Link } from '@umijs/max';
import type { TNeedDetail, TWarningSeverity } from '@xyd/shared';
import { SCALE_LABELS, WARNING_SEVERITY_LABELS } from '@xyd/shared';
import { Descriptions, List, Space, Tag, Typography } from 'antd';
import { formatDateTime } from '@/utils/format';
import { SEVERITY_COLORS } from '../credit/labels';
import { ratingColor } from '../enterprises/CreditProfile';

const isSeverity = (s: string): s is TWarningSeverity => s in WARNING_SEVERITY_LABELS;

/** 企业画像摘要: what the advisor weighs beside the matches — score, rating, what lowers it, open warnings. */
export default function ProfileSummary({ need }: { need: TNeedDetail }) {
  const { profile } = need;
  return (
    <ProCard
      title="企业画像摘要"
      bordered
      data-testid="need-profile"
      extra={
        <Link to={`/enterprises/${need.enterpriseId}`} data-testid="need-enterprise-link">
          查看企业详情
        </Link>
      }
    >
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Space align="baseline" size="middle" wrap>
          {profile.score === null ? (
            <Typography.Text type="secondary">暂无评分</Typography.Text>
          ) : (
            <>
              <span data-testid="need-profile-score" style={{ fontSize: 32, fontWeight: 600, lineHeight: 1 }}>
                {profile.score}
              </span>
              <Typography.Text type="secondary">分</Typography.Text>
            </>
          )}
          {profile.rating ? (
            <Tag color={ratingColor(profile.rating)} data-testid="need-profile-rating">
              {profile.rating}
            </Tag>
          ) : (
            <Tag data-testid="need-profile-rating">未评级</Tag>
          )}
        </Space>
        <Descriptions size="small" column={{ xs: 1, md: 3 }}>
          <Descriptions.Item label="行业">{profile.industryName}</Descriptions.Item>
          <Descriptions.Item label="规模">{SCALE_LABELS[profile.scale]}</Descriptions.Item>
          <Descriptions.Item label="成立年限">{profile.yearsEstablished} 年</Descriptions.Item>
        </Descriptions>
        <List
          size="small"
          header={<Typography.Text strong>扣分原因与改进建议</Typography.Text>}
          dataSource={profile.reasons}
          locale={{ emptyText: '无扣分项' }}
          renderItem={(r) => (
            <List.Item data-testid="need-profile-reason">
              <Space direction="vertical" size={2}>
                <Typography.Text strong>{r.label}</Typography.Text>
                <span>{r.reason}</span>
                <Typography.Text type="success">建议：{r.advice}</Typography.Text>
              </Space>
            </List.Item>
          )}
        />
        <List
          size="small"
          header={<Typography.Text strong>未关闭的风险预警（{profile.openWarnings.length}）</Typography.Text>}
          dataSource={profile.openWarnings}
          locale={{ emptyText: '无' }}
          renderItem={(w) => (
            <List.Item data-testid="need-profile-warning">
              <Space wrap>
                {isSeverity(w.severity) ? <Tag color={SEVERITY_COLORS[w.severity]}>{WARNING_SEVERITY_LABELS[w.severity]}</Tag> : <Tag>{w.severity}</Tag>}
                <span>{w.title}</span>
                <Typography.Text type="secondary">{formatDateTime(w.raisedAt)}</Typography.Text>
              </Space>
            </List.Item>
          )}
        />
      </Space>
    </ProCard>
  );
}
