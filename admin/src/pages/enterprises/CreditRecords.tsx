import { ProCard } from '@ant-design/pro-components';
import type { TCreditCategory, TCreditRecord, TRecordStatus } from '@xyd/shared';
import { CREDIT_CATEGORIES, CREDIT_CATEGORY_LABELS, RECORD_STATUS_LABELS } from '@xyd/shared';
import { Alert, Space, Switch, Table, Tabs, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useLoad } from '@/hooks/useLoad';
import { getEnterpriseCreditSummary, listEnterpriseCreditRecords } from '@/services/generated';
import { formatDateTime } from '@/utils/format';

const DEFAULT_PAGE_SIZE = 10;

const STATUS_COLORS: Record<TRecordStatus, string> = { current: 'success', superseded: 'orange', expired: 'default', withdrawn: 'purple' };

/** When the record happened: its month (monthly data) or its date, and until when it runs. */
function periodOf(record: TCreditRecord): string {
  const start = record.period ?? record.occurredOn ?? '-';
  return record.endsOn ? `${start} 至 ${record.endsOn}` : start;
}

function RecordFields({ record }: { record: TCreditRecord }) {
  if (record.fields.length === 0) return <Typography.Text type="secondary">-</Typography.Text>;
  return (
    <Space direction="vertical" size={0} data-testid="credit-record-fields">
      {record.fields.map((field, index) => (
        <span key={`${field.label}-${index}`}>
          <Typography.Text type="secondary">{field.label}：</Typography.Text>
          {field.value}
        </span>
      ))}
    </Space>
  );
}

function RecordTags({ record, withHistory }: { record: TCreditRecord; withHistory: boolean }) {
  return (
    <Space size={[0, 4]} wrap>
      {record.adverse && (
        <Tag color="red" data-testid="credit-record-adverse">
          不良
        </Tag>
      )}
      {record.disputed && (
        <Tag color="gold" data-testid="credit-record-disputed">
          异议中
        </Tag>
      )}
      {record.corrected && (
        <Tag color="green" data-testid="credit-record-corrected">
          已信用修复
        </Tag>
      )}
      {(withHistory || record.status !== 'current') && (
        <Tag color={STATUS_COLORS[record.status]} data-testid="credit-record-status" data-status={record.status}>
          {RECORD_STATUS_LABELS[record.status]}
        </Tag>
      )}
    </Space>
  );
}

/**
 * An enterprise's credit data (数据汇聚) on its detail page: one tab per category with its count, the records with
 * their fields, source and receipt time; the history switch adds the versions later data corrected or that expired.
 */
export default function CreditRecords({ enterpriseId }: { enterpriseId: string }) {
  const summary = useLoad(() => getEnterpriseCreditSummary({ id: enterpriseId }), [enterpriseId]);
  const [chosen, setChosen] = useState<TCreditCategory>();
  const [withHistory, setWithHistory] = useState(false);
  const [adverseOnly, setAdverseOnly] = useState(false);
  const [paging, setPaging] = useState({ page: 1, pageSize: DEFAULT_PAGE_SIZE });

  const counts = new Map((summary.data ?? []).map((s) => [s.category, s.count]));
  // Open on the first category that has data; the user's choice wins once made.
  const category: TCreditCategory | undefined = summary.data
    ? (chosen ?? CREDIT_CATEGORIES.find((c) => (counts.get(c) ?? 0) > 0) ?? CREDIT_CATEGORIES[0])
    : undefined;

  const records = useLoad(
    () =>
      category
        ? listEnterpriseCreditRecords({
            id: enterpriseId,
            category,
            includeHistory: withHistory ? 'true' : undefined,
            adverse: adverseOnly ? 'true' : undefined,
            page: paging.page,
            pageSize: paging.pageSize,
          })
        : Promise.resolve(undefined),
    [enterpriseId, category, withHistory, adverseOnly, paging.page, paging.pageSize],
  );

  const firstPage = () => setPaging((p) => ({ ...p, page: 1 }));

  return (
    <ProCard
      title="信用数据"
      bordered
      extra={
        <Space size="large">
          <Space size={4}>
            <Switch size="small" checked={adverseOnly} onChange={(v) => {
                setAdverseOnly(v);
                firstPage();
              }} aria-label="仅看不良记录" data-testid="credit-adverse-only" />
            <span>仅看不良记录</span>
          </Space>
          <Space size={4}>
            <Switch size="small" checked={withHistory} onChange={(v) => {
                setWithHistory(v);
                firstPage();
              }} aria-label="含历史版本" data-testid="credit-history" />
            <span>含历史版本</span>
          </Space>
        </Space>
      }
    >
      {summary.error ? (
        <Alert type="warning" showIcon message="信用数据加载失败" data-testid="credit-records-error" />
      ) : (
        <>
          <Tabs
            activeKey={category}
            onChange={(key) => {
              setChosen(key as TCreditCategory);
              firstPage();
            }}
            items={CREDIT_CATEGORIES.map((c) => ({
              key: c,
              label: <span data-testid={`credit-tab-${c}`}>{`${CREDIT_CATEGORY_LABELS[c]}（${counts.get(c) ?? 0}）`}</span>,
            }))}
          />
          <Table<TCreditRecord>
            rowKey="id"
            size="middle"
            loading={records.loading}
            dataSource={records.data?.list ?? []}
            locale={{ emptyText: category ? `暂无${CREDIT_CATEGORY_LABELS[category]}数据` : '暂无数据' }}
            onRow={(r) => ({ 'data-testid': 'credit-record-row', 'data-status': r.status }) as object}
            pagination={{
              current: paging.page,
              pageSize: paging.pageSize,
              total: records.data?.total ?? 0,
              showSizeChanger: true,
              pageSizeOptions: [10, 20, 50],
              onChange: (page, pageSize) => setPaging({ page: pageSize === paging.pageSize ? page : 1, pageSize }),
            }}
            columns={[
              { title: '期间 / 日期', key: 'period', width: 190, render: (_, r) => periodOf(r) },
              { title: '内容', key: 'fields', render: (_, r) => <RecordFields record={r} /> },
              { title: '数据源', dataIndex: 'sourceName', width: 180 },
              { title: '接收时间', dataIndex: 'receivedAt', width: 170, render: (_, r) => formatDateTime(r.receivedAt) },
              { title: '标记', key: 'tags', width: 150, render: (_, r) => <RecordTags record={r} withHistory={withHistory} /> },
            ]}
          />
        </>
      )}
    </ProCard>
  );
}
