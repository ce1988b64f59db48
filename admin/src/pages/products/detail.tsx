import { PageContainer, ProCard } from '@ant-design/pro-components';
import { history, useAccess, useParams } from '@umijs/max';
import type { TProductCriteria, TProductDetail, TProductStatus } from '@xyd/shared';
import {
  ApiError,
  GUARANTEE_METHOD_LABELS,
  industryByCode,
  PENALTY_SEVERITY_LABELS,
  PRODUCT_STATUS_LABELS,
  PRODUCT_TRANSITIONS,
  PRODUCT_TYPE_LABELS,
  REPAYMENT_METHOD_LABELS,
  SCALE_LABELS,
} from '@xyd/shared';
import { Alert, App, Button, Descriptions, Popconfirm, Result, Skeleton, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import PageTitle from '@/components/PageTitle';
import { useLoad } from '@/hooks/useLoad';
import { getProduct, moveProduct } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import { PRODUCT_STATUS_COLORS, transitionLabel } from './labels';
import ProductForm from './ProductForm';
import RegionNames from './RegionNames';
import { formatRateRange, formatTermRange, formatWanRange } from './terms';

type TRevisionRow = TProductDetail['revisions'][number];

/** An industry code with its name when the standard has it: "C34 通用设备制造业". */
function IndustryTags({ codes, empty }: { codes: readonly string[]; empty: string }) {
  if (codes.length === 0) return <span>{empty}</span>;
  return (
    <Space size={[4, 4]} wrap>
      {codes.map((code) => (
        <Tag key={code}>
          {code} {industryByCode(code)?.name ?? '（不在 GB/T 4754-2017 中）'}
        </Tag>
      ))}
    </Space>
  );
}

const yesNo = (flag: boolean) => (flag ? '是' : '否');

function penaltyText(limit: TProductCriteria['penaltyLimit']): string {
  // No penalty more severe than maxSeverity within the window; a credit-repaired one does not count.
  return limit ? `近 ${limit.months} 个月内的行政处罚不超过“${PENALTY_SEVERITY_LABELS[limit.maxSeverity]}”` : '不限';
}

function Criteria({ criteria: c }: { criteria: TProductCriteria }) {
  return (
    <Descriptions column={{ xs: 1, md: 2 }} data-testid="product-criteria">
      <Descriptions.Item label="目标区域" span="filled">
        <RegionNames codes={c.regionCodes} />
      </Descriptions.Item>
      <Descriptions.Item label="准入行业" span="filled">
        <IndustryTags codes={c.industriesIncluded} empty="不限" />
      </Descriptions.Item>
      <Descriptions.Item label="排除行业" span="filled">
        <IndustryTags codes={c.industriesExcluded} empty="无" />
      </Descriptions.Item>
      <Descriptions.Item label="企业规模">{c.scales.length ? c.scales.map((s) => SCALE_LABELS[s]).join('、') : '不限'}</Descriptions.Item>
      <Descriptions.Item label="最低成立年限">{c.minYearsEstablished === null ? '不限' : `${c.minYearsEstablished} 年`}</Descriptions.Item>
      <Descriptions.Item label="最低信用评级">{c.minRating ?? '不限'}</Descriptions.Item>
      <Descriptions.Item label="行政处罚">{penaltyText(c.penaltyLimit)}</Descriptions.Item>
      <Descriptions.Item label="排除黑名单企业">{yesNo(c.excludeBlacklisted)}</Descriptions.Item>
      <Descriptions.Item label="要求无欠税">{yesNo(c.noTaxArrears)}</Descriptions.Item>
      <Descriptions.Item label="要求无社保欠费">{yesNo(c.noSocialArrears)}</Descriptions.Item>
      <Descriptions.Item label="要求无被执行记录">{yesNo(c.noEnforcement)}</Descriptions.Item>
    </Descriptions>
  );
}

function Terms({ product: p }: { product: TProductDetail }) {
  return (
    <Descriptions column={{ xs: 1, md: 2 }} data-testid="product-terms">
      <Descriptions.Item label="产品类型">{PRODUCT_TYPE_LABELS[p.type]}</Descriptions.Item>
      <Descriptions.Item label="金融机构">{p.institutionName}</Descriptions.Item>
      <Descriptions.Item label="额度">{formatWanRange(p.amountMinFen, p.amountMaxFen)}</Descriptions.Item>
      <Descriptions.Item label="期限">{formatTermRange(p.termMinMonths, p.termMaxMonths)}</Descriptions.Item>
      <Descriptions.Item label="年利率">{formatRateRange(p.rateMinBp, p.rateMaxBp)}</Descriptions.Item>
      <Descriptions.Item label="受理时限">{p.acceptDays} 个工作日（自提交起）</Descriptions.Item>
      <Descriptions.Item label="办结时限">{p.turnaroundDays} 个工作日（自受理起）</Descriptions.Item>
      <Descriptions.Item label="担保方式">{p.guaranteeMethods.map((g) => GUARANTEE_METHOD_LABELS[g]).join('、')}</Descriptions.Item>
      <Descriptions.Item label="还款方式">{p.repaymentMethods.map((r) => REPAYMENT_METHOD_LABELS[r]).join('、')}</Descriptions.Item>
      <Descriptions.Item label="政策支持">{p.policySupport ? '有' : '无'}</Descriptions.Item>
      <Descriptions.Item label="上架时间">{formatDateTime(p.publishedAt)}</Descriptions.Item>
      <Descriptions.Item label="申请材料" span="filled">
        {p.requiredDocuments.length ? p.requiredDocuments.join('、') : '无'}
      </Descriptions.Item>
      <Descriptions.Item label="产品简介" span="filled">
        {p.summary || '-'}
      </Descriptions.Item>
    </Descriptions>
  );
}

/** The buttons PRODUCT_TRANSITIONS allows from the current status, each behind a confirmation. */
function StatusActions({ product, onMoved }: { product: TProductDetail; onMoved: () => Promise<void> }) {
  const { message } = App.useApp();
  const [moving, setMoving] = useState<TProductStatus | null>(null);
  const move = async (to: TProductStatus) => {
    setMoving(to);
    try {
      await moveProduct({ id: product.id }, { to });
      message.success(to === 'published' ? '产品已上架，系统将为在办的融资需求重新匹配' : '产品已下架');
      await onMoved();
    } catch {
      // shown globally (a refusal names what is missing)
    } finally {
      setMoving(null);
    }
  };
  return (
    <>
      {PRODUCT_TRANSITIONS[product.status].map((to) => {
        const label = transitionLabel(product.status, to);
        const blocked = to === 'published' && product.problems.length > 0;
        return (
          <Popconfirm
            key={to}
            title={`确认${label}「${product.name}」？`}
            description={to === 'offline' ? '下架后企业将看不到该产品，已提交的申请不受影响。' : '上架后企业即可看到并申请该产品。'}
            okText={`确认${label}`}
            cancelText="取消"
            disabled={blocked}
            onConfirm={() => move(to)}
          >
            <Button
              type={to === 'published' ? 'primary' : 'default'}
              danger={to === 'offline'}
              disabled={blocked}
              loading={moving === to}
              data-testid={`product-move-${to}`}
            >
              {label}
            </Button>
          </Popconfirm>
        );
      })}
    </>
  );
}

/** 产品详情: the current revision's terms and criteria, what stops it from going online, its lifecycle and revisions. */
export default function ProductDetailPage() {
  const { id = '' } = useParams<{ id: string }>();
  const access = useAccess();
  const [editing, setEditing] = useState(false);
  const { data: product, loading, error, reload } = useLoad(() => getProduct({ id }), [id]);

  if (error instanceof ApiError && error.errorCode === 'NOT_FOUND') {
    return (
      <PageContainer title={<PageTitle>产品详情</PageTitle>} onBack={() => history.push('/finance/products')}>
        <Result status="404" title="产品不存在" subTitle="该产品不存在，或不在您的查看范围内。" />
      </PageContainer>
    );
  }
  if (!product) {
    return (
      <PageContainer title={<PageTitle>产品详情</PageTitle>}>
        <Skeleton active loading={loading} />
      </PageContainer>
    );
  }

  return (
    <PageContainer
      title={<PageTitle>产品详情</PageTitle>}
      subTitle={product.name}
      tags={
        <Tag color={PRODUCT_STATUS_COLORS[product.status]} data-testid="product-status">
          {PRODUCT_STATUS_LABELS[product.status]}
        </Tag>
      }
      onBack={() => history.push('/finance/products')}
      extra={
        access.canEditProducts && (
          <Space>
            <Button onClick={() => setEditing(true)} data-testid="product-edit">
              编辑
            </Button>
            <StatusActions product={product} onMoved={reload} />
          </Space>
        )
      }
    >
      {product.problems.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          data-testid="product-problems"
          message={`不能上架：${product.problems.map((p) => p.message).join('；')}`}
          description={access.canEditProducts ? '请编辑产品补全或更正以上内容后再上架。' : undefined}
        />
      )}
      <ProCard direction="column" gutter={[0, 16]} ghost>
        <ProCard title={`产品条款（第 ${product.revision} 版）`} bordered>
          <Terms product={product} />
        </ProCard>
        <ProCard title="准入条件" bordered>
          <Criteria criteria={product.criteria} />
        </ProCard>
        <ProCard title="版本记录" bordered>
          <Table<TRevisionRow>
            rowKey="id"
            size="small"
            pagination={false}
            dataSource={product.revisions}
            onRow={(r) => ({ 'data-testid': 'product-revision', 'data-revision': r.revision }) as object}
            columns={[
              {
                title: '版本',
                dataIndex: 'revision',
                render: (n: number) => (
                  <Space size={4}>
                    <span>版本 {n}</span>
                    {n === product.revision && <Tag color="blue">当前</Tag>}
                  </Space>
                ),
              },
              { title: '修改人', dataIndex: 'createdByName' },
              { title: '时间', dataIndex: 'createdAt', render: (v: string) => formatDateTime(v) },
            ]}
          />
          <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
            上架过的版本不再改动：修改生成新版本，已有的匹配结果和申请仍按当时的版本。
          </Typography.Paragraph>
        </ProCard>
      </ProCard>
      {access.canEditProducts && (
        <ProductForm
          product={product}
          open={editing}
          onOpenChange={setEditing}
          onSaved={() => {
            setEditing(false);
            reload();
          }}
        />
      )}
    </PageContainer>
  );
}
