import { PageContainer, ProCard } from '@ant-design/pro-components';
import { history, useParams } from '@umijs/max';
import type { TEnterpriseMember } from '@xyd/shared';
import { ApiError, ENTERPRISE_STATUS_LABELS, ROLE_LABELS, SCALE_LABELS } from '@xyd/shared';
import { Descriptions, Result, Skeleton, Table, Tag } from 'antd';
import PageTitle from '@/components/PageTitle';
import { useLoad } from '@/hooks/useLoad';
import { getEnterprise } from '@/services/generated';
import { formatDateTime, formatFenAsWan } from '@/utils/format';
import CreditProfile from './CreditProfile';
import CreditRecords from './CreditRecords';

/** An enterprise's registration data, the WeChat users bound to it, its credit profile and its credit records. */
export default function EnterpriseDetailPage() {
  const { id = '' } = useParams<{ id: string }>();
  const { data: ent, loading, error } = useLoad(() => getEnterprise({ id }), [id]);

  if (error instanceof ApiError && error.errorCode === 'NOT_FOUND') {
    return (
      <PageContainer title={<PageTitle>企业详情</PageTitle>} onBack={() => history.push('/enterprises')}>
        <Result status="404" title="企业不存在" subTitle="该企业不存在，或不在您的查看范围内。" />
      </PageContainer>
    );
  }
  if (!ent) {
    return (
      <PageContainer title={<PageTitle>企业详情</PageTitle>}>
        <Skeleton active loading={loading} />
      </PageContainer>
    );
  }

  return (
    <PageContainer
      title={<PageTitle>企业详情</PageTitle>}
      subTitle={ent.name}
      tags={<Tag color={ent.status === 'active' ? 'success' : 'warning'}>{ENTERPRISE_STATUS_LABELS[ent.status]}</Tag>}
      onBack={() => history.push('/enterprises')}
    >
      <ProCard direction="column" gutter={[0, 16]} ghost>
        <ProCard title="登记信息" bordered>
          <Descriptions column={{ xs: 1, md: 2 }} data-testid="enterprise-registration">
            <Descriptions.Item label="企业名称">{ent.name}</Descriptions.Item>
            <Descriptions.Item label="统一社会信用代码">{ent.uscc}</Descriptions.Item>
            <Descriptions.Item label="法定代表人">{ent.legalRepName}</Descriptions.Item>
            <Descriptions.Item label="法定代表人身份证号">{ent.legalRepIdMasked}</Descriptions.Item>
            <Descriptions.Item label="注册资本">{formatFenAsWan(ent.registeredCapitalFen)}</Descriptions.Item>
            <Descriptions.Item label="成立日期">{ent.establishedOn}</Descriptions.Item>
            <Descriptions.Item label="所属行业">
              {ent.industryName}（{ent.industryCode}）
            </Descriptions.Item>
            <Descriptions.Item label="企业规模">{SCALE_LABELS[ent.scale]}</Descriptions.Item>
            <Descriptions.Item label="所属地区">{ent.regionName}</Descriptions.Item>
            <Descriptions.Item label="注册地址">{ent.address ?? '-'}</Descriptions.Item>
            <Descriptions.Item label="经营范围" span={2}>
              {ent.businessScope ?? '-'}
            </Descriptions.Item>
          </Descriptions>
        </ProCard>
        <ProCard title={`绑定用户（${ent.members.length}）`} bordered>
          <Table<TEnterpriseMember>
            rowKey="id"
            size="middle"
            pagination={false}
            dataSource={ent.members}
            locale={{ emptyText: '尚无用户绑定该企业' }}
            columns={[
              { title: '姓名', dataIndex: 'displayName' },
              { title: '身份', dataIndex: 'role', render: (role: TEnterpriseMember['role']) => ROLE_LABELS[role] },
              { title: '绑定时间', dataIndex: 'since', render: (v: string) => formatDateTime(v) },
            ]}
          />
        </ProCard>
        <CreditProfile enterpriseId={id} />
        <CreditRecords enterpriseId={id} />
      </ProCard>
    </PageContainer>
  );
}
