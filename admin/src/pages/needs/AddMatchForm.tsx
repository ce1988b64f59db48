import { PlusOutlined } from '@ant-design/icons';
import { ModalForm, ProFormSelect, ProFormTextArea } from '@ant-design/pro-components';
import type { TNeedDetail } from '@xyd/shared';
import { App, Button } from 'antd';
import { addNeedMatch, listProducts } from '@/services/generated';
import { formatRateRange, formatWanRange } from '../products/terms';

/** Published products whose name contains `keyword`; those already in the list are shown but cannot be picked again. */
async function productOptions(keyword: string | undefined, need: TNeedDetail) {
  const page = await listProducts({ status: 'published', keyword: keyword?.trim() || undefined, current: 1, pageSize: 20 });
  const listed = new Set(need.matches.map((m) => m.productId));
  return page.list.map((p) => ({
    value: p.id,
    label: `${p.name}（${p.institutionName}，${formatWanRange(p.amountMinFen, p.amountMaxFen)}，${formatRateRange(p.rateMinBp, p.rateMaxBp)}）${listed.has(p.id) ? ' · 已在推荐列表' : ''}`,
    disabled: listed.has(p.id),
  }));
}

/** 添加产品: the advisor adds a published product the system did not match, with a reason; the server evaluates it. */
export default function AddMatchForm({ need, onAdded }: { need: TNeedDetail; onAdded: (detail: TNeedDetail) => void }) {
  const { message } = App.useApp();
  return (
    <ModalForm<{ productId: string; reason: string }>
      title="添加产品"
      width={560}
      trigger={
        <Button icon={<PlusOutlined />} data-testid="add-match">
          添加产品
        </Button>
      }
      modalProps={{ destroyOnHidden: true, okText: '确认添加' }}
      onFinish={async ({ productId, reason }) => {
        try {
          onAdded(await addNeedMatch({ id: need.id }, { productId, reason: reason.trim() }));
        } catch {
          return false;
        }
        message.success('已添加，系统已按企业情况逐项评估');
        return true;
      }}
    >
      <ProFormSelect
        name="productId"
        label="已上架产品"
        showSearch
        placeholder="输入产品名称搜索"
        debounceTime={300}
        request={async ({ keyWords }) => {
          try {
            return await productOptions(keyWords, need);
          } catch {
            return [];
          }
        }}
        fieldProps={{ filterOption: false, 'aria-label': '已上架产品' } as object}
        rules={[{ required: true, message: '请选择产品' }]}
      />
      <ProFormTextArea
        name="reason"
        label="添加理由"
        placeholder="如 企业有厂房可作抵押，建议考虑该产品"
        fieldProps={{ maxLength: 200, showCount: true, 'aria-label': '添加理由' } as object}
        rules={[{ required: true, whitespace: true, message: '请填写添加理由' }]}
      />
    </ModalForm>
  );
}
