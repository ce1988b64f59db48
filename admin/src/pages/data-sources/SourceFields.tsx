import { ProFormCheckbox, ProFormRadio, ProFormSelect, ProFormText } from '@ant-design/pro-components';
import type { TIngestCategory, TUnknownUsccPolicy } from '@xyd/shared';
import { INGEST_CATEGORIES, INGEST_CATEGORY_LABELS, ORG_TYPE_LABELS, UNKNOWN_USCC_POLICIES, UNKNOWN_USCC_POLICY_LABELS } from '@xyd/shared';
import type { Rule } from 'antd/es/form';
import { listOrganisations } from '@/services/generated';

export interface SourceForm {
  organisationId?: string;
  name: string;
  categories: TIngestCategory[];
  regionCodes: string[];
  unknownUscc: TUnknownUsccPolicy;
}

/** The server's limit (shared ZCreateDataSource): a source covers at most this many regions. */
const MAX_REGIONS = 50;
const REGION_CODE = /^\d{6}$/;

export const CATEGORY_OPTIONS = INGEST_CATEGORIES.map((value) => ({ value, label: INGEST_CATEGORY_LABELS[value] }));
const POLICY_OPTIONS = UNKNOWN_USCC_POLICIES.map((value) => ({ value, label: UNKNOWN_USCC_POLICY_LABELS[value] }));

/** Typed codes, trimmed and without repeats, in the order they were entered. */
export function regionCodesOf(values: string[] | undefined): string[] {
  return [...new Set((values ?? []).map((v) => v.trim()).filter(Boolean))];
}

const nameRules: Rule[] = [
  { required: true, whitespace: true, message: '请输入数据源名称' },
  { max: 64, message: '数据源名称不能超过 64 个字符' },
];

/** The same rules as the server's, reported by code before anything is sent. */
const regionRules: Rule[] = [
  {
    validator: async (_rule, value: string[] | undefined) => {
      const codes = regionCodesOf(value);
      if (codes.length === 0) throw new Error('至少填写一个覆盖区域');
      if (codes.length > MAX_REGIONS) throw new Error(`覆盖区域最多 ${MAX_REGIONS} 个`);
      const bad = codes.find((code) => !REGION_CODE.test(code));
      if (bad) throw new Error(`“${bad}”不是 6 位行政区划代码`);
    },
  },
];

/** Organisations that may own a source, searched by name. */
async function organisationOptions(keyword: string | undefined) {
  try {
    const page = await listOrganisations({ current: 1, pageSize: 100, keyword: keyword?.trim() || undefined });
    return page.list.filter((o) => !o.disabled).map((o) => ({ value: o.id, label: `${o.name}（${ORG_TYPE_LABELS[o.type]}）` }));
  } catch {
    return []; // shown globally
  }
}

/** The fields of 新建数据源 and 编辑: the organisation is chosen once, at creation. */
export default function SourceFields({ creating }: { creating: boolean }) {
  return (
    <>
      {creating && (
        <ProFormSelect
          name="organisationId"
          label="所属机构"
          showSearch
          request={({ keyWords }) => organisationOptions(keyWords)}
          rules={[{ required: true, message: '请选择所属机构' }]}
          extra="报送数据的部门或单位；该机构的政府用户可使用此数据源导入文件"
          fieldProps={{ filterOption: false, 'aria-label': '所属机构' }}
        />
      )}
      <ProFormText
        name="name"
        label="数据源名称"
        placeholder="如 杭州市税务局纳税数据"
        rules={nameRules}
        fieldProps={{ 'aria-label': '数据源名称', autoComplete: 'off' }}
      />
      <ProFormCheckbox.Group
        name="categories"
        label="可报送的数据类别"
        options={CATEGORY_OPTIONS}
        rules={[{ required: true, type: 'array', min: 1, message: '至少选择一个数据类别' }]}
      />
      <ProFormSelect
        name="regionCodes"
        label="覆盖区域"
        mode="tags"
        placeholder="输入 6 位行政区划代码后回车，如 330100"
        extra="数据源只能报送这些地区（含下级地区）的企业数据"
        rules={regionRules}
        fieldProps={{ tokenSeparators: [',', '，', ' ', ';', '；'], notFoundContent: null, suffixIcon: null, 'aria-label': '覆盖区域' }}
      />
      <ProFormRadio.Group
        name="unknownUscc"
        label="未登记企业的数据"
        options={POLICY_OPTIONS}
        rules={[{ required: true, message: '请选择未登记企业的处理方式' }]}
      />
    </>
  );
}
