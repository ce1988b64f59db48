import { PlusOutlined } from '@ant-design/icons';
import {
  DrawerForm,
  ProForm,
  ProFormCheckbox,
  ProFormDependency,
  ProFormDigit,
  ProFormSelect,
  ProFormSwitch,
  ProFormText,
  type ProFormInstance,
  ProFormTextArea,
} from '@ant-design/pro-components';
import type { TProduct } from '@xyd/shared';
import { ApiError, MAX_AMOUNT_FEN, MAX_RATE_BP, MAX_TERM_MONTHS } from '@xyd/shared';
import { Alert, App, Button, Divider, Form, type FormInstance, Space } from 'antd';
import type { Rule } from 'antd/es/form';
import { useRef, useState } from 'react';
import RegionPicker from '@/components/RegionPicker';
import { createProduct, updateProduct } from '@/services/generated';
import {
  GUARANTEE_OPTIONS,
  PENALTY_SEVERITY_OPTIONS,
  PRODUCT_TYPE_OPTIONS,
  RATING_OPTIONS,
  REPAYMENT_OPTIONS,
  SCALE_OPTIONS,
} from './labels';
import { NEW_PRODUCT_DEFAULTS, type ProductFormValues, bpToPercent, fenToWan, formFieldOf, formFromTerms, isWholeFen, termsFromForm } from './terms';

export interface ProductFormProps {
  /** The product edited; absent: a new draft. */
  product?: TProduct;
  open: boolean;
  onOpenChange: (open: boolean) => void;
  onSaved: (product: TProduct) => void;
}

const MAX_WAN = fenToWan(MAX_AMOUNT_FEN);
const MAX_PERCENT = bpToPercent(MAX_RATE_BP);

const required = (message: string): Rule => ({ required: true, message });

/** The upper end of a range may not be below the lower one (the server would refuse to publish it anyway). */
function notBelow(minField: keyof ProductFormValues, message: string): Rule {
  return ({ getFieldValue }) => ({
    validator(_, value: number | null | undefined) {
      const min = getFieldValue(minField) as number | null | undefined;
      if (value === null || value === undefined || min === null || min === undefined || value >= min) return Promise.resolve();
      return Promise.reject(new Error(message));
    },
  });
}

const wholeFen: Rule = {
  validator: (_, value: number | null | undefined) =>
    value === null || value === undefined || isWholeFen(value) ? Promise.resolve() : Promise.reject(new Error('金额最多精确到分（万元小数点后 6 位）')),
};

/**
 * Puts the server's field errors on the fields they name; returns what has no field to sit on (a 409, a problem of
 * the whole product) for the alert above the form.
 */
export function showServerErrors(form: FormInstance<ProductFormValues>, error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 409) return error.errorMessage;
  const elsewhere: string[] = [];
  const byField = new Map<string, { name: (string | number)[]; errors: string[] }>();
  for (const { field, message } of error.errorFields) {
    const name = formFieldOf(field);
    if (!name) {
      elsewhere.push(message);
      continue;
    }
    const key = name.join('.');
    const entry = byField.get(key) ?? { name, errors: [] };
    if (!entry.errors.includes(message)) entry.errors.push(message);
    byField.set(key, entry);
  }
  // formFieldOf only names fields of this form (a region item by its index).
  form.setFields([...byField.values()] as Parameters<typeof form.setFields>[0]);
  if (byField.size === 0 && elsewhere.length === 0) return error.errorMessage;
  return elsewhere.length > 0 ? elsewhere.join('；') : null;
}

function RangeFields({
  label,
  min,
  max,
  unit,
  limit,
  extraRules = [],
  orderMessage,
}: {
  label: [string, string];
  min: keyof ProductFormValues;
  max: keyof ProductFormValues;
  unit: string;
  limit: { min: number; max: number; precision?: number };
  extraRules?: Rule[];
  orderMessage: string;
}) {
  const fieldProps = { min: limit.min, max: limit.max, precision: limit.precision, style: { width: 200 } };
  return (
    <ProForm.Group>
      <ProFormDigit name={min} label={`${label[0]}（${unit}）`} fieldProps={fieldProps} rules={[required(`请填写${label[0]}`), ...extraRules]} />
      <ProFormDigit
        name={max}
        label={`${label[1]}（${unit}）`}
        dependencies={[min]}
        fieldProps={fieldProps}
        rules={[required(`请填写${label[1]}`), ...extraRules, notBelow(min, orderMessage)]}
      />
    </ProForm.Group>
  );
}

