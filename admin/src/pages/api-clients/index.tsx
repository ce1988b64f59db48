import { PlusOutlined } from '@ant-design/icons';
import {
  type ActionType,
  ModalForm,
  PageContainer,
  ProForm,
  ProFormDatePicker,
  ProFormText,
  ProFormTextArea,
  ProTable,
  type ProColumns,
} from '@ant-design/pro-components';
import type { TApiClient, TUpdateApiClient } from '@xyd/shared';
import {
  API_CLIENT_DEFAULT_GRACE_HOURS,
  API_CLIENT_MAX_GRACE_HOURS,
  API_CLIENT_MAX_LIFETIME_DAYS,
  API_CLIENT_ROLES,
  ROLE_LABELS,
  ZIpAllowEntry,
} from '@xyd/shared';
import type { Rule } from 'antd/es/form';
import { Alert, App, Button, type ButtonProps, Popconfirm, Space, Tag, Typography } from 'antd';
import { useRef, useState } from 'react';
import PageTitle from '@/components/PageTitle';
import RotateKeyForm from '@/components/RotateKeyForm';
import { toTableResult } from '@/services/api';
import { createApiClient, disableApiClient, listApiClients, rotateApiClientSecret, updateApiClient } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import SecretModal, { type IssuedSecret } from './SecretModal';

const DAY_MS = 86_400_000;
const MAX_ALLOW_LIST = 50;

/** A client acts as an officer at most; the console offers exactly the roles the server allows. */
const CLIENT_ROLES_TEXT = API_CLIENT_ROLES.map((r) => ROLE_LABELS[r]).join('、');

type ClientStatus = 'active' | 'disabled' | 'expired';
const STATUS_TAGS: Record<ClientStatus, { text: string; color: string }> = {
  active: { text: '启用', color: 'success' },
  disabled: { text: '已停用', color: 'default' },
  expired: { text: '已过期', color: 'warning' },
};

function statusOf(client: TApiClient, now = Date.now()): ClientStatus {
  if (client.disabled) return 'disabled';
  return new Date(client.expiresAt).getTime() <= now ? 'expired' : 'active';
}

/** The calendar date (Asia/Shanghai) of an instant, as the date picker shows it. */
function shanghaiDate(at: Date | string): string {
  return formatDateTime(typeof at === 'string' ? at : at.toISOString()).slice(0, 10);
}

/** An expiry chosen as a date lasts to the end of that day in Asia/Shanghai. */
function expiryOf(date: string): string {
  return `${date}T23:59:59+08:00`;
}

