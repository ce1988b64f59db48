import { ProCard } from '@ant-design/pro-components';
import type { TWarningRules, TWarningSeverity } from '@xyd/shared';
import { PENALTY_SEVERITIES, PENALTY_SEVERITY_LABELS, WARNING_RULE_CODES, WARNING_RULE_LABELS, WARNING_SEVERITY_LABELS } from '@xyd/shared';
import { Alert, App, Button, Descriptions, Input, Modal, Result, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useLoad } from '@/hooks/useLoad';
import { errorMessageOf } from '@/requestErrorConfig';
import { listWarningRuleSets, publishWarningRules, type PublishWarningRulesBody } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import { SEVERITY_COLORS } from '../labels';

interface TRuleSet {
  id: string;
  version: number;
  active: boolean;
  createdAt: string;
  document: TWarningRules;
}

const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

function Thresholds({ rules }: { rules: TWarningRules }) {
  return (
    <Descriptions size="small" bordered column={{ xs: 1, md: 2 }} data-testid="warning-thresholds">
      <Descriptions.Item label="名称">{rules.name}</Descriptions.Item>
      <Descriptions.Item label="回溯天数">{rules.lookbackDays} 天内的记录</Descriptions.Item>
      <Descriptions.Item label="说明" span="filled">
        {rules.description || '-'}
      </Descriptions.Item>
      <Descriptions.Item label="行政处罚起报">{PENALTY_SEVERITY_LABELS[rules.penaltyMinSeverity]}及以上</Descriptions.Item>
      <Descriptions.Item label="处罚对应预警级别">
        <Space size={[4, 4]} wrap>
          {PENALTY_SEVERITIES.map((s) => {
            const level: TWarningSeverity = rules.penaltySeverity[s];
            return (
              <Tag key={s} color={SEVERITY_COLORS[level]}>
                {PENALTY_SEVERITY_LABELS[s]} → {WARNING_SEVERITY_LABELS[level]}
              </Tag>
            );
          })}
        </Space>
      </Descriptions.Item>
      <Descriptions.Item label="用电量骤降">最近一月低于上年同月的 {percent(rules.utilityDropRatio)}，且近三月低于上年同期的 {percent(rules.utilityDropRatio + 0.1)}</Descriptions.Item>
      <Descriptions.Item label="参保人数骤降">最近一月低于上年同月的 {percent(rules.headcountDropRatio)}，且近三月低于上年同期的 {percent(rules.headcountDropRatio + 0.1)}</Descriptions.Item>
      <Descriptions.Item label="评级下调">下调 {rules.ratingDownNotches} 档及以上</Descriptions.Item>
      <Descriptions.Item label="启用的规则" span="filled">
        <Space size={[4, 4]} wrap>
          {WARNING_RULE_CODES.map((code) => (
            <Tag key={code} color={rules.enabled[code] ? 'green' : 'default'} data-testid="warning-rule-enabled" data-enabled={String(rules.enabled[code])}>
              {WARNING_RULE_LABELS[code]}
              {rules.enabled[code] ? '' : '（停用）'}
            </Tag>
          ))}
        </Space>
      </Descriptions.Item>
    </Descriptions>
  );
}

/**
 * 预警规则: the thresholds in force, the versions published so far, and a new version written as JSON (the same
 * document the server validates), starting from the one in force.
 */
export default function WarningRules() {
  const { message } = App.useApp();
  const sets = useLoad(() => listWarningRuleSets() as Promise<TRuleSet[]>, []);
  const [editing, setEditing] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [publishing, setPublishing] = useState(false);

  if (!sets.data) {
    return sets.error ? (
      <Result status="warning" title="预警规则加载失败" extra={<Button onClick={sets.reload}>重试</Button>} />
    ) : (
      <Skeleton active />
    );
  }
  const active = sets.data.find((s) => s.active);

  const openEditor = () => {
    setProblem(null);
    setEditing(JSON.stringify(active?.document ?? {}, null, 2));
  };

  const publish = async () => {
    if (editing === null) return;
    let document: unknown;
    try {
      document = JSON.parse(editing);
    } catch (e) {
      setProblem(`JSON 格式有误：${(e as Error).message}`);
      return;
    }
    setProblem(null);
    setPublishing(true);
    try {
      const next = (await publishWarningRules(document as PublishWarningRulesBody)) as TRuleSet[];
      const published = next.find((s) => s.active);
      message.success(published ? `已发布预警规则第 ${published.version} 版，立即生效` : '已发布预警规则');
      setEditing(null);
      await sets.reload();
    } catch (e) {
      // Also shown globally; kept beside the editor, where the document can be fixed.
      setProblem(errorMessageOf(e));
    } finally {
      setPublishing(false);
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <ProCard
        bordered
        title={active ? `当前生效：第 ${active.version} 版` : '当前生效的预警规则'}
        extra={
          <Button type="primary" onClick={openEditor} data-testid="warning-rules-edit">
            发布新版本
          </Button>
        }
      >
        {active ? <Thresholds rules={active.document} /> : <Typography.Text type="secondary">尚无生效的预警规则</Typography.Text>}
      </ProCard>
      <ProCard bordered title="历史版本">
        <Table<TRuleSet>
          rowKey="id"
          size="small"
          pagination={false}
          dataSource={[...sets.data].sort((a, b) => b.version - a.version)}
          onRow={(s) => ({ 'data-testid': 'warning-rules-row', 'data-active': String(s.active) }) as object}
          columns={[
            { title: '版本', dataIndex: 'version', width: 90, render: (v: number) => `第 ${v} 版` },
            { title: '名称', key: 'name', render: (_, s) => s.document.name },
            { title: '状态', dataIndex: 'active', width: 100, render: (v: boolean) => (v ? <Tag color="green">生效中</Tag> : <Tag>已停用</Tag>) },
            { title: '发布时间', dataIndex: 'createdAt', width: 180, render: (v: string) => formatDateTime(v) },
          ]}
        />
      </ProCard>
      <Modal
        open={editing !== null}
        title="发布新版预警规则"
        width={760}
        okText="发布并立即生效"
        confirmLoading={publishing}
        onOk={publish}
        onCancel={() => setEditing(null)}
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">
          以当前生效版本为底稿修改阈值（格式 xyd-warning-rules/1）；发布后立即用于新汇入的数据，旧版本保留备查。
        </Typography.Paragraph>
        {problem && <Alert type="error" showIcon style={{ marginBottom: 12 }} message={problem} data-testid="warning-rules-problem" />}
        <Input.TextArea
          aria-label="预警规则 JSON"
          data-testid="warning-rules-json"
          value={editing ?? ''}
          onChange={(e) => setEditing(e.target.value)}
          autoSize={{ minRows: 16, maxRows: 28 }}
          spellCheck={false}
          style={{ fontFamily: 'monospace', fontSize: 12 }}
        />
      </Modal>
    </Space>
  );
}
