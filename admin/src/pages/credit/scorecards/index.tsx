import { UploadOutlined } from '@ant-design/icons';
import { PageContainer, ProCard } from '@ant-design/pro-components';
import type { TScorecardVersion } from '@xyd/shared';
import { SCORECARD_STATUS_LABELS } from '@xyd/shared';
import { Alert, App, Button, Popconfirm, Result, Space, Table, Tabs, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import PageTitle from '@/components/PageTitle';
import { useLoad } from '@/hooks/useLoad';
import { errorMessageOf } from '@/requestErrorConfig';
import { activateScorecard, listScorecards, uploadScorecard, type UploadScorecardBody } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import ComparisonModal from './ComparisonModal';
import ScorecardDrawer, { STATUS_COLORS } from './ScorecardDrawer';
import WarningRules from './WarningRules';
import { KIND_LABELS, headlineMetrics, readText } from './format';

/** The server takes JSON bodies up to 1 MB; a trained scorecard is a few dozen KB. */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** Parses a picked version file; the server validates the document itself and answers why it refuses one. */
export async function parseScorecardFile(file: File): Promise<{ document: unknown } | { problem: string }> {
  if (file.size > MAX_DOCUMENT_BYTES) return { problem: '评分卡文件不能超过 1 MB' };
  let document: unknown;
  try {
    document = JSON.parse(await readText(file));
  } catch {
    return { problem: '文件不是有效的 JSON，请选择评分卡训练器（npm run credit:train）输出的版本文件' };
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return { problem: '文件内容不是评分卡文档（应为一个 JSON 对象）' };
  }
  return { document };
}

function ScorecardVersions() {
  const { message } = App.useApp();
  const versions = useLoad(listScorecards, []);
  const [openId, setOpenId] = useState<string | null>(null);
  const [comparing, setComparing] = useState<TScorecardVersion | null>(null);
  const [uploading, setUploading] = useState(false);
  const [uploadProblem, setUploadProblem] = useState<string | null>(null);

  const upload = async (file: File) => {
    setUploadProblem(null);
    const parsed = await parseScorecardFile(file);
    if ('problem' in parsed) {
      setUploadProblem(parsed.problem);
      return;
    }
    setUploading(true);
    try {
      const created = await uploadScorecard({ document: parsed.document as UploadScorecardBody['document'] });
      message.success(`已上传候选版本“${created.name}”（第 ${created.version} 版），将以影子方式评分`);
      await versions.reload();
    } catch (e) {
      // The toast says it too; the list of problems stays here while the file is fixed.
      setUploadProblem(errorMessageOf(e));
    } finally {
      setUploading(false);
    }
  };

  const activate = async (v: TScorecardVersion) => {
    try {
      await activateScorecard({ id: v.id });
    } catch {
      return; // shown globally
    }
    message.success(`已启用“${v.name}”，正在全量重新评分`);
    await versions.reload();
  };

  if (!versions.data && versions.error) {
    return <Result status="warning" title="评分卡版本加载失败" extra={<Button onClick={versions.reload}>重试</Button>} />;
  }

  return (
    <ProCard
      bordered
      title="评分卡版本"
      extra={
        <Upload
          accept=".json,application/json"
          showUploadList={false}
          disabled={uploading}
          beforeUpload={(file) => {
            void upload(file);
            return false; // sent by uploadScorecard, not by the Upload itself
          }}
        >
          <Button type="primary" icon={<UploadOutlined />} loading={uploading} data-testid="scorecard-upload">
            上传候选版本
          </Button>
        </Upload>
      }
    >
      {uploadProblem && (
        <Alert
          type="error"
          showIcon
          closable
          onClose={() => setUploadProblem(null)}
          style={{ marginBottom: 16 }}
          message="候选版本未能上传"
          description={<span data-testid="scorecard-upload-problem">{uploadProblem}</span>}
        />
      )}
      <Table<TScorecardVersion>
        rowKey="id"
        size="middle"
        loading={versions.loading && !versions.data}
        dataSource={versions.data ?? []}
        pagination={false}
        scroll={{ x: 1200 }}
        onRow={(v) => ({ 'data-testid': 'scorecard-row', 'data-status': v.status }) as object}
        columns={[
          { title: '版本', dataIndex: 'version', width: 80, render: (v: number) => `第 ${v} 版` },
          {
            title: '名称',
            dataIndex: 'name',
            render: (_, v) => (
              <a onClick={() => setOpenId(v.id)} data-testid="scorecard-open">
                {v.name}
              </a>
            ),
          },
          { title: '类型', dataIndex: 'kind', width: 110, render: (_, v) => KIND_LABELS[v.kind] },
          {
            title: '状态',
            dataIndex: 'status',
            width: 140,
            render: (_, v) => (
              <Tag color={STATUS_COLORS[v.status]} data-testid="scorecard-status">
                {SCORECARD_STATUS_LABELS[v.status]}
              </Tag>
            ),
          },
          { title: '特征数', dataIndex: 'characteristics', width: 80 },
          { title: '已评分企业', dataIndex: 'scored', width: 110, render: (_, v) => v.scored.toLocaleString('zh-CN') },
          {
            title: '训练 AUC / KS',
            key: 'training',
            width: 190,
            render: (_, v) => <span data-testid="scorecard-metrics">{headlineMetrics(v.training)}</span>,
          },
          { title: '上传时间', dataIndex: 'createdAt', width: 170, render: (_, v) => formatDateTime(v.createdAt) },
          { title: '启用时间', dataIndex: 'activatedAt', width: 170, render: (_, v) => formatDateTime(v.activatedAt) },
          {
            title: '操作',
            key: 'actions',
            width: 150,
            fixed: 'right',
            render: (_, v) => (
              <Space>
                <a onClick={() => setOpenId(v.id)}>详情</a>
                {v.status === 'candidate' && (
                  <>
                    <a onClick={() => setComparing(v)} data-testid="scorecard-compare">
                      对比
                    </a>
                    <Popconfirm
                      title="启用后将全量重新评分"
                      description="当前生效版本将停用，所有企业按该版本重新评分并记入评分历史。"
                      okText="确认启用"
                      cancelText="取消"
                      onConfirm={() => activate(v)}
                    >
                      <a data-testid="scorecard-activate">启用</a>
                    </Popconfirm>
                  </>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
        候选版本上传后与生效版本并行评分（影子评分），不影响企业的评级；对比评级迁移、PSI 和实际结果上的 AUC、KS 后再启用。
      </Typography.Paragraph>
      <ScorecardDrawer id={openId} onClose={() => setOpenId(null)} />
      <ComparisonModal candidate={comparing} onClose={() => setComparing(null)} />
    </ProCard>
  );
}

/** 评分卡管理 (platform admins): scorecard versions, candidates in shadow, their comparison and activation; warning-rule thresholds. */
export default function ScorecardsPage() {
  return (
    <PageContainer title={<PageTitle>评分卡管理</PageTitle>}>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'scorecards', label: '评分卡版本', children: <ScorecardVersions /> },
          { key: 'rules', label: <span data-testid="tab-warning-rules">预警规则</span>, children: <WarningRules /> },
        ]}
      />
    </PageContainer>
  );
}
