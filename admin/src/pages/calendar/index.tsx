import { PageContainer, ProCard } from '@ant-design/pro-components';
import { CALENDAR_SOURCE_LABELS, CALENDAR_YEAR_MAX, CALENDAR_YEAR_MIN, type TCalendarYearSummary } from '@xyd/shared';
import { Button, InputNumber, Result, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import CalendarNotice from '@/components/CalendarNotice';
import PageTitle from '@/components/PageTitle';
import { useLoad } from '@/hooks/useLoad';
import { listCalendarYears } from '@/services/generated';
import { formatDateTime } from '@/utils/format';
import YearEditor from './YearEditor';

/**
 * 节假日日历: the statutory holidays and 调休 workdays every working-day deadline counts with. The years up to 2026
 * come from the built-in data; each later year is entered here once the State Council publishes it. Until a year is
 * confirmed its working days are counted on weekends only, and the page says which years those are.
 */
export default function CalendarPage() {
  const years = useLoad(listCalendarYears, []);
  const [noticeKey, setNoticeKey] = useState(0);
  const [editing, setEditing] = useState<number | null>(null);
  const [newYear, setNewYear] = useState<number | null>(null);

  const stored = new Set((years.data ?? []).map((y) => y.year));
  const latest = Math.max(CALENDAR_YEAR_MIN - 1, ...stored);
  const proposedYear = newYear ?? Math.min(latest + 1, CALENDAR_YEAR_MAX);

  const saved = async () => {
    setNoticeKey((k) => k + 1);
    await years.reload();
  };

  if (!years.data && years.error) {
    return (
      <PageContainer title={<PageTitle>节假日日历</PageTitle>}>
        <Result status="warning" title="节假日日历加载失败" extra={<Button onClick={years.reload}>重试</Button>} />
      </PageContainer>
    );
  }

  return (
    <PageContainer title={<PageTitle>节假日日历</PageTitle>}>
      <CalendarNotice
        refreshKey={noticeKey}
        action={(unconfirmed) =>
          unconfirmed.length > 0 && (
            <Button size="small" type="primary" onClick={() => setEditing(unconfirmed[0]!)} data-testid="calendar-notice-enter">
              录入 {unconfirmed[0]} 年安排
            </Button>
          )
        }
      />
      <ProCard
        bordered
        title="各年份安排"
        extra={
          <Space>
            <span>年份</span>
            <InputNumber
              min={CALENDAR_YEAR_MIN}
              max={CALENDAR_YEAR_MAX}
              precision={0}
              value={proposedYear}
              onChange={(value) => setNewYear(value)}
              aria-label="年份"
            />
            <Button onClick={() => setEditing(proposedYear)} data-testid="calendar-open-year">
              {stored.has(proposedYear) ? '编辑' : '录入'}
            </Button>
          </Space>
        }
      >
        <Table<TCalendarYearSummary>
          rowKey="year"
          size="small"
          loading={years.loading}
          dataSource={years.data ?? []}
          pagination={false}
          scroll={{ y: 420 }}
          onRow={(y) => ({ 'data-testid': 'calendar-year-row', 'data-year': y.year }) as object}
          columns={[
            { title: '年份', dataIndex: 'year', width: 80 },
            {
              title: '状态',
              width: 90,
              render: (_, y) => (y.confirmed ? <Tag color="green">已确认</Tag> : <Tag color="orange">未确认</Tag>),
            },
            { title: '来源', width: 110, render: (_, y) => CALENDAR_SOURCE_LABELS[y.source] },
            { title: '放假天数', dataIndex: 'holidayCount', width: 90 },
            { title: '调休上班天数', dataIndex: 'workdayCount', width: 110 },
            {
              title: '最后修改',
              render: (_, y) => (
                <Space size={4}>
                  <span>{formatDateTime(y.updatedAt)}</span>
                  {y.updatedByName && <Typography.Text type="secondary">{y.updatedByName}</Typography.Text>}
                </Space>
              ),
            },
            {
              title: '操作',
              width: 80,
              render: (_, y) => (
                <a onClick={() => setEditing(y.year)} data-testid="calendar-edit-year">
                  编辑
                </a>
              ),
            },
          ]}
        />
      </ProCard>
      {editing !== null && years.data && (
        <YearEditor key={editing} year={editing} stored={stored.has(editing)} onSaved={saved} onClose={() => setEditing(null)} />
      )}
    </PageContainer>
  );
}
