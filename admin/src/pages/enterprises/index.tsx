import { PageContainer, ProTable, type ProColumns } from '@ant-design/pro-components';
import { Link } from '@umijs/max';
import type { TEnterprise } from '@xyd/shared';
import { validateUscc } from '@xyd/shared';
import PageTitle from '@/components/PageTitle';
import RegionPicker from '@/components/RegionPicker';
import { toTableResult } from '@/services/api';
import { listEnterprises } from '@/services/generated';
import { formatFenAsWan } from '@/utils/format';
import { ENTERPRISE_STATUS_ENUM, SCALE_ENUM } from './labels';

type Filters = { keyword?: string; regionCode?: string };

/** A credit code pasted with spaces or in full-width characters is searched for in its canonical form. */
export function searchKeyword(raw: string | undefined): string | undefined {
  if (!raw?.trim()) return undefined;
  const uscc = validateUscc(raw);
  return uscc.ok ? uscc.value : raw.trim();
}

/** Enterprises the caller may see: the server narrows the list to a region, an institution's authorisations, or all. */
export default function EnterpriseListPage() {
  const columns: ProColumns<TEnterprise>[] = [
    {
      title: '关键字',
      dataIndex: 'keyword',
      hideInTable: true,
      fieldProps: { placeholder: '企业名称或统一社会信用代码', 'aria-label': '关键字' },
    },
    {
      title: '地区',
      dataIndex: 'regionCode',
      hideInTable: true,
      renderFormItem: () => <RegionPicker aria-label="地区" />,
    },
    {
      title: '企业名称',
      dataIndex: 'name',
      search: false,
      render: (_, row) => (
        <Link to={`/enterprises/${row.id}`} data-testid="enterprise-link">
          {row.name}
        </Link>
      ),
    },
    { title: '统一社会信用代码', dataIndex: 'uscc', search: false, copyable: true, width: 210 },
    { title: '法定代表人', dataIndex: 'legalRepName', search: false, width: 100 },
    { title: '地区', dataIndex: 'regionName', search: false },
    { title: '行业', dataIndex: 'industryName', search: false, ellipsis: true },
    { title: '规模', dataIndex: 'scale', search: false, valueEnum: SCALE_ENUM, width: 70 },
    { title: '注册资本', dataIndex: 'registeredCapitalFen', search: false, render: (_, row) => formatFenAsWan(row.registeredCapitalFen) },
    { title: '登记状态', dataIndex: 'status', search: false, valueEnum: ENTERPRISE_STATUS_ENUM },
    { title: '绑定用户', dataIndex: 'memberCount', search: false, width: 90 },
  ];

  return (
    <PageContainer title={<PageTitle>企业库</PageTitle>}>
      <ProTable<TEnterprise, Filters>
        rowKey="id"
        columns={columns}
        headerTitle="企业列表"
        search={{ labelWidth: 'auto' }}
        request={(params) =>
          toTableResult(
            listEnterprises({
              current: params.current,
              pageSize: params.pageSize,
              keyword: searchKeyword(params.keyword),
              regionCode: params.regionCode,
            }),
          )
        }
        onRow={() => ({ 'data-testid': 'enterprise-row' }) as object}
        pagination={{ defaultPageSize: 20, showSizeChanger: true }}
        options={{ density: false, setting: false }}
      />
    </PageContainer>
  );
}