/** Target regions: one picker per region (any level; a province covers its cities and districts). */
function RegionList() {
  return (
    <Form.List name="regionCodes">
      {(fields, { add, remove }, { errors }) => (
        <Form.Item label="目标区域" extra="不添加则面向全国；选省或市即覆盖其下级地区" required={false}>
          <Space direction="vertical" style={{ width: '100%' }} data-testid="product-regions">
            {fields.map((field, i) => (
              <Space key={field.key} align="baseline" style={{ display: 'flex' }}>
                <Form.Item name={field.name} rules={[required('请选择区域，或删除这一行')]} style={{ marginBottom: 0, width: 320 }}>
                  <RegionPicker aria-label={`目标区域 ${i + 1}`} />
                </Form.Item>
                <a onClick={() => remove(field.name)}>删除</a>
              </Space>
            ))}
            <Button type="dashed" icon={<PlusOutlined />} onClick={() => add()} data-testid="product-add-region">
              添加区域
            </Button>
            <Form.ErrorList errors={errors} />
          </Space>
        </Form.Item>
      )}
    </Form.List>
  );
}

function TagsField({ name, label, placeholder, extra }: { name: keyof ProductFormValues; label: string; placeholder: string; extra?: string }) {
  return (
    <ProFormSelect
      name={name}
      label={label}
      extra={extra}
      mode="tags"
      fieldProps={{ tokenSeparators: [',', '，', ' ', '、'], open: false, placeholder }}
    />
  );
}

/**
 * 新建 / 编辑产品: the terms in the units people use (万元, %), the admission criteria, the documents and promise.
 * Sent as fen and basis points; an edit names the revision it started from so that a concurrent edit answers 409.
 */
