import { PlusOutlined } from '@ant-design/icons';
import {
  type ActionType,
  ModalForm,
  PageContainer,
  ProForm,
  ProFormDependency,
  ProFormSelect,
  ProFormText,
  ProTable,
  type ProColumns,
} from '@ant-design/pro-components';
import type { TAdminRole, TAdminUser, TCreateAdminUser, TOrganisationRef, TUpdateAdminUser } from '@xyd/shared';
import { ADMIN_ROLES, ORG_TYPE_LABELS, ROLE_LABELS, ROLE_ORG_TYPES } from '@xyd/shared';
import { App, Button, Popconfirm, Space, Tag } from 'antd';
import { useRef } from 'react';
import PageTitle from '@/components/PageTitle';
import RegionPicker from '@/components/RegionPicker';
import { confirmPasswordRules, newPasswordRules } from '@/components/forms/passwordRules';
import { toTableResult } from '@/services/api';
import {
  createAdminUser,
  listAdminUsers,
  listOrganisations,
  resetAdminUserPassword,
  updateAdminUser,
} from '@/services/generated';
import { formatDateTime } from '@/utils/format';

const ROLE_OPTIONS = ADMIN_ROLES.map((value) => ({ value, label: ROLE_LABELS[value] }));
const ROLE_ENUM = Object.fromEntries(ADMIN_ROLES.map((r) => [r, { text: ROLE_LABELS[r] }]));
/** Roles whose data scope is a region: the region picker matters for them. */
const REGION_SCOPED: readonly TAdminRole[] = ['advisor', 'gov'];

/** Organisations a user of `role` may belong to, searched by name; `current` keeps an existing choice visible. */
async function organisationOptions(keyword: string | undefined, role: TAdminRole | undefined, current?: TOrganisationRef) {
  const page = await listOrganisations({ current: 1, pageSize: 100, keyword: keyword?.trim() || undefined });
  const allowed = role ? ROLE_ORG_TYPES[role] : undefined;
  const orgs = page.list.filter((o) => !o.disabled && (!allowed || allowed.includes(o.type)));
  const options = orgs.map((o) => ({ value: o.id, label: `${o.name}（${ORG_TYPE_LABELS[o.type]}）` }));
  if (current && !options.some((o) => o.value === current.id)) {
    options.unshift({ value: current.id, label: `${current.name}（${ORG_TYPE_LABELS[current.type]}）` });
  }
  return options;
}

function UserFields({ current }: { current?: TOrganisationRef }) {
  return (
    <>
      <ProFormText
        name="displayName"
        label="姓名"
        rules={[{ required: true, whitespace: true, message: '请输入姓名' }, { max: 50, message: '姓名不能超过 50 字' }]}
        
      />
      <ProFormSelect
        name="role"
        label="角色"
        options={ROLE_OPTIONS}
        rules={[{ required: true, message: '请选择角色' }]}
      />
      <ProFormDependency name={['role']}>
        {({ role }) => (
          <>
            <ProFormSelect
              name="organisationId"
              label="所属机构"
              showSearch
              params={{ role }}
              request={async ({ keyWords, role: r }) => {
                try {
                  return await organisationOptions(keyWords, r, current);
                } catch {
                  return [];
                }
              }}
              rules={[{ required: true, message: '请选择所属机构' }]}
              extra={role ? `${ROLE_LABELS[role as TAdminRole]}可属于：${ROLE_ORG_TYPES[role as TAdminRole].map((t) => ORG_TYPE_LABELS[t]).join('、')}` : undefined}
              fieldProps={{ filterOption: false }}
            />
            <ProForm.Item
              name="regionCode"
              label="管辖地区"
              extra={REGION_SCOPED.includes(role) ? '融资顾问和政府用户只能看到该地区及下级地区的数据' : '不填则使用所属机构的地区'}
              rules={REGION_SCOPED.includes(role) ? [{ required: true, message: '请选择管辖地区' }] : []}
            >
              <RegionPicker />
            </ProForm.Item>
          </>
        )}
      </ProFormDependency>
    </>
  );
}

