import { PlusOutlined } from '@ant-design/icons';
import {
  type ActionType,
  ModalForm,
  PageContainer,
  ProForm,
  ProFormSelect,
  ProFormText,
  ProTable,
  type ProColumns,
} from '@ant-design/pro-components';
import type { TCreateOrganisation, TOrgType, TOrganisation } from '@xyd/shared';
import { ORG_TYPE_LABELS } from '@xyd/shared';
import { App, Button, Popconfirm, Tag } from 'antd';
import { useRef } from 'react';
import PageTitle from '@/components/PageTitle';
import RegionPicker from '@/components/RegionPicker';
import { toTableResult } from '@/services/api';
import { createOrganisation, listOrganisations, updateOrganisation } from '@/services/generated';
import { formatDateTime } from '@/utils/format';

export const ORG_TYPE_ENUM = Object.fromEntries(Object.entries(ORG_TYPE_LABELS).map(([k, text]) => [k, { text }]));
const ORG_TYPE_OPTIONS = Object.entries(ORG_TYPE_LABELS).map(([value, label]) => ({ value, label }));

const nameRules = [
  { required: true, whitespace: true, message: '请输入机构名称' },
  { min: 2, max: 100, message: '机构名称为 2–100 字' },
];

function OrganisationForm({ editing }: { editing: boolean }) {
  return (
    <>
      <ProFormText name="name" label="机构名称" rules={nameRules}  />
      {!editing && (
        <ProFormSelect
          name="type"
          label="机构类型"
          options={ORG_TYPE_OPTIONS}
          rules={[{ required: true, message: '请选择机构类型' }]}
        />
      )}
      <ProForm.Item name="regionCode" label="所在地区" rules={[{ required: true, message: '请选择所在地区' }]}>
        <RegionPicker />
      </ProForm.Item>
    </>
  );
}

/** Platform administration: the organisations (platform, government, institutions, agencies) users belong to. */
export default function OrganisationsPage() {
  const actionRef = useRef<ActionType>();
  const { message } = App.useApp();

  const setDisabled = async (org: TOrganisation, disabled: boolean) => {
    try {
      await updateOrganisation({ id: org.id }, { disabled });
      message.success(disabled ? '已停用' : '已启用');
      actionRef.current?.reload();
    } catch {
      // shown globally
    }
  };

  const columns: ProColumns<TOrganisation>[] = [
    { title: '关键字', dataIndex: 'keyword', hideInTable: true, fieldProps: { placeholder: '机构名称', 'aria-label': '关键字' } },
    { title: '机构名称', dataIndex: 'name', search: false },
    { title: '机构类型', dataIndex: 'type', valueType: 'select', valueEnum: ORG_TYPE_ENUM },
    { title: '所在地区', dataIndex: 'regionName', search: false, render: (_, r) => r.regionName ?? r.regionCode ?? '-' },
    { title: '用户数', dataIndex: 'userCount', search: false },
    {
      title: '状态',
      dataIndex: 'disabled',
      search: false,
      render: (_, r) => (r.disabled ? <Tag color="default">已停用</Tag> : <Tag color="success">正常</Tag>),
    },
    { title: '创建时间', dataIndex: 'createdAt', search: false, render: (_, r) => formatDateTime(r.createdAt) },
    {
      title: '操作',
      valueType: 'option',
      key: 'option',
      width: 120,
      render: (_, org) => [
        <ModalForm<Pick<TCreateOrganisation, 'name' | 'regionCode'>>
          key="edit"
          title="编辑机构"
          width={520}
          trigger={<a data-testid="org-edit">编辑</a>}
          initialValues={{ name: org.name, regionCode: org.regionCode ?? undefined }}
          modalProps={{ destroyOnHidden: true }}
          onFinish={async (values) => {
            try {
              await updateOrganisation({ id: org.id }, { name: values.name.trim(), regionCode: values.regionCode });
            } catch {
              return false;
            }
            message.success('已保存');
            actionRef.current?.reload();
            return true;
          }}
        >
          <OrganisationForm editing />
        </ModalForm>,
        <Popconfirm
          key="toggle"
          title={org.disabled ? `启用「${org.name}」？` : `停用「${org.name}」？`}
          description={org.disabled ? undefined : '停用后该机构的用户将无法登录。'}
          onConfirm={() => setDisabled(org, !org.disabled)}
        >
          <a data-testid="org-toggle">{org.disabled ? '启用' : '停用'}</a>
        </Popconfirm>,
      ],
    },
  ];

  return (
    <PageContainer title={<PageTitle>机构管理</PageTitle>}>
      <ProTable<TOrganisation, { type?: TOrgType; keyword?: string }>
        rowKey="id"
        actionRef={actionRef}
        columns={columns}
        headerTitle="机构列表"
        search={{ labelWidth: 'auto' }}
        request={(params) =>
          toTableResult(
            listOrganisations({ current: params.current, pageSize: params.pageSize, type: params.type, keyword: params.keyword?.trim() }),
          )
        }
        onRow={() => ({ 'data-testid': 'organisation-row' }) as object}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
        toolBarRender={() => [
          <ModalForm<TCreateOrganisation>
            key="create"
            title="新建机构"
            width={520}
            trigger={
              <Button type="primary" icon={<PlusOutlined />} data-testid="org-create">
                新建机构
              </Button>
            }
            modalProps={{ destroyOnHidden: true }}
            onFinish={async (values) => {
              try {
                await createOrganisation({ ...values, name: values.name.trim() });
              } catch {
                return false;
              }
              message.success('机构已创建');
              actionRef.current?.reload();
              return true;
            }}
          >
            <OrganisationForm editing={false} />
          </ModalForm>,
        ]}
      />
    </PageContainer>
  );
}
