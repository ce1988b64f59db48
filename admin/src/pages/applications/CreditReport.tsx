import { ProCard } from '@ant-design/pro-components';
import type { TAgencyAssignment } from '@xyd/shared';
import {
  ApiError,
  DISPUTE_STATUS_LABELS,
  ENTERPRISE_STATUS_LABELS,
  SCALE_LABELS,
  WARNING_SEVERITY_LABELS,
  WARNING_STATUS_LABELS,
} from '@xyd/shared';
import { Alert, App, Button, Col, Descriptions, Empty, List, Row, Space, Spin, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { errorMessageOf } from '@/requestErrorConfig';
import { getApplicationReport, type GetApplicationReportResult } from '@/services/generated';
import { formatDateTime, formatFenAsWan } from '@/utils/format';
import { ratingColor } from '../enterprises/CreditProfile';
import { SEVERITY_COLORS } from '../credit/labels';
import { downloadReportPdf, REPORT_REFUSED } from './report';

// The shape as the API document gives it (ZCreditReport in shared; its score's dimensions may be left out there).
type TCreditReport = GetApplicationReportResult;

/** Enough copies to cover a long report; the overlay clips what does not fit. */
const WATERMARK_COPIES = 60;

/**
 * Who viewed the report and when, repeated across it at a slant: a screenshot or a photo of the screen still says
 * where it came from. Decorative for screen readers (the caption above the report says the same once).
 */
function Watermark({ text }: { text: string }) {
  return (
    <div
      aria-hidden
      data-testid="report-watermark"
      style={{
        position: 'absolute',
        inset: 0,
        zIndex: 10,
        overflow: 'hidden',
        pointerEvents: 'none',
        userSelect: 'none',
        display: 'flex',
        flexWrap: 'wrap',
        alignContent: 'flex-start',
        gap: '72px 96px',
        padding: 32,
      }}
    >
      {Array.from({ length: WATERMARK_COPIES }, (_, i) => (
        <span
          key={i}
          data-testid="report-watermark-text"
          style={{ transform: 'rotate(-24deg)', whiteSpace: 'nowrap', fontSize: 14, color: 'rgba(0, 0, 0, 0.1)' }}
        >
          {text}
        </span>
      ))}
    </div>
  );
}

const ASSIGNMENT_STATUS_LABELS: Record<TAgencyAssignment['status'], string> = {
  commissioned: '待出具',
  reported: '已出具',
  cancelled: '已取消',
};

function Registration({ enterprise: e }: { enterprise: TCreditReport['enterprise'] }) {
  return (
    <Descriptions column={{ xs: 1, md: 2 }} size="small" data-testid="report-registration">
      <Descriptions.Item label="企业名称">{e.name}</Descriptions.Item>
      <Descriptions.Item label="统一社会信用代码">{e.uscc}</Descriptions.Item>
      <Descriptions.Item label="法定代表人">{e.legalRepName}</Descriptions.Item>
      <Descriptions.Item label="注册资本">{formatFenAsWan(e.registeredCapitalFen)}</Descriptions.Item>
      <Descriptions.Item label="成立日期">{e.establishedOn}</Descriptions.Item>
      <Descriptions.Item label="所属行业">{e.industryName}</Descriptions.Item>
      <Descriptions.Item label="所属地区">{e.regionCode}</Descriptions.Item>
      <Descriptions.Item label="企业规模">{SCALE_LABELS[e.scale as keyof typeof SCALE_LABELS] ?? e.scale}</Descriptions.Item>
      <Descriptions.Item label="经营状态">
        {ENTERPRISE_STATUS_LABELS[e.status as keyof typeof ENTERPRISE_STATUS_LABELS] ?? e.status}
      </Descriptions.Item>
    </Descriptions>
  );
}

/** The platform's score: the number, the rating band and what lowered it. */
function PlatformScore({ profile }: { profile: TCreditReport['profile'] }) {
  const score = profile.score;
  if (!score) return <Empty description="该企业暂无平台评分" data-testid="report-score" />;
  return (
    <Space direction="vertical" style={{ width: '100%' }} data-testid="report-score">
      <Space align="baseline" size="middle">
        <span data-testid="report-score-value" style={{ fontSize: 36, fontWeight: 600, lineHeight: 1 }}>
          {score.score}
        </span>
        <Typography.Text type="secondary">分</Typography.Text>
        {score.rating ? (
          <Tag color={ratingColor(score.rating)} data-testid="report-rating" style={{ fontSize: 16, padding: '2px 10px' }}>
            {score.rating}
          </Tag>
        ) : (
          <Tag data-testid="report-rating">不予评级</Tag>
        )}
      </Space>
      <Typography.Text type="secondary">
        {score.scorecardName}（第 {score.scorecardVersion} 版），计算于 {formatDateTime(score.computedAt)}
      </Typography.Text>
      {score.noRatingReason && <Alert type="error" showIcon message={`不予评级：${score.noRatingReason}`} />}
      {score.cap && <Alert type="warning" showIcon message={`评级上限 ${score.cap.to}：${score.cap.reason}`} />}
      <List
        size="small"
        header={<Typography.Text strong>扣分原因</Typography.Text>}
        dataSource={score.reasons}
        locale={{ emptyText: '各项均已得到最高分' }}
        renderItem={(r) => (
          <List.Item data-testid="report-reason">
            <Space direction="vertical" size={0}>
              <Space wrap>
                <Typography.Text strong>{r.label}</Typography.Text>
                <Typography.Text type="danger">−{r.lost} 分</Typography.Text>
              </Space>
              <span>{r.reason}</span>
            </Space>
          </List.Item>
        )}
      />
    </Space>
  );
}

/** Opinions of the agencies the institution commissioned, beside the platform's score. */
function AgencyOpinions({ agencies }: { agencies: readonly TAgencyAssignment[] }) {
  const reported = agencies.filter((a) => a.status === 'reported');
  if (reported.length === 0) return <Typography.Text type="secondary">暂无信用服务机构出具的意见</Typography.Text>;
  return (
    <List
      size="small"
      dataSource={reported}
      renderItem={(a) => (
        <List.Item data-testid="report-agency-opinion">
          <Space direction="vertical" size={2} style={{ width: '100%' }}>
            <Space wrap>
              <Typography.Text strong>{a.agencyName}</Typography.Text>
              {a.rating && <Tag color={ratingColor(a.rating)}>{a.rating}</Tag>}
              <Typography.Text type="secondary">{formatDateTime(a.reportedAt)}</Typography.Text>
            </Space>
            <span>{a.summary}</span>
            {a.advice && <Typography.Text type="success">授信建议：{a.advice}</Typography.Text>}
          </Space>
        </List.Item>
      )}
    />
  );
}

function ReportBody({ report }: { report: TCreditReport }) {
  const { profile } = report;
  const w = report.watermark;
  return (
    <div style={{ position: 'relative' }} data-testid="credit-report">
      <Watermark text={w.text} />
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Text type="secondary" data-testid="report-caption">
          报告编号 {report.id}，生成于 {formatDateTime(report.generatedAt)}；查看机构：{w.institution}，查看人：{w.user}，查看时间：
          {formatDateTime(w.at)}。 本报告仅限本次融资申请使用，查看记录已留存。
        </Typography.Text>
        <ProCard title="工商登记信息" bordered size="small">
          <Registration enterprise={report.enterprise} />
        </ProCard>
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={12}>
            <ProCard title="平台信用评分" bordered size="small" style={{ height: '100%' }}>
              <PlatformScore profile={profile} />
            </ProCard>
          </Col>
          <Col xs={24} lg={12}>
            <ProCard title="信用服务机构意见" bordered size="small" style={{ height: '100%' }} data-testid="report-agencies">
              <AgencyOpinions agencies={report.agencies} />
            </ProCard>
          </Col>
        </Row>
        <ProCard title="信用记录统计" bordered size="small">
          <Table
            rowKey="category"
            size="small"
            pagination={false}
            dataSource={profile.recordCounts}
            onRow={(r) => ({ 'data-testid': 'report-count-row', 'data-category': r.category }) as object}
            locale={{ emptyText: '暂无信用记录' }}
            columns={[
              { title: '数据类别', dataIndex: 'label' },
              { title: '记录数', dataIndex: 'count', width: 90 },
              {
                title: '不良',
                dataIndex: 'adverse',
                width: 90,
                render: (v: number) => (v > 0 ? <Typography.Text type="danger">{v}</Typography.Text> : 0),
              },
              { title: '异议中', dataIndex: 'disputed', width: 90 },
            ]}
          />
        </ProCard>
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={12}>
            <ProCard title={`风险预警（${report.warnings.length}）`} bordered size="small" style={{ height: '100%' }}>
              <List
                size="small"
                dataSource={report.warnings}
                locale={{ emptyText: '无风险预警' }}
                renderItem={(w) => (
                  <List.Item data-testid="report-warning">
                    <Space wrap>
                      <Tag color={SEVERITY_COLORS[w.severity]}>{WARNING_SEVERITY_LABELS[w.severity]}</Tag>
                      <span>{w.title}</span>
                      <Typography.Text type="secondary">
                        {formatDateTime(w.raisedAt)} · {WARNING_STATUS_LABELS[w.status]}
                      </Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
            </ProCard>
          </Col>
          <Col xs={24} lg={12}>
            <ProCard title={`异议（${report.disputes.length}）`} bordered size="small" style={{ height: '100%' }}>
              <List
                size="small"
                dataSource={report.disputes}
                locale={{ emptyText: '无异议' }}
                renderItem={(d) => (
                  <List.Item data-testid="report-dispute">
                    <Space direction="vertical" size={0}>
                      <Space wrap>
                        <span>{d.recordSummary}</span>
                        <Tag>{DISPUTE_STATUS_LABELS[d.status]}</Tag>
                      </Space>
                      <Typography.Text type="secondary">异议理由：{d.reason}</Typography.Text>
                    </Space>
                  </List.Item>
                )}
              />
            </ProCard>
          </Col>
        </Row>
      </Space>
    </div>
  );
}

/**
 * 信用报告: read under the firm's grant, on request only (every view is logged), shown with the viewer's watermark;
 * the PDF carries the same. Without a live grant the server answers 404 and the page says why.
 */
export default function CreditReport({ applicationId }: { applicationId: string }) {
  const { message } = App.useApp();
  const [report, setReport] = useState<TCreditReport>();
  const [refusal, setRefusal] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [downloading, setDownloading] = useState(false);

  const refusalOf = (error: unknown) => (error instanceof ApiError && error.status === 404 ? REPORT_REFUSED : errorMessageOf(error));

  const view = async () => {
    setLoading(true);
    try {
      // Shown here rather than as a toast: the refusal is the answer, not a fault.
      setReport(await getApplicationReport({ id: applicationId }, { skipErrorHandler: true }));
      setRefusal(null);
    } catch (error) {
      setReport(undefined);
      setRefusal(refusalOf(error));
    } finally {
      setLoading(false);
    }
  };

  const download = async () => {
    setDownloading(true);
    try {
      await downloadReportPdf(applicationId);
    } catch (error) {
      message.error(refusalOf(error));
    } finally {
      setDownloading(false);
    }
  };

  return (
    <ProCard
      title="信用报告"
      bordered
      data-testid="report-section"
      extra={
        <Space>
          <Button type="primary" loading={loading} onClick={view} data-testid="report-view">
            查看信用报告
          </Button>
          <Button loading={downloading} onClick={download} data-testid="report-download">
            下载 PDF
          </Button>
        </Space>
      }
    >
      {refusal && <Alert type="warning" showIcon message={refusal} data-testid="report-refused" style={{ marginBottom: 16 }} />}
      {report ? (
        <ReportBody report={report} />
      ) : loading ? (
        <Spin />
      ) : (
        !refusal && <Typography.Text type="secondary">信用报告须经企业授权方可查看，每次查看和下载都会记入数据访问日志。</Typography.Text>
      )}
    </ProCard>
  );
}
