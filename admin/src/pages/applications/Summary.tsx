import type { TApplicationDetail, TApplicationEvent, TGrant } from '@xyd/shared';
import {
  APPLICATION_STATUS_LABELS,
  DATA_SCOPE_LABELS,
  formatFen,
  formatRateBp,
  GRANT_STATUS_LABELS,
  GUARANTEE_METHOD_LABELS,
  REPAYMENT_METHOD_LABELS,
} from '@xyd/shared';
import { Descriptions, Empty, Space, Table, Tag, Timeline, Typography } from 'antd';
import { formatDateTime } from '@/utils/format';
import { APPLICATION_STATUS_COLORS, GRANT_STATUS_COLORS } from './labels';
import SlaClock from './SlaClock';

const ACTOR_LABELS: Record<TApplicationEvent['actorKind'], string> = {
  institution: '金融机构',
  enterprise: '企业',
  system: '系统',
  platform: '平台',
  agency: '信用服务机构',
};

function OfferText({ offer, accepted }: { offer: NonNullable<TApplicationDetail['offer']>; accepted: boolean }) {
  return (
    <Space size={4} wrap data-testid="application-offer">
      <span>
        {formatFen(offer.amountFen)}，年利率 {formatRateBp(offer.rateBp)}，{offer.termMonths} 个月，
        {REPAYMENT_METHOD_LABELS[offer.repaymentMethod]}，{GUARANTEE_METHOD_LABELS[offer.guaranteeMethod]}
      </span>
      <Tag color={accepted ? 'success' : 'warning'}>{accepted ? '企业已接受' : '待企业确认'}</Tag>
    </Space>
  );
}

/** The application as submitted, what was decided, and its clocks (受理, then 办结). */
export function ApplicationSummary({ detail: a }: { detail: TApplicationDetail }) {
  return (
    <Descriptions column={{ xs: 1, md: 3 }} data-testid="application-summary">
      <Descriptions.Item label="企业">{a.enterpriseName}</Descriptions.Item>
      <Descriptions.Item label="产品">{a.productName}</Descriptions.Item>
      <Descriptions.Item label="金融机构">{a.institutionName}</Descriptions.Item>
      <Descriptions.Item label="申请金额">{formatFen(a.amountFen)}</Descriptions.Item>
      <Descriptions.Item label="申请期限">{a.termMonths} 个月</Descriptions.Item>
      <Descriptions.Item label="状态">
        <Tag color={APPLICATION_STATUS_COLORS[a.status]}>{APPLICATION_STATUS_LABELS[a.status]}</Tag>
      </Descriptions.Item>
      <Descriptions.Item label="提交时间">{formatDateTime(a.submittedAt)}</Descriptions.Item>
      <Descriptions.Item label="数据授权">
        {a.grantActive ? <Tag color="success">有效</Tag> : <Tag color="default">已失效</Tag>}
      </Descriptions.Item>
      <Descriptions.Item label="资金用途">{a.purpose || '-'}</Descriptions.Item>
      <Descriptions.Item label="办理时限" span="filled">
        <Space size="large" wrap data-testid="application-clocks">
          {(a.clocks.length > 0 ? a.clocks : [a.sla]).map((c) => (
            <SlaClock key={c.stage} clock={c} direction="horizontal" />
          ))}
        </Space>
      </Descriptions.Item>
      {a.offer && (
        <Descriptions.Item label="批复" span="filled">
          <OfferText offer={a.offer} accepted={a.offerAccepted} />
        </Descriptions.Item>
      )}
      {a.rejection && (
        <Descriptions.Item label="拒绝原因" span="filled">
          <span data-testid="application-rejection">
            {a.rejection.label}：{a.rejection.text}
          </span>
        </Descriptions.Item>
      )}
    </Descriptions>
  );
}

/** The firm's grants for this application: to whom, which data, until when, and whether still in force. */
export function GrantTable({ grants }: { grants: readonly TGrant[] }) {
  return (
    <Table<TGrant>
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={[...grants]}
      locale={{ emptyText: '无数据授权' }}
      onRow={(g) => ({ 'data-testid': 'grant-row', 'data-status': g.status }) as object}
      columns={[
        { title: '被授权机构', dataIndex: 'organisationName' },
        {
          title: '授权数据',
          dataIndex: 'scopes',
          render: (_: unknown, g) => (
            <Space size={[4, 4]} wrap>
              {g.scopes.map((s) => (
                <Tag key={s}>{DATA_SCOPE_LABELS[s]}</Tag>
              ))}
            </Space>
          ),
        },
        { title: '授权至', dataIndex: 'expiresOn', width: 110 },
        {
          title: '状态',
          dataIndex: 'status',
          width: 150,
          render: (_: unknown, g) => (
            <Space direction="vertical" size={0}>
              <Tag color={GRANT_STATUS_COLORS[g.status]}>{GRANT_STATUS_LABELS[g.status]}</Tag>
              {g.revokedAt && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {g.revokedByName ?? ''} 撤销于 {formatDateTime(g.revokedAt)}
                </Typography.Text>
              )}
            </Space>
          ),
        },
        {
          title: '授权人',
          dataIndex: 'grantedByName',
          width: 110,
          render: (_: unknown, g) => `${g.grantedByName}（${formatDateTime(g.grantedAt).slice(0, 10)}）`,
        },
      ]}
    />
  );
}

/** Every step of the application, oldest first, with who took it and when (Asia/Shanghai). */
export function EventTimeline({ events }: { events: readonly TApplicationEvent[] }) {
  if (events.length === 0) return <Empty description="暂无记录" />;
  const ordered = [...events].sort((a, b) => a.at.localeCompare(b.at));
  return (
    <Timeline
      data-testid="application-timeline"
      items={ordered.map((e) => ({
        key: e.id,
        color: e.toStatus === 'rejected' || e.kind === 'grant_revoked' ? 'red' : e.toStatus ? 'blue' : 'gray',
        children: (
          <Space direction="vertical" size={0} data-testid="application-event">
            <Typography.Text strong>{e.label}</Typography.Text>
            <Typography.Text type="secondary">
              {ACTOR_LABELS[e.actorKind]} {e.actorName} · {formatDateTime(e.at)}
            </Typography.Text>
            {e.note && <span>{e.note}</span>}
          </Space>
        ),
      }))}
    />
  );
}
