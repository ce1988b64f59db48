import { PageContainer, ProCard } from '@ant-design/pro-components';
import { history, useAccess, useModel, useParams } from '@umijs/max';
import { APPLICATION_STATUS_LABELS, ApiError } from '@xyd/shared';
import { Alert, Col, Result, Row, Skeleton, Space, Tag } from 'antd';
import { useState } from 'react';
import PageTitle from '@/components/PageTitle';
import Agencies from './Agencies';
import CreditReport from './CreditReport';
import { APPLICATION_STATUS_COLORS, hasDecisionOrLoan, isTerminal } from './labels';
import LoanSection from './LoanSection';
import MoveActions from './MoveActions';
import { ApplicationSummary, EventTimeline, GrantTable } from './Summary';
import { useApplicationDetail } from './useApplicationDetail';
import Visits from './Visits';

const LIST_PATH = '/finance/applications';

/** What the user is told when a move meets an application someone else changed first (409). */
export const MOVE_CONFLICT = '申请已被他人更新，已为您刷新';

/**
 * 申请详情: the application, its clocks, grants and timeline; the moves the server allows the user now; the credit
 * report under the firm's grant; the agencies commissioned; the loan with its repayments; and the advisor's visits.
 */
export default function ApplicationDetailPage() {
  const { id = '' } = useParams<{ id: string }>();
  const access = useAccess();
  const { initialState } = useModel('@@initialState');
  const { detail, loading, error, reload, replace } = useApplicationDetail(id);
  const [conflict, setConflict] = useState(false);

  if (error instanceof ApiError && error.errorCode === 'NOT_FOUND') {
    return (
      <PageContainer title={<PageTitle>申请详情</PageTitle>} onBack={() => history.push(LIST_PATH)}>
        <Result status="404" title="申请不存在" subTitle="该申请不存在，或不在您的查看范围内。" />
      </PageContainer>
    );
  }
  if (!detail) {
    return (
      <PageContainer title={<PageTitle>申请详情</PageTitle>}>
        <Skeleton active loading={loading} />
      </PageContainer>
    );
  }

  const user = initialState?.currentUser;
  const agencyOrganisationId = user?.role === 'agency' ? (user.organisation?.id ?? null) : null;
  const canCommission = access.canMoveApplications && !isTerminal(detail.status) && detail.grantActive;

  return (
    <PageContainer
      title={<PageTitle>申请详情</PageTitle>}
      subTitle={`${detail.enterpriseName} · ${detail.productName}`}
      tags={
        <Tag color={APPLICATION_STATUS_COLORS[detail.status]} data-testid="application-status">
          {APPLICATION_STATUS_LABELS[detail.status]}
        </Tag>
      }
      onBack={() => history.push(LIST_PATH)}
      extra={
        detail.moves.length > 0 && (
          <Space wrap data-testid="application-moves">
            <MoveActions
              detail={detail}
              onMoved={(next) => {
                setConflict(false);
                replace(next);
              }}
              onConflict={async () => {
                setConflict(true);
                await reload();
              }}
            />
          </Space>
        )
      }
    >
      {conflict && (
        <Alert
          type="warning"
          showIcon
          closable
          onClose={() => setConflict(false)}
          style={{ marginBottom: 16 }}
          data-testid="move-conflict"
          message={MOVE_CONFLICT}
          description="请核对最新状态后再操作。"
        />
      )}
      <ProCard direction="column" gutter={[0, 16]} ghost>
        <ProCard title="申请信息" bordered>
          <ApplicationSummary detail={detail} />
        </ProCard>
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={10}>
            <ProCard title="办理记录" bordered style={{ height: '100%' }}>
              <EventTimeline events={detail.events} />
            </ProCard>
          </Col>
          <Col xs={24} xl={14}>
            <ProCard title="数据授权" bordered style={{ height: '100%' }} data-testid="application-grants">
              <GrantTable grants={detail.grants} />
            </ProCard>
          </Col>
        </Row>
        {access.canReadReports && <CreditReport applicationId={detail.id} />}
        {(detail.agencies.length > 0 || canCommission || agencyOrganisationId) && (
          <Agencies detail={detail} canCommission={canCommission} agencyOrganisationId={agencyOrganisationId} onChanged={reload} />
        )}
        {detail.loan && <LoanSection loan={detail.loan} canReport={access.canReportRepayments} onChanged={reload} />}
        {access.canRecordVisits && (hasDecisionOrLoan(detail.status) || detail.loan) && (
          <Visits applicationId={detail.id} visits={detail.visits} onRecorded={reload} />
        )}
      </ProCard>
    </PageContainer>
  );
}
