import { PlusOutlined } from '@ant-design/icons';
import { PageContainer, type ProColumns, ProTable } from '@ant-design/pro-components';
import { history, Link, useAccess } from '@umijs/max';
import type { TProduct, TProductStatus, TProductType } from '@xyd/shared';
import { PRODUCT_STATUS_LABELS, PRODUCT_TYPE_LABELS } from '@xyd/shared';
import { Button, Tag } from 'antd';
import { useState } from 'react';
import PageTitle from '@/components/PageTitle';
import { toTableResult } from '@/services/api';
import { listProducts } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import { PRODUCT_STATUS_COLORS, PRODUCT_STATUS_ENUM, PRODUCT_TYPE_ENUM } from './labels';
import ProductForm from './ProductForm';
import { formatRateRange, formatTermRange, formatWanRange } from './terms';

interface ProductFilters {
  status?: TProductStatus;
  type?: TProductType;
  keyword?: string;
}

/**
 * 金融产品: institutions see and maintain their own products; the platform, advisors and government users see the
 * published ones (the server decides which).
 */
export default function ProductListPage() {
  const access = useAccess();
  const [creating, setCreating] = useState(false);

  const columns: ProColumns<TProduct>[] = [
    { title: '关键字', dataIndex: 'keyword', hideInTable: true, fieldProps: { placeholder: '产品名称', 'aria-label': '关键字' } },
    {
      title: '产品名称',
      dataIndex: 'name',
      search: false,
      render: (_, p) => (
        <Link to={`/finance/products/${p.id}`} data-testid="product-link">
          {p.name}
        </Link>
      ),
    },
    {
      title: '类型',
      dataIndex: 'type',
      valueType: 'select',
      valueEnum: PRODUCT_TYPE_ENUM,
      width: 120,
      fieldProps: { 'aria-label': '类型' },
      render: (_, p) => PRODUCT_TYPE_LABELS[p.type],
    },
    { title: '金融机构', dataIndex: 'institutionName', search: false, width: 150 },
    { title: '额度', key: 'amount', search: false, width: 130, render: (_, p) => formatWanRange(p.amountMinFen, p.amountMaxFen) },
    { title: '期限', key: 'term', search: false, width: 110, render: (_, p) => formatTermRange(p.termMinMonths, p.termMaxMonths) },
    { title: '年利率', key: 'rate', search: false, width: 120, render: (_, p) => formatRateRange(p.rateMinBp, p.rateMaxBp) },
    {
      title: '状态',
      dataIndex: 'status',
      valueType: 'select',
      valueEnum: PRODUCT_STATUS_ENUM,
      width: 90,
      fieldProps: { 'aria-label': '状态' },
      render: (_, p) => (
        <Tag color={PRODUCT_STATUS_COLORS[p.status]} data-testid="product-status">
          {PRODUCT_STATUS_LABELS[p.status]}
        </Tag>
      ),
    },
    { title: '版本', dataIndex: 'revision', search: false, width: 80, render: (_, p) => `第 ${p.revision} 版` },
    { title: '更新时间', dataIndex: 'updatedAt', search: false, width: 170, render: (_, p) => formatDateTime(p.updatedAt) },
  ];

  return (
    <PageContainer title={<PageTitle>金融产品</PageTitle>}>
      <ProTable<TProduct, ProductFilters>
        rowKey="id"
        columns={columns}
        headerTitle="产品列表"
        search={{ labelWidth: 'auto', defaultCollapsed: false }}
        request={(params) =>
          toTableResult(
            listProducts({
              current: params.current,
              pageSize: params.pageSize,
              status: params.status,
              type: params.type,
              keyword: params.keyword?.trim() || undefined,
            }),
          )
        }
        onRow={(p) => ({ 'data-testid': 'product-row', 'data-id': p.id, 'data-status': p.status }) as object}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
        scroll={{ x: 1100 }}
        toolBarRender={() =>
          access.canEditProducts
            ? [
                <Button key="create" type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="product-create">
                  新建产品
                </Button>,
              ]
            : []
        }
      />
      {access.canEditProducts && (
        <ProductForm
          open={creating}
          onOpenChange={setCreating}
          onSaved={(p) => {
            setCreating(false);
            history.push(`/finance/products/${p.id}`);
          }}
        />
      )}
    </PageContainer>
  );
}
