import {
  ModalForm,
  ProForm,
  ProFormDatePicker,
  ProFormDigit,
  ProFormSelect,
  ProFormSwitch,
  ProFormText,
  ProFormTextArea,
} from '@ant-design/pro-components';
import type {
  TApplicationAction,
  TApplicationDetail,
  TApplicationOffer,
  TGuaranteeMethod,
  TLoanDisbursement,
  TRejection,
  TRejectionReasonCode,
  TRepaymentMethod,
} from '@xyd/shared';
import { APPLICATION_ACTION_LABELS, ApiError, formatFen, MAX_TERM_MONTHS } from '@xyd/shared';
import { App, Button, Form, Typography } from 'antd';
import type { FormInstance } from 'antd';
import type { ReactNode } from 'react';
import { moveApplication } from '@/services/generated';
import { bpToPercent, fenToYuan, percentToBp, yuanToFen } from '../products/terms';
import { GUARANTEE_OPTIONS, REPAYMENT_OPTIONS } from '../products/labels';
import { MAX_PERCENT, MAX_YUAN, MONEY_RENAMES, required, showFieldErrors, todayInShanghai, wholeFen } from './forms';
import { REJECTION_REASON_OPTIONS } from './labels';

/** What a move carries beside its action and the version the page loaded. */
interface MoveExtra {
  note?: string;
  offer?: TApplicationOffer;
  rejection?: TRejection;
  loan?: TLoanDisbursement;
}

/** Sends one move; true when the dialog may close (done, or the application changed meanwhile and was reloaded). */
type SendMove = (action: TApplicationAction, extra: MoveExtra, form?: FormInstance, fields?: readonly string[]) => Promise<boolean>;

/** The moves that go forward in the usual flow get the primary button; those that end or worsen it are red. */
const PRIMARY: readonly TApplicationAction[] = ['accept', 'investigate', 'approve', 'disburse', 'settle'];
const DANGER: readonly TApplicationAction[] = ['reject', 'mark_overdue'];

/** What each plain confirmation says will happen. */
const CONFIRM_TEXT: Partial<Record<TApplicationAction, string>> = {
  accept: '受理后开始计算办结时限，企业将收到受理通知。',
  investigate: '开始尽职调查与审批，企业将看到“调查审批中”。',
  mark_overdue: '标记为逾期后，贷款按逾期管理，企业将收到提醒。',
  cure: '确认逾期款项已还清，贷款恢复为正常还款。',
  settle: '确认贷款已全部结清，申请办结。',
};

const noteField = (
  <ProFormTextArea
    name="note"
    label="备注（选填）"
    fieldProps={{ maxLength: 500, showCount: true, 'aria-label': '备注（选填）' } as object}
  />
);

function MoveButton({ action, onClick }: { action: TApplicationAction; onClick?: () => void }) {
  return (
    <Button
      type={PRIMARY.includes(action) ? 'primary' : 'default'}
      danger={DANGER.includes(action)}
      onClick={onClick}
      data-testid={`move-${action}`}
    >
      {APPLICATION_ACTION_LABELS[action]}
    </Button>
  );
}

function MoveModal<V extends Record<string, unknown>>({
  action,
  title,
  width = 520,
  initialValues,
  onFinish,
  children,
}: {
  action: TApplicationAction;
  title: string;
  width?: number;
  initialValues?: Partial<V>;
  onFinish: (values: V, form: FormInstance<V>) => Promise<boolean>;
  children: ReactNode;
}) {
  const [form] = Form.useForm<V>();
  const label = APPLICATION_ACTION_LABELS[action];
  return (
    <ModalForm<V>
      name={`move-${action}`}
      title={title}
      width={width}
      form={form}
      trigger={<MoveButton action={action} />}
      initialValues={initialValues}
      modalProps={{ destroyOnHidden: true, okText: `确认${label}`, okButtonProps: { danger: DANGER.includes(action) } }}
      onFinish={(values) => onFinish(values, form)}
    >
      {children}
    </ModalForm>
  );
}

function ConfirmMove({ action, detail, send }: { action: TApplicationAction; detail: TApplicationDetail; send: SendMove }) {
  const label = APPLICATION_ACTION_LABELS[action];
  return (
    <MoveModal<{ note?: string }>
      action={action}
      title={`${label}：${detail.enterpriseName}`}
      onFinish={(values, form) => send(action, { note: values.note }, form, ['note'])}
    >
      <Typography.Paragraph>{CONFIRM_TEXT[action] ?? `确认${label}该申请？`}</Typography.Paragraph>
      {noteField}
    </MoveModal>
  );
}

