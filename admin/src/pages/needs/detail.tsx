import { ModalForm, PageContainer, ProCard, ProFormTextArea } from '@ant-design/pro-components';
import { history, useAccess, useModel, useParams } from '@umijs/max';
import type { TCurrentUser, TMatchReview, TNeedDetail, TNeedMatch } from '@xyd/shared';
import {
  ApiError,
  formatFen,
  formatRateBp,
  GUARANTEE_METHOD_LABELS,
  NEED_PURPOSE_LABELS,
  NEED_STATUS_LABELS,
  NEED_URGENCY_LABELS,
} from '@xyd/shared';
import { Alert, App, Col, Descriptions, Empty, Result, Row, Skeleton, Space, Spin, Tag, Typography } from 'antd';
import { useState } from 'react';
import PageTitle from '@/components/PageTitle';
import { orderNeedMatches, reviewNeedMatch } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import AddMatchForm from './AddMatchForm';
import AssignForm from './AssignForm';
import { NEED_STATUS_COLORS } from './labels';
import MatchCard from './MatchCard';
import NearMissCard from './NearMissCard';
import NeedClock from './NeedClock';
import NoteLog from './NoteLog';
import ProfileSummary from './ProfileSummary';
import ReleaseForm from './ReleaseForm';
import { useNeedDetail } from './useNeedDetail';

/** Who may work on a need, as the server decides: a platform admin, or the advisor it is assigned to; never once closed. */
export function mayWorkOn(need: Pick<TNeedDetail, 'advisorId' | 'status'>, user: TCurrentUser | null | undefined): boolean {
  if (!user || need.status === 'closed') return false;
  return user.role === 'platform_admin' || (user.role === 'advisor' && need.advisorId === user.id);
}

/**
 * The recommended order, as the firm will see it: the advisor's ranking first, then the system's, then the score.
 * The server sends them so; sorting again keeps the numbers on the cards and the order sent on 上移/下移 consistent.
 */
export function recommendedOrder(matches: readonly TNeedMatch[]): TNeedMatch[] {
  const rank = (n: number | null) => n ?? Number.MAX_SAFE_INTEGER;
  return [...matches].sort(
    (a, b) => rank(a.advisorRank) - rank(b.advisorRank) || rank(a.systemRank) - rank(b.systemRank) || b.outcome.score - a.outcome.score,
  );
}

/** The order after moving the product at `index` by `delta` (−1 up, +1 down): every product, as the server wants it. */
export function movedOrder(matches: readonly Pick<TNeedMatch, 'productId'>[], index: number, delta: -1 | 1): string[] {
  const ids = matches.map((m) => m.productId);
  const target = index + delta;
  if (target < 0 || target >= ids.length) return ids;
  [ids[index], ids[target]] = [ids[target], ids[index]];
  return ids;
}

function NeedSummary({ need }: { need: TNeedDetail }) {
  return (
    <Descriptions column={{ xs: 1, md: 3 }} data-testid="need-summary">
      <Descriptions.Item label="融资金额">{formatFen(need.amountFen)}</Descriptions.Item>
      <Descriptions.Item label="融资期限">{need.termMonths} 个月</Descriptions.Item>
      <Descriptions.Item label="资金用途">{NEED_PURPOSE_LABELS[need.purpose]}</Descriptions.Item>
      <Descriptions.Item label="可接受担保方式">{need.guaranteeMethods.map((g) => GUARANTEE_METHOD_LABELS[g]).join('、')}</Descriptions.Item>
      <Descriptions.Item label="可接受最高年利率">{need.maxRateBp === null ? '不限' : formatRateBp(need.maxRateBp)}</Descriptions.Item>
      <Descriptions.Item label="用款时间">{NEED_URGENCY_LABELS[need.urgency]}</Descriptions.Item>
      <Descriptions.Item label="融资顾问">{need.advisorId ? need.advisorName : <Tag color="warning">平台队列</Tag>}</Descriptions.Item>
      <Descriptions.Item label="提交时间">{formatDateTime(need.submittedAt)}</Descriptions.Item>
      <Descriptions.Item label="推荐期限">
        <NeedClock need={need} direction="horizontal" />
      </Descriptions.Item>
      {need.releasedAt && <Descriptions.Item label="推荐时间">{formatDateTime(need.releasedAt)}</Descriptions.Item>}
      {need.releaseMessage && <Descriptions.Item label="顾问留言">{need.releaseMessage}</Descriptions.Item>}
      <Descriptions.Item label="补充说明" span="filled">
        {need.note || '-'}
      </Descriptions.Item>
    </Descriptions>
  );
}

