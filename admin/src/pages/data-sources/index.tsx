import { PlusOutlined } from '@ant-design/icons';
import { type ActionType, ModalForm, PageContainer, ProTable, type ProColumns } from '@ant-design/pro-components';
import type { TDataSource, TUpdateDataSource } from '@xyd/shared';
import {
  INGEST_CATEGORY_LABELS,
  DATA_SOURCE_DEFAULT_GRACE_HOURS,
  DATA_SOURCE_MAX_GRACE_HOURS,
  UNKNOWN_USCC_POLICY_LABELS,
} from '@xyd/shared';
import { App, Button, type ButtonProps, Popconfirm, Space, Tag, Typography } from 'antd';
import { useRef, useState } from 'react';
import PageTitle from '@/components/PageTitle';
import RotateKeyForm from '@/components/RotateKeyForm';
import { toTableResult } from '@/services/api';
import { createDataSource, listDataSources, rotateDataSourceKey, updateDataSource } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import SourceSecretModal, { type IssuedSourceSecret } from './SecretModal';
import SourceFields, { regionCodesOf, type SourceForm } from './SourceFields';

/** The same members, whatever the order (the checkbox group answers categories in the platform's order). */
const sameSet = (a: readonly string[], b: readonly string[]) => [...a].sort().join(',') === [...b].sort().join(',');

