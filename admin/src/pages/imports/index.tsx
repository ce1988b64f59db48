import { DownloadOutlined, UploadOutlined } from '@ant-design/icons';
import { type ActionType, PageContainer, ProCard, type ProColumns, ProTable } from '@ant-design/pro-components';
import { history, useAccess } from '@umijs/max';
import type { TBatchStatus, TIngestCategory, TDataSource, TIngestBatch } from '@xyd/shared';
import { BATCH_ORIGIN_LABELS, BATCH_STATUS_LABELS, INGEST_CATEGORIES, INGEST_CATEGORY_LABELS, IMPORT_MAX_BYTES } from '@xyd/shared';
import { Alert, App, Button, Form, Result, Select, Skeleton, Space, Typography, Upload } from 'antd';
import { useCallback, useMemo, useRef, useState } from 'react';
import PageTitle from '@/components/PageTitle';
import { useLoad } from '@/hooks/useLoad';
import { toTableResult } from '@/services/api';
import { downloadCreditTemplateUrl, listDataSources, listIngestBatches, startCreditImport } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import BatchDrawer from './BatchDrawer';
import BatchStatus from './BatchStatus';
import { POLL_INTERVAL_MS, isActive } from './progress';

/** Sources a console user may import into; one organisation has a handful, the platform a few dozen. */
const SOURCE_PAGE_SIZE = 100;
const FILE_TYPES = ['csv', 'xlsx'];

const CATEGORY_ENUM = Object.fromEntries(INGEST_CATEGORIES.map((c) => [c, { text: INGEST_CATEGORY_LABELS[c] }]));
const STATUS_ENUM = Object.fromEntries(
  (Object.keys(BATCH_STATUS_LABELS) as TBatchStatus[]).map((s) => [s, { text: BATCH_STATUS_LABELS[s] }]),
);

/** Why a picked file cannot be imported, or null when it can; the server checks its content again. */
export function fileProblem(file: { name: string; size: number }): string | null {
  const extension = /\.([a-z0-9]+)$/i.exec(file.name)?.[1]?.toLowerCase() ?? '';
  if (extension === 'xls') return '不支持 .xls 格式，请在 Excel 中另存为 .xlsx 后再上传';
  if (!FILE_TYPES.includes(extension)) return '只能上传 CSV 或 XLSX 文件';
  if (file.size === 0) return '文件是空的';
  if (file.size > IMPORT_MAX_BYTES) return '文件不能超过 2 GB，请拆分后分别导入';
  return null;
}

function templateUrl(category: TIngestCategory, format: 'csv' | 'xlsx'): string {
  return downloadCreditTemplateUrl({ category, format });
}

interface BatchFilters {
  sourceId?: string;
  category?: TIngestCategory;
  status?: TBatchStatus;
}