interface OfferValues extends Record<string, unknown> {
  amountYuan: number;
  ratePercent: number;
  termMonths: number;
  repaymentMethod: TRepaymentMethod;
  guaranteeMethod: TGuaranteeMethod;
  note?: string;
}
const OFFER_FIELDS = ['amountYuan', 'ratePercent', 'termMonths', 'repaymentMethod', 'guaranteeMethod', 'note'] as const;

/** 金额、年利率、期限: the three figures of an offer or a loan, typed in 元, % and months. */
function TermsFields({ amountLabel, rateLabel, termLabel }: { amountLabel: string; rateLabel: string; termLabel: string }) {
  return (
    <>
      <ProFormDigit
        name="amountYuan"
        label={`${amountLabel}（元）`}
        fieldProps={{ min: 0.01, max: MAX_YUAN, style: { width: 240 } }}
        rules={[required(`请填写${amountLabel}`), wholeFen]}
      />
      <ProForm.Group>
        <ProFormDigit
          name="ratePercent"
          label={`${rateLabel}（%）`}
          fieldProps={{ min: 0.01, max: MAX_PERCENT, style: { width: 200 } }}
          rules={[required(`请填写${rateLabel}`)]}
        />
        <ProFormDigit
          name="termMonths"
          label={`${termLabel}（个月）`}
          fieldProps={{ min: 1, max: MAX_TERM_MONTHS, precision: 0, style: { width: 200 } }}
          rules={[required(`请填写${termLabel}`)]}
        />
      </ProForm.Group>
      <ProForm.Group>
        <ProFormSelect
          name="repaymentMethod"
          label="还款方式"
          width={200}
          options={REPAYMENT_OPTIONS}
          rules={[required('请选择还款方式')]}
          fieldProps={{ 'aria-label': '还款方式' } as object}
        />
        <ProFormSelect
          name="guaranteeMethod"
          label="担保方式"
          width={200}
          options={GUARANTEE_OPTIONS}
          rules={[required('请选择担保方式')]}
          fieldProps={{ 'aria-label': '担保方式' } as object}
        />
      </ProForm.Group>
    </>
  );
}

/** 批准: the offer (批复) the firm will accept or decline. */
function ApproveMove({ detail, send }: { detail: TApplicationDetail; send: SendMove }) {
  return (
    <MoveModal<OfferValues>
      action="approve"
      title={`批准：${detail.enterpriseName}`}
      width={560}
      initialValues={{ amountYuan: fenToYuan(detail.amountFen), termMonths: detail.termMonths }}
      onFinish={(v, form) =>
        send(
          'approve',
          {
            note: v.note,
            offer: {
              amountFen: yuanToFen(v.amountYuan),
              rateBp: percentToBp(v.ratePercent),
              termMonths: v.termMonths,
              repaymentMethod: v.repaymentMethod,
              guaranteeMethod: v.guaranteeMethod,
            },
          },
          form,
          OFFER_FIELDS,
        )
      }
    >
      <Typography.Paragraph type="secondary">
        企业申请 {formatFen(detail.amountFen)}、{detail.termMonths} 个月。批复发出后，企业接受方可登记放款。
      </Typography.Paragraph>
      <TermsFields amountLabel="批准金额" rateLabel="年利率" termLabel="期限" />
      {noteField}
    </MoveModal>
  );
}

interface RejectValues extends Record<string, unknown> {
  code: TRejectionReasonCode;
  text: string;
}

/** 拒绝: a reason code and the words the firm will read. */
function RejectMove({ detail, send }: { detail: TApplicationDetail; send: SendMove }) {
  return (
    <MoveModal<RejectValues>
      action="reject"
      title={`拒绝：${detail.enterpriseName}`}
      onFinish={(v, form) => send('reject', { rejection: { code: v.code, text: v.text.trim() } }, form, ['code', 'text'])}
    >
      <Typography.Paragraph type="secondary">企业将看到拒绝原因；企业同意后，平台可将其推荐给其他符合条件的产品。</Typography.Paragraph>
      <ProFormSelect
        name="code"
        label="拒绝原因"
        options={REJECTION_REASON_OPTIONS}
        rules={[required('请选择拒绝原因')]}
        fieldProps={{ 'aria-label': '拒绝原因' } as object}
      />
      <ProFormTextArea
        name="text"
        label="原因说明"
        placeholder="如 近一年纳税销售额不足 100 万元，未达到本产品准入要求"
        fieldProps={{ maxLength: 500, showCount: true, 'aria-label': '原因说明' } as object}
        rules={[
          { required: true, whitespace: true, message: '请写明拒绝原因' },
          { min: 2, message: '请写明拒绝原因（至少 2 个字）' },
        ]}
      />
    </MoveModal>
  );
}

