import { ModalForm, ProFormTextArea } from '@ant-design/pro-components';
import type { TNeedDetail } from '@xyd/shared';
import { ApiError } from '@xyd/shared';
import { Alert, App, Button, Typography } from 'antd';
import { releaseNeed } from '@/services/generated';

/** What a release recommends: everything not removed that the advisor confirmed or added, and the fits still pending. */
export function recommendedCount(need: Pick<TNeedDetail, 'matches'>): number {
  return need.matches.filter((m) => m.review === 'confirmed' || (m.review === 'pending' && m.outcome.fits)).length;
}

/**
 * 发布推荐: sends the recommendation to the firm, naming the version the advisor reviewed. A 409 means the need changed
 * meanwhile (the firm edited it, a re-match ran, a colleague acted): `onConflict` shows why and reloads.
 */
export default function ReleaseForm({
  need,
  disabled,
  onReleased,
  onConflict,
}: {
  need: TNeedDetail;
  disabled: boolean;
  onReleased: (detail: TNeedDetail) => void;
  onConflict: (message: string) => Promise<void>;
}) {
  const { message } = App.useApp();
  const count = recommendedCount(need);
  return (
    <ModalForm<{ message?: string }>
      title="发布推荐"
      width={520}
      trigger={
        <Button type="primary" disabled={disabled} data-testid="release-need">
          发布推荐
        </Button>
      }
      modalProps={{ destroyOnHidden: true, okText: '确认发布' }}
      onFinish={async (values) => {
        try {
          onReleased(await releaseNeed({ id: need.id }, { message: (values.message ?? '').trim(), version: need.version }));
        } catch (error) {
          if (error instanceof ApiError && error.status === 409) {
            await onConflict(error.errorMessage);
            return true;
          }
          return false;
        }
        message.success(count > 0 ? `已向企业推荐 ${count} 款产品` : '已通知企业复核结果');
        return true;
      }}
    >
      <Typography.Paragraph data-testid="release-summary">
        {count > 0
          ? `将向「${need.enterpriseName}」推荐 ${count} 款产品（已移除的不推荐），企业将收到微信通知。`
          : `没有可推荐的产品：企业将收到复核结果，并看到差一点符合的产品及改进建议。`}
      </Typography.Paragraph>
      {need.status === 'released' && (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} message="该需求已推荐过，再次发布将按当前的复核结果更新推荐。" />
      )}
      <ProFormTextArea
        name="message"
        label="给企业的留言（选填）"
        placeholder="如 建议优先申请第一款，已与银行客户经理沟通"
        fieldProps={{ maxLength: 500, showCount: true, 'aria-label': '给企业的留言' } as object}
      />
    </ModalForm>
  );
}