/** 数据导入: pick a source and a category, download the template, upload a file, and follow the import. */
export default function ImportsPage() {
  const { message } = App.useApp();
  const access = useAccess();
  const actionRef = useRef<ActionType>();
  const sources = useLoad(() => listDataSources({ current: 1, pageSize: SOURCE_PAGE_SIZE }), []);
  const list = useMemo(() => sources.data?.list ?? [], [sources.data]);
  const [chosenSourceId, setSourceId] = useState<string>();
  const [chosenCategory, setCategory] = useState<TIngestCategory>();
  const [uploading, setUploading] = useState(false);
  const [openBatch, setOpenBatch] = useState<string | null>(null);

  // With one source (or one category) there is nothing to choose.
  const enabled = list.filter((s) => s.enabled);
  const sourceId = chosenSourceId ?? (enabled.length === 1 ? enabled[0].id : undefined);
  const source: TDataSource | undefined = list.find((s) => s.id === sourceId);
  const onlyCategory = source?.categories.length === 1 ? source.categories[0] : undefined;
  const category = chosenCategory && source?.categories.includes(chosenCategory) ? chosenCategory : onlyCategory;

  const polling = useCallback((rows: TIngestBatch[] | undefined) => (rows?.some(isActive) ? POLL_INTERVAL_MS : 0), []);

  const upload = async (file: File) => {
    if (!source || !category) {
      message.error('请先选择数据源和数据类别');
      return;
    }
    const problem = fileProblem(file);
    if (problem) {
      message.error(problem);
      return;
    }
    setUploading(true);
    try {
      await startCreditImport({ sourceId: source.id, category }, { file });
      message.success(`已提交“${file.name}”，正在排队导入`);
      actionRef.current?.reload();
    } catch {
      // shown globally
    } finally {
      setUploading(false);
    }
  };

  const columns: ProColumns<TIngestBatch>[] = [
    {
      title: '数据源',
      dataIndex: 'sourceId',
      valueType: 'select',
      fieldProps: { 'aria-label': '数据源', options: list.map((s) => ({ value: s.id, label: s.name })) },
      render: (_, b) => b.sourceName,
    },
    { title: '数据类别', dataIndex: 'category', valueType: 'select', valueEnum: CATEGORY_ENUM, fieldProps: { 'aria-label': '数据类别' } },
    {
      title: '文件 / 批次号',
      key: 'name',
      search: false,
      render: (_, b) => (
        <Space direction="vertical" size={0}>
          <a onClick={() => setOpenBatch(b.id)} data-testid="batch-open">
            {b.fileName ?? b.externalBatchId ?? b.id}
          </a>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {BATCH_ORIGIN_LABELS[b.origin]}
          </Typography.Text>
        </Space>
      ),
    },
    {
      title: '状态',
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: STATUS_ENUM,
      fieldProps: { 'aria-label': '状态' },
      width: 240,
      render: (_, b) => <BatchStatus batch={b} />,
    },
    {
      title: '接收 / 入库 / 拒收',
      key: 'counts',
      search: false,
      render: (_, b) => (
        <span data-testid="batch-counts-cell">
          {b.counts.received} / {b.counts.accepted + b.counts.superseded} /{' '}
          {b.counts.rejected > 0 ? <Typography.Text type="danger">{b.counts.rejected}</Typography.Text> : 0}
          {b.counts.held > 0 ? <Typography.Text type="warning">（暂存 {b.counts.held}）</Typography.Text> : null}
        </span>
      ),
    },
    { title: '提交人', dataIndex: 'createdByName', search: false, width: 110, render: (_, b) => b.createdByName ?? '-' },
    { title: '提交时间', dataIndex: 'createdAt', search: false, width: 170, render: (_, b) => formatDateTime(b.createdAt) },
    {
      title: '操作',
      valueType: 'option',
      key: 'option',
      width: 80,
      render: (_, b) => [
        <a key="detail" onClick={() => setOpenBatch(b.id)} data-testid="batch-detail-open">
          详情
        </a>,
      ],
    },
  ];

  if (!sources.data) {
    return (
      <PageContainer title={<PageTitle>数据导入</PageTitle>}>
        <Skeleton active loading={sources.loading} />
        {!sources.loading && <Result status="warning" title="数据源加载失败" extra={<Button onClick={sources.reload}>重试</Button>} />}
      </PageContainer>
    );
  }

  if (list.length === 0) {
    return (
      <PageContainer title={<PageTitle>数据导入</PageTitle>}>
        <Result
          status="info"
          title={access.canManageDataSources ? '尚未登记数据源' : '本机构暂无数据源'}
          subTitle={
            access.canManageDataSources ? '先在数据源管理中登记数据源，再导入数据文件。' : '本机构还没有可导入的数据源，请联系平台管理员登记。'
          }
          extra={
            access.canManageDataSources && (
              <Button type="primary" onClick={() => history.push('/data/sources')}>
                前往数据源管理
              </Button>
            )
          }
          data-testid="no-sources"
        />
      </PageContainer>
    );
  }

  return (
    <PageContainer title={<PageTitle>数据导入</PageTitle>}>
      <ProCard title="导入数据文件" bordered style={{ marginBottom: 16 }}>
        <Form layout="inline" style={{ rowGap: 12 }}>
          <Form.Item label="数据源" required>
            <Select<string>
              aria-label="选择数据源"
              style={{ width: 280 }}
              placeholder="请选择数据源"
              value={sourceId}
              onChange={(value) => setSourceId(value)}
              options={list.map((s) => ({ value: s.id, label: s.enabled ? s.name : `${s.name}（已停用）`, disabled: !s.enabled }))}
              data-testid="import-source"
            />
          </Form.Item>
          <Form.Item label="数据类别" required>
            <Select<TIngestCategory>
              aria-label="选择数据类别"
              style={{ width: 200 }}
              placeholder={source ? '请选择数据类别' : '请先选择数据源'}
              disabled={!source}
              value={category}
              onChange={(value) => setCategory(value)}
              options={(source?.categories ?? []).map((c) => ({ value: c, label: INGEST_CATEGORY_LABELS[c] }))}
              data-testid="import-category"
            />
          </Form.Item>
          <Form.Item>
            <Space wrap>
              <Button
                icon={<DownloadOutlined />}
                disabled={!category}
                href={category ? templateUrl(category, 'csv') : undefined}
                data-testid="template-csv"
              >
                下载模板（CSV）
              </Button>
              <Button
                icon={<DownloadOutlined />}
                disabled={!category}
                href={category ? templateUrl(category, 'xlsx') : undefined}
                data-testid="template-xlsx"
              >
                下载模板（XLSX）
              </Button>
              <Upload
                accept=".csv,.xlsx"
                showUploadList={false}
                disabled={!category || uploading}
                beforeUpload={(file) => {
                  void upload(file);
                  return false; // sent by startCreditImport, not by the Upload itself
                }}
              >
                <Button type="primary" icon={<UploadOutlined />} disabled={!category} loading={uploading} data-testid="import-upload">
                  上传文件并导入
                </Button>
              </Upload>
            </Space>
          </Form.Item>
        </Form>
        <Alert
          type="info"
          showIcon
          style={{ marginTop: 16 }}
          message="按模板填写：表头为模板中的中文列名，金额以元填写（最多两位小数），日期如 2025-03-01；CSV 可为 UTF-8 或 GBK 编码。"
          description="文件上传后由后台任务导入，可离开本页；有错误的行不会入库，导入完成后可在批次详情中下载错误报告，修改后重新导入这些行。"
        />
      </ProCard>

      <ProTable<TIngestBatch, BatchFilters>
        rowKey="id"
        actionRef={actionRef}
        columns={columns}
        headerTitle="导入批次"
        search={{ labelWidth: 'auto' }}
        polling={polling}
        request={(params) =>
          toTableResult(
            listIngestBatches({
              current: params.current,
              pageSize: params.pageSize,
              sourceId: params.sourceId,
              category: params.category,
              status: params.status,
            }),
          )
        }
        onRow={(b) => ({ 'data-testid': 'batch-row', 'data-status': b.status }) as object}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
      />
      <BatchDrawer batchId={openBatch} onClose={() => setOpenBatch(null)} />
    </PageContainer>
  );
}