interface LoanValues extends OfferValues {
  disbursedOn: string;
  creditLoan: boolean;
  contractNo?: string;
}
const LOAN_FIELDS = [...OFFER_FIELDS, 'disbursedOn', 'creditLoan', 'contractNo'] as const;

/** 登记放款: the loan as drawn, prefilled from the offer the firm accepted. */
function DisburseMove({ detail, send }: { detail: TApplicationDetail; send: SendMove }) {
  const offer = detail.offer;
  const initialValues: Partial<LoanValues> = {
    amountYuan: fenToYuan(offer?.amountFen ?? detail.amountFen),
    ratePercent: offer ? bpToPercent(offer.rateBp) : undefined,
    termMonths: offer?.termMonths ?? detail.termMonths,
    repaymentMethod: offer?.repaymentMethod,
    guaranteeMethod: offer?.guaranteeMethod,
    creditLoan: offer?.guaranteeMethod === 'credit',
    disbursedOn: todayInShanghai(),
  };
  return (
    <MoveModal<LoanValues>
      action="disburse"
      title={`登记放款：${detail.enterpriseName}`}
      width={600}
      initialValues={initialValues}
      onFinish={(v, form) =>
        send(
          'disburse',
          {
            note: v.note,
            loan: {
              amountFen: yuanToFen(v.amountYuan),
              rateBp: percentToBp(v.ratePercent),
              termMonths: v.termMonths,
              disbursedOn: v.disbursedOn,
              repaymentMethod: v.repaymentMethod,
              guaranteeMethod: v.guaranteeMethod,
              creditLoan: Boolean(v.creditLoan),
              contractNo: (v.contractNo ?? '').trim(),
            },
          },
          form,
          LOAN_FIELDS,
        )
      }
    >
      <Typography.Paragraph type="secondary">按实际放款登记：放款后生成还款计划，企业将收到放款通知。</Typography.Paragraph>
      <TermsFields amountLabel="放款金额" rateLabel="执行年利率" termLabel="贷款期限" />
      <ProForm.Group>
        <ProFormDatePicker
          name="disbursedOn"
          label="放款日期"
          width={200}
          rules={[required('请选择放款日期')]}
          fieldProps={{ 'aria-label': '放款日期' } as object}
        />
        <ProFormSwitch name="creditLoan" label="是否信用贷款" />
      </ProForm.Group>
      <ProFormText
        name="contractNo"
        label="合同编号"
        width="md"
        fieldProps={{ maxLength: 40 }}
        rules={[{ max: 40, message: '合同编号最多 40 个字' }]}
      />
      {noteField}
    </MoveModal>
  );
}

export interface MoveActionsProps {
  detail: TApplicationDetail;
  /** The detail the move answered with. */
  onMoved: (detail: TApplicationDetail) => void;
  /** The application changed since the page loaded it (409): say so and load it again. */
  onConflict: () => Promise<void>;
}

/**
 * The buttons of the moves the server says the user may make now (`detail.moves`), never more: each behind a
 * confirmation or the form the move needs, each naming the version the page loaded.
 */
export default function MoveActions({ detail, onMoved, onConflict }: MoveActionsProps) {
  const { message } = App.useApp();

  const send: SendMove = async (action, extra, form, fields = []) => {
    try {
      const next = await moveApplication({ id: detail.id }, { action, version: detail.version, ...extra, note: (extra.note ?? '').trim() });
      message.success(`已${APPLICATION_ACTION_LABELS[action]}`);
      onMoved(next);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        await onConflict();
        return true;
      }
      if (form) showFieldErrors(form, error, MONEY_RENAMES, fields);
      return false;
    }
  };

  return (
    <>
      {detail.moves.map((action) => {
        if (action === 'approve') return <ApproveMove key={action} detail={detail} send={send} />;
        if (action === 'reject') return <RejectMove key={action} detail={detail} send={send} />;
        if (action === 'disburse') return <DisburseMove key={action} detail={detail} send={send} />;
        return <ConfirmMove key={action} action={action} detail={detail} send={send} />;
      })}
    </>
  );
}