export default function ProductForm({ product, open, onOpenChange, onSaved }: ProductFormProps) {
  const { message } = App.useApp();
  // A ref, not a form of our own: the drawer's form is then made anew on each opening (destroyOnHidden), starting
  // from the product as it is now rather than from what was typed and cancelled last time.
  const formRef = useRef<ProFormInstance<ProductFormValues>>();
  const [formError, setFormError] = useState<string | null>(null);

  const save = async (values: ProductFormValues): Promise<boolean> => {
    setFormError(null);
    const terms = termsFromForm(values);
    try {
      const saved = product ? await updateProduct({ id: product.id }, { terms, baseRevision: product.revision }) : await createProduct({ terms });
      message.success(product ? '产品已保存' : '产品已创建（草稿）');
      onSaved(saved);
      return true;
    } catch (error) {
      setFormError(formRef.current ? showServerErrors(formRef.current, error) : null);
      return false;
    }
  };

  return (
    <DrawerForm<ProductFormValues>
      title={product ? `编辑产品：${product.name}` : '新建产品'}
      width={760}
      formRef={formRef}
      open={open}
      onOpenChange={(next) => {
        if (!next) setFormError(null);
        onOpenChange(next);
      }}
      initialValues={product ? formFromTerms(product) : NEW_PRODUCT_DEFAULTS}
      drawerProps={{ destroyOnHidden: true }}
      submitter={{ searchConfig: { submitText: '保存', resetText: '取消' } }}
      onFinish={save}
      data-testid="product-form"
    >
      {product?.status === 'published' && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message="该产品已上架：保存后生成新版本，修改须符合上架条件；已有的匹配和申请仍按原版本。" />
      )}
      {formError && <Alert type="error" showIcon style={{ marginBottom: 16 }} message={formError} data-testid="product-form-error" />}

      <ProFormText name="name" label="产品名称" rules={[required('请填写产品名称'), { min: 2, max: 60, message: '产品名称 2–60 个字' }]} />
      <ProFormSelect name="type" label="产品类型" options={PRODUCT_TYPE_OPTIONS} rules={[required('请选择产品类型')]} fieldProps={{ 'aria-label': '产品类型' } as object} />
      <ProFormTextArea name="summary" label="产品简介" fieldProps={{ maxLength: 500, showCount: true }} />

      <Divider orientation="left">额度、期限与利率</Divider>
      <RangeFields
        label={['最低额度', '最高额度']}
        min="amountMinWan"
        max="amountMaxWan"
        unit="万元"
        limit={{ min: 0.000001, max: MAX_WAN }}
        extraRules={[wholeFen]}
        orderMessage="最高额度不能低于最低额度"
      />
      <RangeFields
        label={['最短期限', '最长期限']}
        min="termMinMonths"
        max="termMaxMonths"
        unit="个月"
        limit={{ min: 1, max: MAX_TERM_MONTHS, precision: 0 }}
        orderMessage="最长期限不能短于最短期限"
      />
      <RangeFields
        label={['最低年利率', '最高年利率']}
        min="ratePercentMin"
        max="ratePercentMax"
        unit="%"
        limit={{ min: 0, max: MAX_PERCENT }}
        orderMessage="最高年利率不能低于最低年利率"
      />
      <ProFormCheckbox.Group name="guaranteeMethods" label="担保方式" options={GUARANTEE_OPTIONS} rules={[required('请至少选择一种担保方式')]} />
      <ProFormCheckbox.Group name="repaymentMethods" label="还款方式" options={REPAYMENT_OPTIONS} rules={[required('请至少选择一种还款方式')]} />

      <Divider orientation="left">准入条件</Divider>
      <RegionList />
      <TagsField
        name="industriesIncluded"
        label="准入行业"
        placeholder="GB/T 4754 行业代码，如 C、C34、C3484，回车确认"
        extra="不填则不限行业；门类或大类代码覆盖其下所有小类"
      />
      <TagsField name="industriesExcluded" label="排除行业" placeholder="GB/T 4754 行业代码，回车确认" />
      <ProFormCheckbox.Group name="scales" label="企业规模" options={SCALE_OPTIONS} extra="不选则不限规模" />
      <ProForm.Group>
        <ProFormDigit name="minYearsEstablished" label="最低成立年限（年）" fieldProps={{ min: 0, max: 50, style: { width: 200 } }} />
        <ProFormSelect
          name="minRating"
          label="最低信用评级"
          options={RATING_OPTIONS}
          placeholder="不限"
          allowClear
          width={200}
          fieldProps={{ 'aria-label': '最低信用评级' } as object}
        />
      </ProForm.Group>
      <ProFormSwitch name="penaltyLimited" label="限制行政处罚" />
      <ProFormDependency name={['penaltyLimited']}>
        {({ penaltyLimited }) =>
          penaltyLimited && (
            <ProForm.Group>
              <ProFormSelect
                name="penaltyMaxSeverity"
                label="允许的最高处罚等级"
                options={PENALTY_SEVERITY_OPTIONS}
                width={200}
                rules={[required('请选择允许的最高处罚等级')]}
                fieldProps={{ 'aria-label': '允许的最高处罚等级' } as object}
              />
              <ProFormDigit
                name="penaltyMonths"
                label="统计近几个月（月）"
                fieldProps={{ min: 1, max: 60, precision: 0, style: { width: 200 } }}
                rules={[required('请填写统计月数')]}
              />
            </ProForm.Group>
          )
        }
      </ProFormDependency>
      <Space wrap size="large">
        <ProFormCheckbox name="excludeBlacklisted">排除黑名单企业</ProFormCheckbox>
        <ProFormCheckbox name="noTaxArrears">无欠税</ProFormCheckbox>
        <ProFormCheckbox name="noSocialArrears">无社保欠费</ProFormCheckbox>
        <ProFormCheckbox name="noEnforcement">无被执行记录</ProFormCheckbox>
      </Space>

      <Divider orientation="left">申请与办理</Divider>
      <TagsField name="requiredDocuments" label="申请材料" placeholder="如 营业执照、近一年财务报表，回车确认" />
      <ProForm.Group>
        <ProFormDigit
          name="acceptDays"
          label="受理时限（工作日）"
          extra="自企业提交申请起"
          fieldProps={{ min: 1, max: 30, precision: 0, style: { width: 200 } }}
          rules={[required('请填写受理时限')]}
        />
        <ProFormDigit
          name="turnaroundDays"
          label="办结时限（工作日，自受理起）"
          fieldProps={{ min: 1, max: 60, precision: 0, style: { width: 200 } }}
          rules={[required('请填写办结时限')]}
        />
      </ProForm.Group>
      <ProFormSwitch name="policySupport" label="有政策支持（风险补偿、担保、贴息）" />
    </DrawerForm>
  );
}
