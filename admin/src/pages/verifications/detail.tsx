import { CheckCircleTwoTone, CloseCircleTwoTone } from '@ant-design/icons';
import { ModalForm, PageContainer, ProCard, ProForm, ProFormTextArea } from '@ant-design/pro-components';
import { history, useAccess, useParams } from '@umijs/max';
import type { TVerificationDetail } from '@xyd/shared';
import { ApiError, ENTERPRISE_STATUS_LABELS } from '@xyd/shared';
import { Alert, App, Button, Descriptions, Image, Result, Skeleton, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import PageTitle from '@/components/PageTitle';
import RegionPicker from '@/components/RegionPicker';
import { useLoad } from '@/hooks/useLoad';
import { approveVerification, getVerification, getVerificationLicenceUrl, reassignVerification, rejectVerification } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import { APPLICANT_ROLE_LABELS, VERIFICATION_STATUS_ENUM } from './labels';

interface ComparisonRow {
  key: string;
  label: string;
  applied: string;
  registered: string;
  /** null: nothing to compare against. */
  matches: boolean | null;
}

/** Applicant's data beside the registration record; the server's checks decide what counts as a mismatch. */
export function compareWithRegistration(detail: TVerificationDetail): ComparisonRow[] {
  const reg = detail.registration;
  const { checks } = detail;
  return [
    { key: 'uscc', label: '统一社会信用代码', applied: detail.uscc, registered: reg?.uscc ?? '-', matches: reg ? checks.enterpriseRegistered : null },
    { key: 'name', label: '企业名称', applied: detail.enterpriseName, registered: reg?.name ?? '-', matches: reg ? checks.nameMatches : null },
    {
      key: 'legalRepName',
      label: '法定代表人',
      applied: detail.legalRepName,
      registered: reg?.legalRepName ?? '-',
      matches: reg ? checks.legalRepNameMatches : null,
    },
    {
      key: 'legalRepId',
      label: '法定代表人身份证号',
      applied: detail.legalRepIdMasked,
      registered: reg?.legalRepIdMasked ?? '-',
      matches: reg ? checks.legalRepIdMatches : null,
    },
  ];
}

/** What the advisor must know before approving: who already owns the firm, and what does not match. */
export function approvalWarnings(detail: TVerificationDetail, mismatches: number): string[] {
  const warnings: string[] = [];
  const owners = detail.registration?.existingOwners ?? [];
  if (owners.length > 0) {
    const names = owners.join('、');
    warnings.push(
      detail.applicantRole === 'owner'
        ? `该企业已有法定代表人账号：${names}。通过后将再增加一名法定代表人，双方都能管理该企业的成员与授权。请确认申请人确为现任法定代表人（如法定代表人已变更，请核实后再通过）。`
        : `该企业已有法定代表人账号：${names}。通过后申请人将以经办人身份加入该企业。`,
    );
  }
  if (!detail.registration) warnings.push('登记信息库中没有该企业，无法核对申请信息。');
  else if (mismatches > 0) warnings.push(`申请信息与登记信息有 ${mismatches} 处不一致。`);
  return warnings;
}

function MatchCell({ matches }: { matches: boolean | null }) {
  if (matches === null) return <Tag>无登记信息</Tag>;
  return matches ? (
    <Tag icon={<CheckCircleTwoTone twoToneColor="#52c41a" />} color="success">
      一致
    </Tag>
  ) : (
    <Tag icon={<CloseCircleTwoTone twoToneColor="#ff4d4f" />} color="error">
      不一致
    </Tag>
  );
}

/** One verification request: licence, applicant vs registration, and the advisor's decision. */
export default function VerificationDetailPage() {
  const { id = '' } = useParams<{ id: string }>();
  const access = useAccess();
  const { message, modal } = App.useApp();
  const [approving, setApproving] = useState(false);
  const { data: detail, loading, error, reload } = useLoad(() => getVerification({ id }), [id]);

  if (error instanceof ApiError && error.errorCode === 'NOT_FOUND') {
    return (
      <PageContainer title={<PageTitle>认证详情</PageTitle>}>
        <Result status="404" title="认证申请不存在" subTitle="该申请不存在或不在您的管辖范围内。" />
      </PageContainer>
    );
  }
  if (!detail) {
    return (
      <PageContainer title={<PageTitle>认证详情</PageTitle>}>
        <Skeleton active loading={loading} />
      </PageContainer>
    );
  }

  const rows = compareWithRegistration(detail);
  const mismatches = rows.filter((r) => r.matches === false).length;
  const decidable = detail.status === 'pending' && access.canDecideVerifications;
  // Only an unregistered firm can move: a registered one is always reviewed in its registered region.
  const reassignable = detail.status === 'pending' && access.canReassignVerifications && !detail.registration;

  const approve = async () => {
    setApproving(true);
    try {
      await approveVerification({ id: detail.id });
      message.success('已通过认证，申请人已绑定该企业');
      await reload();
    } catch {
      // The global handler has shown why.
    } finally {
      setApproving(false);
    }
  };

  // Approving binds a person to a firm's data: never on one stray click.
  const onApprove = () => {
    const warnings = approvalWarnings(detail, mismatches);
    modal.confirm({
      title: '确认通过该认证申请？',
      width: 520,
      content: (
        <div data-testid="approve-confirm">
          <p>
            通过后，{detail.applicantName}将以{APPLICANT_ROLE_LABELS[detail.applicantRole]}身份绑定「{detail.enterpriseName}」。
          </p>
          {warnings.map((text) => (
            <Alert key={text} type="warning" showIcon style={{ marginTop: 8 }} message={text} data-testid="approve-warning" />
          ))}
        </div>
      ),
      okText: '确认通过',
      cancelText: '取消',
      onOk: approve,
    });
  };

  const status = VERIFICATION_STATUS_ENUM[detail.status];

  return (
    <PageContainer
      title={<PageTitle>认证详情</PageTitle>}
      subTitle={detail.enterpriseName}
      tags={<Tag data-testid="verification-status" color={status.status}>{status.text}</Tag>}
      onBack={() => history.push('/verifications')}
      extra={
        decidable && (
          <Space>
            <Button type="primary" loading={approving} onClick={onApprove} data-testid="approve-button">
              通过
            </Button>
            <ModalForm<{ reason: string }>
              title="驳回认证申请"
              width={480}
              trigger={
                <Button danger data-testid="reject-button">
                  驳回
                </Button>
              }
              modalProps={{ destroyOnHidden: true, okText: '确认驳回', okButtonProps: { danger: true } }}
              onFinish={async ({ reason }) => {
                try {
                  await rejectVerification({ id: detail.id }, { reason: reason.trim() });
                } catch {
                  return false;
                }
                message.success('已驳回，申请人将收到驳回原因');
                await reload();
                return true;
              }}
            >
              <ProFormTextArea
                name="reason"
                label="驳回原因"
                placeholder="请写明驳回原因，申请人将在小程序中看到"
                fieldProps={{ 'aria-label': '驳回原因', 'data-testid': 'reject-reason', maxLength: 500, showCount: true } as object}
                rules={[
                  { required: true, whitespace: true, message: '请填写驳回原因' },
                  { min: 2, message: '驳回原因至少 2 个字' },
                ]}
              />
            </ModalForm>
            {reassignable && (
              <ModalForm<{ regionCode: string }>
                title="改派认证申请"
                width={480}
                trigger={<Button data-testid="reassign-button">改派</Button>}
                modalProps={{ destroyOnHidden: true, okText: '确认改派' }}
                onFinish={async ({ regionCode }) => {
                  try {
                    await reassignVerification({ id: detail.id }, { regionCode });
                  } catch {
                    return false;
                  }
                  message.success('已改派，该区域的融资顾问和申请人将收到通知');
                  await reload();
                  return true;
                }}
              >
                <Alert
                  type="info"
                  showIcon
                  style={{ marginBottom: 16 }}
                  message="登记信息库中没有该企业，当前无融资顾问负责。请选择由哪个区域的融资顾问审核。"
                />
                <ProForm.Item name="regionCode" label="改派到" rules={[{ required: true, message: '请选择改派到的区域' }]}>
                  <RegionPicker />
                </ProForm.Item>
              </ModalForm>
            )}
          </Space>
        )
      }
    >
      {detail.status === 'rejected' && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          message={`已驳回：${detail.rejectReason ?? ''}`}
          description={detail.reviewerName ? `${detail.reviewerName} · ${formatDateTime(detail.reviewedAt)}` : undefined}
        />
      )}
      {detail.status === 'approved' && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 16 }}
          message="已通过认证"
          description={detail.reviewerName ? `${detail.reviewerName} · ${formatDateTime(detail.reviewedAt)}` : undefined}
        />
      )}
      {detail.status === 'pending' && access.canReassignVerifications && (
        <Alert
          data-testid="platform-admin-review"
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          message="该申请通常由企业所在区域的融资顾问审核；该区域没有融资顾问时，由平台管理员审批或改派。"
        />
      )}
      {detail.status === 'pending' && !access.canDecideVerifications && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message="该申请由所属地区的融资顾问审核，您可以查看但不能审批。" />
      )}
      {!detail.registration ? (
        <Alert
          data-testid="registration-missing"
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message="登记信息库中没有该统一社会信用代码的企业"
          description="请核对营业执照与申请信息，确认无误前不要通过。"
        />
      ) : (
        mismatches > 0 && (
          <Alert
            data-testid="mismatch-summary"
            type="warning"
            showIcon
            style={{ marginBottom: 16 }}
            message={`申请信息与登记信息有 ${mismatches} 处不一致`}
          />
        )
      )}
      <ProCard gutter={16} wrap ghost>
        <ProCard title="营业执照" colSpan={{ xs: 24, lg: 9 }} bordered>
          <Image
            src={getVerificationLicenceUrl({ id: detail.id })}
            alt="营业执照"
            data-testid="licence-image"
            style={{ maxHeight: 420, objectFit: 'contain' }}
            width="100%"
          />
        </ProCard>
        <ProCard title="申请信息与登记信息核对" colSpan={{ xs: 24, lg: 15 }} bordered>
          <Table<ComparisonRow>
            rowKey="key"
            size="middle"
            pagination={false}
            dataSource={rows}
            rowClassName={(row) => (row.matches === false ? 'xyd-mismatch' : '')}
            onRow={(row) =>
              ({
                'data-testid': `compare-${row.key}`,
                'data-mismatch': row.matches === false ? 'true' : 'false',
                style: row.matches === false ? { background: '#fff1f0' } : undefined,
              }) as object
            }
            columns={[
              { title: '项目', dataIndex: 'label', width: 120 },
              { title: '申请信息', dataIndex: 'applied' },
              { title: '登记信息', dataIndex: 'registered' },
              { title: '核对', key: 'matches', width: 104, render: (_, row) => <MatchCell matches={row.matches} /> },
            ]}
          />
          <Descriptions column={1} size="small" style={{ marginTop: 16 }}>
            <Descriptions.Item label="申请人">
              {detail.applicantName}（{APPLICANT_ROLE_LABELS[detail.applicantRole]}）
            </Descriptions.Item>
            <Descriptions.Item label="提交时间">{formatDateTime(detail.createdAt)}</Descriptions.Item>
            {detail.registration && (
              <>
                <Descriptions.Item label="登记地区">{detail.registration.regionName}</Descriptions.Item>
                <Descriptions.Item label="已绑定的法定代表人">
                  <span data-testid="existing-owners">
                    {(detail.registration.existingOwners ?? []).length > 0 ? detail.registration.existingOwners.join('、') : '无'}
                  </span>
                </Descriptions.Item>
                <Descriptions.Item label="登记状态">
                  <Tag color={detail.registration.status === 'active' ? 'success' : 'warning'}>
                    {ENTERPRISE_STATUS_LABELS[detail.registration.status]}
                  </Tag>
                </Descriptions.Item>
              </>
            )}
          </Descriptions>
        </ProCard>
      </ProCard>
    </PageContainer>
  );
}