/** 数据源管理: who may send which credit data for which regions, with the signing key each one uses. */
export default function DataSourcesPage() {
  const actionRef = useRef<ActionType>();
  const { message } = App.useApp();
  const [issued, setIssued] = useState<IssuedSourceSecret | null>(null);

  const create = async (values: SourceForm) => {
    try {
      const result = await createDataSource({
        organisationId: values.organisationId!,
        name: values.name.trim(),
        categories: values.categories,
        regionCodes: regionCodesOf(values.regionCodes),
        unknownUscc: values.unknownUscc,
      });
      setIssued({ reason: 'create', issued: result });
    } catch {
      return false; // shown globally
    }
    actionRef.current?.reload();
    return true;
  };

  /** Sends only what changed. */
  const update = async (source: TDataSource, values: SourceForm) => {
    const body: TUpdateDataSource = {};
    const name = values.name.trim();
    const regionCodes = regionCodesOf(values.regionCodes);
    if (name !== source.name) body.name = name;
    if (!sameSet(values.categories, source.categories)) body.categories = values.categories;
    if (!sameSet(regionCodes, source.regionCodes)) body.regionCodes = regionCodes;
    if (values.unknownUscc !== source.unknownUscc) body.unknownUscc = values.unknownUscc;
    if (Object.keys(body).length === 0) {
      message.info('未做修改');
      return true;
    }
    try {
      await updateDataSource({ id: source.id }, body);
    } catch {
      return false;
    }
    message.success('已保存');
    actionRef.current?.reload();
    return true;
  };

  const setEnabled = async (source: TDataSource, enabled: boolean) => {
    try {
      await updateDataSource({ id: source.id }, { enabled });
    } catch {
      return;
    }
    message.success(enabled ? '数据源已启用' : '数据源已停用');
    actionRef.current?.reload();
  };

  const rotate = async (source: TDataSource, graceHours: number) => {
    try {
      const result = await rotateDataSourceKey({ id: source.id }, { graceHours });
      setIssued({ reason: 'rotate', issued: result });
    } catch {
      return false;
    }
    actionRef.current?.reload();
    return true;
  };

  const columns: ProColumns<TDataSource>[] = [
    { title: '名称', dataIndex: 'name' },
    { title: '所属机构', dataIndex: 'organisationName' },
    {
      title: '数据类别',
      dataIndex: 'categories',
      render: (_, s) => (
        <Space size={[0, 4]} wrap>
          {s.categories.map((c) => (
            <Tag key={c}>{INGEST_CATEGORY_LABELS[c]}</Tag>
          ))}
        </Space>
      ),
    },
    {
      title: '覆盖区域',
      dataIndex: 'regionCodes',
      render: (_, s) => (
        <Space size={[4, 0]} wrap>
          {s.regionCodes.map((code) => (
            <Typography.Text key={code} code>
              {code}
            </Typography.Text>
          ))}
        </Space>
      ),
    },
    { title: '未登记企业', dataIndex: 'unknownUscc', width: 150, render: (_, s) => UNKNOWN_USCC_POLICY_LABELS[s.unknownUscc] },
    {
      title: '状态',
      dataIndex: 'enabled',
      width: 90,
      render: (_, s) => (
        <Tag color={s.enabled ? 'success' : 'default'} data-testid="source-status">
          {s.enabled ? '启用' : '已停用'}
        </Tag>
      ),
    },
    {
      title: 'Key ID',
      dataIndex: 'keyId',
      render: (_, s) => (
        <Space direction="vertical" size={0}>
          <Typography.Text code copyable={{ text: s.keyId }}>
            {s.keyId}
          </Typography.Text>
          {s.previousKeyValidUntil && new Date(s.previousKeyValidUntil).getTime() > Date.now() && (
            <Typography.Text type="secondary" data-testid="source-previous-key">
              旧密钥可用至 {formatDateTime(s.previousKeyValidUntil)}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: '最近接收',
      dataIndex: 'lastReceivedAt',
      width: 170,
      render: (_, s) => (s.lastReceivedAt ? formatDateTime(s.lastReceivedAt) : <Typography.Text type="secondary">尚未接收</Typography.Text>),
    },
    {
      title: '操作',
      valueType: 'option',
      key: 'option',
      width: 200,
      render: (_, source) => [
        <ModalForm<SourceForm>
          key="edit"
          title={`编辑数据源 ${source.name}`}
          width={640}
          trigger={<a data-testid="source-edit">编辑</a>}
          initialValues={{
            name: source.name,
            categories: source.categories,
            regionCodes: source.regionCodes,
            unknownUscc: source.unknownUscc,
          }}
          modalProps={{ destroyOnHidden: true }}
          onFinish={(values) => update(source, values)}
        >
          <SourceFields creating={false} />
        </ModalForm>,
        <RotateKeyForm
          key="rotate"
          holderName={source.name}
          defaultGraceHours={DATA_SOURCE_DEFAULT_GRACE_HOURS}
          maxGraceHours={DATA_SOURCE_MAX_GRACE_HOURS}
          oldKeyUse="签名推送"
          testId="source-rotate"
          onRotate={(graceHours) => rotate(source, graceHours)}
        />,
        <Popconfirm
          key="toggle"
          title={source.enabled ? `停用 ${source.name}？` : `启用 ${source.name}？`}
          description={
            source.enabled
              ? '停用立即生效：该数据源的推送和文件导入都将被拒收，已入库的数据不受影响。'
              : '启用后该数据源可以再次推送和导入数据。'
          }
          okText={source.enabled ? '停用' : '启用'}
          okButtonProps={{ danger: source.enabled, 'data-testid': 'source-toggle-confirm' } as ButtonProps}
          onConfirm={() => setEnabled(source, !source.enabled)}
        >
          <a data-testid="source-toggle">{source.enabled ? '停用' : '启用'}</a>
        </Popconfirm>,
      ],
    },
  ];

  return (
    <PageContainer title={<PageTitle>数据源管理</PageTitle>}>
      <ProTable<TDataSource>
        rowKey="id"
        actionRef={actionRef}
        columns={columns}
        headerTitle="数据源"
        search={false}
        request={(params) => toTableResult(listDataSources({ current: params.current, pageSize: params.pageSize }))}
        onRow={(s) => ({ 'data-testid': 'source-row', 'data-enabled': String(s.enabled) }) as object}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
        toolBarRender={() => [
          <ModalForm<SourceForm>
            key="create"
            title="新建数据源"
            width={640}
            trigger={
              <Button type="primary" icon={<PlusOutlined />} data-testid="source-create">
                新建数据源
              </Button>
            }
            initialValues={{ categories: [], regionCodes: [], unknownUscc: 'reject' }}
            modalProps={{ destroyOnHidden: true }}
            onFinish={create}
          >
            <SourceFields creating />
          </ModalForm>,
        ]}
      />
      <SourceSecretModal issued={issued} onClose={() => setIssued(null)} />
    </PageContainer>
  );
}