/** Platform administration: console accounts, their role, organisation and region. */
export default function AdminUsersPage() {
  const actionRef = useRef<ActionType>();
  const { message } = App.useApp();

  const update = async (user: TAdminUser, body: TUpdateAdminUser, done: string) => {
    try {
      await updateAdminUser({ id: user.id }, body);
    } catch {
      return false;
    }
    message.success(done);
    actionRef.current?.reload();
    return true;
  };

  const columns: ProColumns<TAdminUser>[] = [
    { title: '关键字', dataIndex: 'keyword', hideInTable: true, fieldProps: { placeholder: '用户名或姓名', 'aria-label': '关键字' } },
    { title: '用户名', dataIndex: 'username', search: false },
    { title: '姓名', dataIndex: 'displayName', search: false },
    { title: '角色', dataIndex: 'role', valueType: 'select', valueEnum: ROLE_ENUM },
    {
      title: '所属机构',
      dataIndex: 'organisationId',
      valueType: 'select',
      render: (_, u) => u.organisation.name,
      fieldProps: { showSearch: true, 'aria-label': '所属机构' },
      request: async ({ keyWords }) => {
        try {
          return await organisationOptions(keyWords, undefined);
        } catch {
          return [];
        }
      },
    },
    { title: '管辖地区', dataIndex: 'regionCode', search: false, width: 100, render: (_, u) => u.regionName ?? u.regionCode ?? u.organisation.regionCode ?? '-' },
    {
      title: '状态',
      dataIndex: 'disabled',
      search: false,
      render: (_, u) => (
        <Space size={4}>
          {u.disabled ? <Tag>已停用</Tag> : <Tag color="success">正常</Tag>}
          {u.lockedUntil && new Date(u.lockedUntil).getTime() > Date.now() && <Tag color="warning">已锁定</Tag>}
          {u.totpEnabled && <Tag color="blue">动态验证码</Tag>}
        </Space>
      ),
    },
    { title: '最近登录', dataIndex: 'lastLoginAt', search: false, render: (_, u) => formatDateTime(u.lastLoginAt) },
    {
      title: '操作',
      valueType: 'option',
      key: 'option',
      width: 180,
      render: (_, user) => [
        <ModalForm<TUpdateAdminUser>
          key="edit"
          title={`编辑用户 ${user.username}`}
          width={560}
          trigger={<a data-testid="user-edit">编辑</a>}
          initialValues={{
            displayName: user.displayName,
            role: user.role,
            organisationId: user.organisation.id,
            regionCode: user.regionCode ?? undefined,
          }}
          modalProps={{ destroyOnHidden: true }}
          onFinish={(values) =>
            update(user, { ...values, displayName: values.displayName?.trim(), regionCode: values.regionCode ?? null }, '已保存')
          }
        >
          <UserFields current={user.organisation} />
        </ModalForm>,
        <ModalForm<{ newPassword: string; confirm: string }>
          key="reset"
          title={`重置 ${user.username} 的密码`}
          width={480}
          trigger={<a data-testid="user-reset-password">重置密码</a>}
          modalProps={{ destroyOnHidden: true }}
          onFinish={async ({ newPassword }) => {
            try {
              await resetAdminUserPassword({ id: user.id }, { newPassword });
            } catch {
              return false;
            }
            message.success('密码已重置，该用户的登录会话已全部结束');
            return true;
          }}
        >
          <ProFormText.Password name="newPassword" label="新密码" rules={newPasswordRules} fieldProps={{ autoComplete: 'new-password' }} />
          <ProFormText.Password
            name="confirm"
            label="确认新密码"
            dependencies={['newPassword']}
            rules={confirmPasswordRules()}
            fieldProps={{ autoComplete: 'new-password' }}
          />
        </ModalForm>,
        <Popconfirm
          key="toggle"
          title={user.disabled ? `启用 ${user.username}？` : `停用 ${user.username}？`}
          description={user.disabled ? undefined : '停用后该用户的登录会话将全部结束。'}
          onConfirm={() => update(user, { disabled: !user.disabled }, user.disabled ? '已启用' : '已停用')}
        >
          <a data-testid="user-toggle">{user.disabled ? '启用' : '停用'}</a>
        </Popconfirm>,
      ],
    },
  ];

  return (
    <PageContainer title={<PageTitle>用户管理</PageTitle>}>
      <ProTable<TAdminUser, { role?: TAdminRole; organisationId?: string; keyword?: string }>
        rowKey="id"
        actionRef={actionRef}
        columns={columns}
        headerTitle="后台用户"
        search={{ labelWidth: 'auto' }}
        request={(params) =>
          toTableResult(
            listAdminUsers({
              current: params.current,
              pageSize: params.pageSize,
              role: params.role,
              organisationId: params.organisationId,
              keyword: params.keyword?.trim(),
            }),
          )
        }
        onRow={() => ({ 'data-testid': 'admin-user-row' }) as object}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
        toolBarRender={() => [
          <ModalForm<TCreateAdminUser & { confirm: string }>
            key="create"
            title="新建用户"
            width={560}
            trigger={
              <Button type="primary" icon={<PlusOutlined />} data-testid="user-create">
                新建用户
              </Button>
            }
            modalProps={{ destroyOnHidden: true }}
            onFinish={async ({ confirm: _confirm, ...values }) => {
              try {
                await createAdminUser({ ...values, username: values.username.trim(), displayName: values.displayName.trim() });
              } catch {
                return false;
              }
              message.success('用户已创建');
              actionRef.current?.reload();
              return true;
            }}
          >
            <ProFormText
              name="username"
              label="用户名"
              rules={[
                { required: true, message: '请输入用户名' },
                { pattern: /^[a-zA-Z][a-zA-Z0-9_.-]{2,31}$/, message: '用户名为 3–32 位字母、数字、下划线、点或短横线，以字母开头' },
              ]}
              fieldProps={{ autoComplete: 'off' }}
            />
            <UserFields />
            <ProFormText.Password name="password" label="初始密码" rules={newPasswordRules} fieldProps={{ autoComplete: 'new-password' }} />
            <ProFormText.Password
              name="confirm"
              label="确认密码"
              dependencies={['password']}
              rules={confirmPasswordRules('password')}
              fieldProps={{ autoComplete: 'new-password' }}
            />
          </ModalForm>,
        ]}
      />
    </PageContainer>
  );
}