function allowListOf(text: string | undefined): string[] {
  return (text ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
}

const nameRules: Rule[] = [
  { required: true, whitespace: true, message: '请输入客户端名称' },
  { max: 64, message: '客户端名称不能超过 64 个字符' },
];

/** The same entry rule as the server's (shared ZIpAllowEntry), reported by line before anything is sent. */
const allowListRules: Rule[] = [
  {
    validator: async (_rule, value: string | undefined) => {
      const entries = allowListOf(value);
      if (entries.length > MAX_ALLOW_LIST) throw new Error(`IP 白名单最多 ${MAX_ALLOW_LIST} 项`);
      const bad = entries.find((entry) => !ZIpAllowEntry.safeParse(entry).success);
      if (bad) throw new Error(`“${bad}”不是有效的 IPv4/IPv6 地址或 CIDR 网段（如 10.0.0.0/8）`);
    },
  },
];

function ExpiryField() {
  const today = shanghaiDate(new Date());
  // End-of-day expiry: the last selectable day keeps the whole lifetime within the server's limit.
  const last = shanghaiDate(new Date(Date.now() + (API_CLIENT_MAX_LIFETIME_DAYS - 1) * DAY_MS));
  return (
    <ProFormDatePicker
      name="expiresOn"
      label="有效期至"
      extra={`到期当日 24 时（北京时间）失效；最长 ${API_CLIENT_MAX_LIFETIME_DAYS} 天`}
      rules={[{ required: true, message: '请选择有效期' }]}
      fieldProps={{
        'aria-label': '有效期至',
        disabledDate: (day: { format: (template: string) => string }) => {
          const value = day.format('YYYY-MM-DD');
          return value < today || value > last;
        },
      }}
    />
  );
}

function AllowListField() {
  return (
    <ProFormTextArea
      name="ipAllowList"
      label="IP 白名单"
      placeholder={'每行一个地址或网段，如\n203.0.113.10\n10.20.0.0/16'}
      extra="不填则不限制来源地址"
      rules={allowListRules}
      fieldProps={{ rows: 4, 'aria-label': 'IP 白名单' }}
    />
  );
}

interface ClientForm {
  name: string;
  expiresOn: string;
  ipAllowList?: string;
}

/** 机构系统对接: an institution's administrator issues, edits, rotates and disables its systems' API credentials. */
export default function ApiClientsPage() {
  const actionRef = useRef<ActionType>();
  const { message } = App.useApp();
  const [issued, setIssued] = useState<IssuedSecret | null>(null);

  const create = async (values: ClientForm) => {
    try {
      const credentials = await createApiClient({
        name: values.name.trim(),
        roles: [...API_CLIENT_ROLES],
        expiresAt: expiryOf(values.expiresOn),
        ipAllowList: allowListOf(values.ipAllowList),
      });
      setIssued({ reason: 'create', credentials });
    } catch {
      return false; // shown globally
    }
    actionRef.current?.reload();
    return true;
  };

  /** Sends only what changed: an unchanged past expiry would otherwise be refused. */
  const update = async (client: TApiClient, values: ClientForm) => {
    const body: TUpdateApiClient = {};
    const name = values.name.trim();
    const allowList = allowListOf(values.ipAllowList);
    if (name !== client.name) body.name = name;
    if (values.expiresOn !== shanghaiDate(client.expiresAt)) body.expiresAt = expiryOf(values.expiresOn);
    if (allowList.join('\n') !== client.ipAllowList.join('\n')) body.ipAllowList = allowList;
    if (Object.keys(body).length === 0) {
      message.info('未做修改');
      return true;
    }
    try {
      await updateApiClient({ id: client.id }, body);
    } catch {
      return false;
    }
    message.success('已保存');
    actionRef.current?.reload();
    return true;
  };

  const disable = async (client: TApiClient) => {
    try {
      await disableApiClient({ id: client.id });
    } catch {
      return;
    }
    message.success('客户端已停用');
    actionRef.current?.reload();
  };

  const rotate = async (client: TApiClient, graceHours: number) => {
    try {
      const credentials = await rotateApiClientSecret({ id: client.id }, { graceHours });
      setIssued({ reason: 'rotate', credentials });
    } catch {
      return false;
    }
    actionRef.current?.reload();
    return true;
  };

  const columns: ProColumns<TApiClient>[] = [
    {
      title: '状态',
      dataIndex: 'disabled',
      hideInTable: true,
      valueType: 'select',
      valueEnum: { false: { text: '未停用' }, true: { text: '已停用' } },
      fieldProps: { 'aria-label': '状态' },
    },
    { title: '名称', dataIndex: 'name', search: false },
    {
      title: 'Key ID',
      dataIndex: 'keyId',
      search: false,
      render: (_, c) => (
        <Typography.Text code copyable={{ text: c.keyId }}>
          {c.keyId}
        </Typography.Text>
      ),
    },
    { title: '角色', dataIndex: 'roles', search: false, render: (_, c) => c.roles.map((r) => ROLE_LABELS[r]).join('、') },
    {
      title: '状态',
      key: 'status',
      search: false,
      width: 90,
      render: (_, c) => {
        const tag = STATUS_TAGS[statusOf(c)];
        return (
          <Tag color={tag.color} data-testid="client-status">
            {tag.text}
          </Tag>
        );
      },
    },
    {
      title: '有效期至',
      dataIndex: 'expiresAt',
      search: false,
      width: 170,
      render: (_, c) => (
        <Space direction="vertical" size={0}>
          {formatDateTime(c.expiresAt)}
          {c.previousSecretValidUntil && new Date(c.previousSecretValidUntil).getTime() > Date.now() && (
            <Typography.Text type="secondary" data-testid="client-previous-secret">
              旧密钥可用至 {formatDateTime(c.previousSecretValidUntil)}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: 'IP 白名单',
      dataIndex: 'ipAllowList',
      search: false,
      render: (_, c) =>
        c.ipAllowList.length === 0 ? (
          <Typography.Text type="secondary">不限</Typography.Text>
        ) : (
          <Space direction="vertical" size={0}>
            {c.ipAllowList.map((entry) => (
              <Typography.Text key={entry} code>
                {entry}
              </Typography.Text>
            ))}
          </Space>
        ),
    },
    { title: '最近轮换', dataIndex: 'rotatedAt', search: false, width: 170, render: (_, c) => formatDateTime(c.rotatedAt) },
    { title: '创建时间', dataIndex: 'createdAt', search: false, width: 170, render: (_, c) => formatDateTime(c.createdAt) },
    {
      title: '操作',
      valueType: 'option',
      key: 'option',
      width: 180,
      // A disabled client stays disabled (the server refuses to rotate it); a new one is issued instead.
      render: (_, client) =>
        client.disabled
          ? []
          : [
              <ModalForm<ClientForm>
                key="edit"
                title={`编辑客户端 ${client.name}`}
                width={520}
                trigger={<a data-testid="client-edit">编辑</a>}
                initialValues={{
                  name: client.name,
                  expiresOn: shanghaiDate(client.expiresAt),
                  ipAllowList: client.ipAllowList.join('\n'),
                }}
                modalProps={{ destroyOnHidden: true }}
                onFinish={(values) => update(client, values)}
              >
                <ProFormText name="name" label="名称" rules={nameRules} fieldProps={{ 'aria-label': '名称' }} />
                <ExpiryField />
                <AllowListField />
              </ModalForm>,
              <RotateKeyForm
                key="rotate"
                holderName={client.name}
                defaultGraceHours={API_CLIENT_DEFAULT_GRACE_HOURS}
                maxGraceHours={API_CLIENT_MAX_GRACE_HOURS}
                oldKeyUse="使用"
                testId="client-rotate"
                onRotate={(graceHours) => rotate(client, graceHours)}
              />,
              <Popconfirm
                key="disable"
                title={`停用 ${client.name}？`}
                description="停用立即生效，使用该客户端的对接系统将无法再调用接口，且不能重新启用。"
                okText="停用"
                okButtonProps={{ danger: true, 'data-testid': 'client-disable-confirm' } as ButtonProps}
                onConfirm={() => disable(client)}
              >
                <a data-testid="client-disable">停用</a>
              </Popconfirm>,
            ],
    },
  ];

  return (
    <PageContainer title={<PageTitle>系统对接（接口客户端）</PageTitle>}>
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 16 }}
        data-testid="integration-guide"
        message="本机构的业务系统可使用接口客户端，以签名请求调用平台接口，权限与本机构业务员相同，每次调用均记入审计日志。"
        description={
          <span>
            签名方法见 <Typography.Text code>docs/integration.md</Typography.Text>；接口说明见{' '}
            <a href="/api/docs" target="_blank" rel="noreferrer">
              /api/docs
            </a>
            。
          </span>
        }
      />
      <ProTable<TApiClient, { disabled?: 'true' | 'false' }>
        rowKey="id"
        actionRef={actionRef}
        columns={columns}
        headerTitle="接口客户端"
        search={{ labelWidth: 'auto' }}
        request={(params) =>
          toTableResult(listApiClients({ current: params.current, pageSize: params.pageSize, disabled: params.disabled }))
        }
        onRow={(c) => ({ 'data-testid': 'api-client-row', 'data-status': statusOf(c) }) as object}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
        toolBarRender={() => [
          <ModalForm<ClientForm>
            key="create"
            title="新建客户端"
            width={520}
            trigger={
              <Button type="primary" icon={<PlusOutlined />} data-testid="client-create">
                新建客户端
              </Button>
            }
            initialValues={{ expiresOn: shanghaiDate(new Date(Date.now() + 365 * DAY_MS)) }}
            modalProps={{ destroyOnHidden: true }}
            onFinish={create}
          >
            <ProFormText
              name="name"
              label="名称"
              placeholder="如 核心系统、信贷管理系统"
              rules={nameRules}
              fieldProps={{ 'aria-label': '名称', autoComplete: 'off' }}
            />
            <ProForm.Item label="角色" extra="接口客户端的权限最多与本机构业务员相同">
              <Tag data-testid="client-role">{CLIENT_ROLES_TEXT}</Tag>
            </ProForm.Item>
            <ExpiryField />
            <AllowListField />
          </ModalForm>,
        ]}
      />
      <SecretModal issued={issued} onClose={() => setIssued(null)} />
    </PageContainer>
  );
}