const REVIEW_DONE: Record<TMatchReview['action'], string> = { confirm: '已确认', remove: '已移除', restore: '已恢复' };

/** 需求复核: the need, the firm's profile, the system's matches with their reasons, near misses, contacts, and release. */
export default function NeedReviewPage() {
  const { id = '' } = useParams<{ id: string }>();
  const access = useAccess();
  const { initialState } = useModel('@@initialState');
  const { message } = App.useApp();
  const { need, loading, error, reload, replace } = useNeedDetail(id);
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<TNeedMatch | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);

  if (error instanceof ApiError && error.errorCode === 'NOT_FOUND') {
    return (
      <PageContainer title={<PageTitle>需求复核</PageTitle>} onBack={() => history.push('/finance/needs')}>
        <Result status="404" title="需求不存在" subTitle="该需求不存在，或不在您的管辖范围内。" />
      </PageContainer>
    );
  }
  if (!need) {
    return (
      <PageContainer title={<PageTitle>需求复核</PageTitle>}>
        <Skeleton active loading={loading} />
      </PageContainer>
    );
  }

  const matching = need.matchedAt === null;
  const matches = recommendedOrder(need.matches);
  const editable = access.canReviewNeeds && mayWorkOn(need, initialState?.currentUser);
  const releasable = editable && !matching && (need.status === 'reviewing' || need.status === 'released');

  // One review step at a time: each answers the whole need, whose version the next step (and the release) names.
  const step = async (run: () => Promise<TNeedDetail>, done: string) => {
    setBusy(true);
    try {
      replace(await run());
      setConflict(null);
      message.success(done);
      return true;
    } catch (e) {
      // Shown globally; a need changed meanwhile is shown as it is now.
      if (e instanceof ApiError && e.status === 409) await reload();
      return false;
    } finally {
      setBusy(false);
    }
  };
  const review = (m: TNeedMatch, body: TMatchReview) =>
    step(() => reviewNeedMatch({ id: need.id, productId: m.productId }, body), `${REVIEW_DONE[body.action]}「${m.product.name}」`);
  const move = (index: number, delta: -1 | 1) =>
    step(() => orderNeedMatches({ id: need.id }, { productIds: movedOrder(matches, index, delta) }), '推荐顺序已调整');

  const onConflict = async (text: string) => {
    setConflict(text);
    await reload();
  };

  return (
    <PageContainer
      title={<PageTitle>需求复核</PageTitle>}
      subTitle={need.enterpriseName}
      tags={
        <Tag color={NEED_STATUS_COLORS[need.status]} data-testid="need-status">
          {NEED_STATUS_LABELS[need.status]}
        </Tag>
      }
      onBack={() => history.push('/finance/needs')}
      extra={
        <Space wrap>
          {access.canAssignNeeds && need.status !== 'closed' && <AssignForm need={need} onAssigned={replace} />}
          {editable && <AddMatchForm need={need} onAdded={replace} />}
          {editable && (need.status === 'reviewing' || need.status === 'released') && (
            <ReleaseForm
              need={need}
              disabled={!releasable || busy}
              onReleased={(detail) => {
                replace(detail);
                setConflict(null);
              }}
              onConflict={onConflict}
            />
          )}
        </Space>
      }
    >
      {conflict && (
        <Alert
          type="warning"
          showIcon
          closable
          onClose={() => setConflict(null)}
          style={{ marginBottom: 16 }}
          data-testid="release-conflict"
          message={`推荐未发布：${conflict}`}
          description="页面已刷新为最新内容，请核对匹配结果后再发布推荐。"
        />
      )}
      {matching && (
        <Alert
          type="info"
          showIcon
          icon={<Spin size="small" />}
          style={{ marginBottom: 16 }}
          data-testid="need-matching"
          message="系统匹配中…"
          description="匹配完成后本页自动刷新，届时可复核并发布推荐。"
        />
      )}
      {!editable && access.canReviewNeeds && need.status !== 'closed' && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          message={need.advisorId ? `该需求由融资顾问${need.advisorName ?? ''}负责，您可以查看但不能复核。` : '该需求在平台队列中，待平台管理员指派融资顾问。'}
        />
      )}
      <ProCard direction="column" gutter={[0, 16]} ghost>
        <ProCard title="融资需求" bordered>
          <NeedSummary need={need} />
        </ProCard>
        <Row gutter={[16, 16]}>
          <Col xs={24} xl={15}>
            <ProCard
              title={`系统匹配（${need.matches.length}）`}
              subTitle="按推荐顺序：顾问调整的在前，其余按匹配度"
              bordered
              data-testid="need-matches"
            >
              {matching ? (
                <Empty description="系统匹配中…" />
              ) : matches.length === 0 ? (
                <Empty description="没有完全符合条件的产品，可参考差一点符合的产品，或添加产品" />
              ) : (
                <Space direction="vertical" size="middle" style={{ width: '100%' }}>
                  {matches.map((m, i) => (
                    <MatchCard
                      key={m.productId}
                      match={m}
                      position={i + 1}
                      busy={busy}
                      actions={
                        editable
                          ? {
                              confirm: () => review(m, { action: 'confirm' }),
                              remove: () => setRemoving(m),
                              restore: () => review(m, { action: 'restore' }),
                              moveUp: i > 0 ? () => move(i, -1) : undefined,
                              moveDown: i < matches.length - 1 ? () => move(i, 1) : undefined,
                            }
                          : undefined
                      }
                    />
                  ))}
                </Space>
              )}
            </ProCard>
          </Col>
          <Col xs={24} xl={9}>
            <ProfileSummary need={need} />
          </Col>
        </Row>
        <ProCard title={`差一点符合（${need.nearMisses.length}）`} subTitle="企业改进后可申请的产品" bordered data-testid="need-near-misses">
          {need.nearMisses.length === 0 ? (
            <Typography.Text type="secondary">{matching ? '系统匹配中…' : '暂无'}</Typography.Text>
          ) : (
            <Row gutter={[16, 16]}>
              {need.nearMisses.map((m) => (
                <Col key={m.productId} xs={24} lg={12}>
                  <NearMissCard match={m} />
                </Col>
              ))}
            </Row>
          )}
        </ProCard>
        <NoteLog needId={need.id} notes={need.notes} editable={editable} onAdded={reload} />
      </ProCard>
      <ModalForm<{ reason: string }>
        title={removing ? `移除「${removing.product.name}」` : '移除匹配产品'}
        width={480}
        open={removing !== null}
        modalProps={{ destroyOnHidden: true, okText: '确认移除', okButtonProps: { danger: true }, onCancel: () => setRemoving(null) }}
        onFinish={async ({ reason }) => {
          if (!removing) return true;
          const ok = await review(removing, { action: 'remove', reason: reason.trim() });
          if (ok) setRemoving(null);
          return ok;
        }}
      >
        <Typography.Paragraph type="secondary">移除后该产品不会推荐给企业，可随时恢复。</Typography.Paragraph>
        <ProFormTextArea
          name="reason"
          label="移除原因"
          placeholder="如 企业不接受抵押；该行近期暂停受理"
          fieldProps={{ maxLength: 200, showCount: true, 'aria-label': '移除原因', 'data-testid': 'remove-reason' } as object}
          rules={[{ required: true, whitespace: true, message: '请填写移除原因' }]}
        />
      </ModalForm>
    </PageContainer>
  );
}
