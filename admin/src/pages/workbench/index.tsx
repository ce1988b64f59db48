import { PageContainer, ProCard, StatisticCard } from '@ant-design/pro-components';
import { history, useModel } from '@umijs/max';
import { ORG_TYPE_LABELS, ROLE_LABELS } from '@xyd/shared';
import { Empty, Skeleton, Typography } from 'antd';
import PageTitle from '@/components/PageTitle';
import { useLoad } from '@/hooks/useLoad';
import { getWorkbench } from '@/services/generated';

/** The signed-in user's starting page: role-specific counts from GET /api/v1/workbench, each linking to its list. */
export default function WorkbenchPage() {
  const { initialState } = useModel('@@initialState');
  const user = initialState?.currentUser;
  const { data, loading } = useLoad(getWorkbench, []);

  return (
    <PageContainer title={<PageTitle>工作台</PageTitle>}>
      {user && (
        <Typography.Paragraph data-testid="workbench-greeting">
          {user.displayName}，您好！当前身份：{ROLE_LABELS[user.role]}
          {user.organisation && `（${user.organisation.name} · ${ORG_TYPE_LABELS[user.organisation.type]}）`}
        </Typography.Paragraph>
      )}
      {loading && !data ? (
        <Skeleton active />
      ) : data && data.cards.length > 0 ? (
        <ProCard gutter={[16, 16]} wrap ghost>
          {data.cards.map((card) => (
            <ProCard key={card.key} colSpan={{ xs: 24, sm: 12, lg: 8, xl: 6 }} ghost>
              <StatisticCard
                data-testid={`workbench-card-${card.key}`}
                hoverable={!!card.link}
                onClick={card.link ? () => history.push(card.link!) : undefined}
                statistic={{ title: card.title, value: card.value }}
              />
            </ProCard>
          ))}
        </ProCard>
      ) : (
        <Empty description="暂无待办事项" />
      )}
    </PageContainer>
  );
}
