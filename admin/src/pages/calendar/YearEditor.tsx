import { ProCard } from '@ant-design/pro-components';
import {
  ApiError,
  CALENDAR_DAY_KIND_LABELS,
  CALENDAR_MAX_DAYS,
  CALENDAR_NAME_MAX,
  addDays,
  isCalendarDate,
  weekdayOf,
  type TCalendarDayKind,
  type TCalendarYearDetail,
  type TFieldError,
} from '@xyd/shared';
import { Alert, App, Button, Input, Result, Select, Space, Spin, Switch, Table, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { errorMessageOf } from '@/requestErrorConfig';
import { getCalendarYear, saveCalendarYear } from '@/services/generated';

interface DayRow {
  key: number;
  date: string;
  kind: TCalendarDayKind;
  name: string;
}

type DayField = 'date' | 'kind' | 'name';

const WEEKDAYS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
const KIND_OPTIONS = (Object.keys(CALENDAR_DAY_KIND_LABELS) as TCalendarDayKind[]).map((kind) => ({ value: kind, label: CALENDAR_DAY_KIND_LABELS[kind] }));

/** `days.3.date` → row 3, field date; anything else concerns the whole year. */
function splitErrors(fields: TFieldError[]) {
  const byCell = new Map<string, string>();
  const general: string[] = [];
  for (const f of fields) {
    const m = /^days\.(\d+)\.(date|kind|name)$/.exec(f.field);
    if (m) byCell.set(`${m[1]}.${m[2]}`, f.message);
    else general.push(f.message);
  }
  return { byCell, general };
}

/** The dates from `from` through `to`, or why that is not a range of this year. */
function dateRange(year: number, from: string, to: string): string[] | string {
  if (!isCalendarDate(from) || !isCalendarDate(to)) return '起止日期应为存在的日期，格式 YYYY-MM-DD';
  if (!from.startsWith(`${year}-`) || !to.startsWith(`${year}-`)) return `起止日期应在 ${year} 年内`;
  if (to < from) return '结束日期不能早于开始日期';
  const dates: string[] = [];
  for (let d = from; d <= to && dates.length <= CALENDAR_MAX_DAYS; d = addDays(d, 1)) dates.push(d);
  return dates.length > CALENDAR_MAX_DAYS ? `一次最多添加 ${CALENDAR_MAX_DAYS} 天` : dates;
}

export interface YearEditorProps {
  year: number;
  /** Whether the year is stored (else the editor starts empty). */
  stored: boolean;
  onSaved: (detail: TCalendarYearDetail) => void;
  onClose: () => void;
}

/**
 * One year's schedule: its days off and 调休 workdays in a table, with add and remove, whether the schedule is final,
 * and save. The server validates the whole year; its field errors (`days.N.date`) are shown on their rows.
 */
export default function YearEditor({ year, stored, onSaved, onClose }: YearEditorProps) {
  const { message } = App.useApp();
  const nextKey = useRef(0);
  const [rows, setRows] = useState<DayRow[]>([]);
  const [confirmed, setConfirmed] = useState(false);
  const [loading, setLoading] = useState(stored);
  const [loadFailed, setLoadFailed] = useState(false);
  const [saving, setSaving] = useState(false);
  const [errors, setErrors] = useState<TFieldError[]>([]);
  const [range, setRange] = useState({ from: '', to: '', name: '' });
  const [rangeProblem, setRangeProblem] = useState<string | null>(null);

  const toRows = (days: TCalendarYearDetail['days']): DayRow[] => days.map((d) => ({ key: nextKey.current++, ...d }));

  const load = async () => {
    setLoading(true);
    setLoadFailed(false);
    try {
      const detail = await getCalendarYear({ year });
      setRows(toRows(detail.days));
      setConfirmed(detail.confirmed);
    } catch {
      setLoadFailed(true);
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    if (stored) load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [year, stored]);

  const { byCell, general } = splitErrors(errors);

  const change = (index: number, field: DayField, value: string) => {
    setRows((current) => current.map((r, i) => (i === index ? { ...r, [field]: value } : r)));
    setErrors((current) => current.filter((e) => e.field !== `days.${index}.${field}`));
  };
  // Row numbers shift: errors of the old numbering no longer point at the right rows.
  const addRow = () => {
    setRows((current) => [...current, { key: nextKey.current++, date: '', kind: 'holiday', name: current.at(-1)?.name ?? '' }]);
    setErrors([]);
  };
  const removeRow = (index: number) => {
    setRows((current) => current.filter((_, i) => i !== index));
    setErrors([]);
  };
  const addRange = () => {
    const dates = dateRange(year, range.from.trim(), range.to.trim());
    if (typeof dates === 'string') {
      setRangeProblem(dates);
      return;
    }
    setRangeProblem(null);
    const name = range.name.trim();
    setRows((current) => [...current, ...dates.map((date) => ({ key: nextKey.current++, date, kind: 'holiday' as const, name }))]);
    setRange({ from: '', to: '', name: '' });
    setErrors([]);
  };

  const save = async () => {
    setSaving(true);
    setErrors([]);
    try {
      const detail = await saveCalendarYear(
        { year },
        { days: rows.map((r) => ({ date: r.date.trim(), kind: r.kind, name: r.name.trim() })), confirmed },
        { skipErrorHandler: true },
      );
      setRows(toRows(detail.days));
      setConfirmed(detail.confirmed);
      message.success(detail.confirmed ? `${year} 年安排已保存并确认` : `${year} 年安排已保存（未确认，工作日仍按周末计算）`);
      onSaved(detail);
    } catch (e) {
      if (e instanceof ApiError && e.errorFields.length > 0) setErrors(e.errorFields);
      message.error(errorMessageOf(e));
    } finally {
      setSaving(false);
    }
  };

  const cellError = (index: number, field: DayField) => byCell.get(`${index}.${field}`);
  const errorText = (text: string | undefined) =>
    text ? (
      <Typography.Text type="danger" style={{ fontSize: 12 }} data-testid="calendar-day-error">
        {text}
      </Typography.Text>
    ) : null;

  const holidays = rows.filter((r) => r.kind === 'holiday').length;

  return (
    <ProCard
      bordered
      title={`${year} 年安排`}
      style={{ marginTop: 16 }}
      extra={
        <Button onClick={onClose} data-testid="calendar-editor-close">
          关闭
        </Button>
      }
      data-testid="calendar-editor"
    >
      {loading ? (
        <Spin />
      ) : loadFailed ? (
        <Result status="warning" title={`${year} 年安排加载失败`} extra={<Button onClick={load}>重试</Button>} />
      ) : (
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          {general.length > 0 && <Alert type="error" showIcon message={general.join('；')} data-testid="calendar-editor-error" />}
          <Table<DayRow>
            rowKey="key"
            size="small"
            pagination={false}
            dataSource={rows}
            locale={{ emptyText: '尚未录入任何放假或调休上班的日期' }}
            onRow={() => ({ 'data-testid': 'calendar-day-row' }) as object}
            columns={[
              {
                title: '日期',
                width: 190,
                render: (_, r, i) => (
                  <>
                    <Input
                      value={r.date}
                      placeholder={`${year}-01-01`}
                      status={cellError(i, 'date') ? 'error' : undefined}
                      aria-label={`第 ${i + 1} 行日期`}
                      onChange={(e) => change(i, 'date', e.target.value)}
                    />
                    {errorText(cellError(i, 'date'))}
                  </>
                ),
              },
              {
                title: '星期',
                width: 70,
                render: (_, r) => (isCalendarDate(r.date.trim()) ? WEEKDAYS[weekdayOf(r.date.trim())] : '-'),
              },
              {
                title: '类型',
                width: 140,
                render: (_, r, i) => (
                  <>
                    <Select
                      value={r.kind}
                      options={KIND_OPTIONS}
                      style={{ width: '100%' }}
                      status={cellError(i, 'kind') ? 'error' : undefined}
                      aria-label={`第 ${i + 1} 行类型`}
                      onChange={(value) => change(i, 'kind', value)}
                    />
                    {errorText(cellError(i, 'kind'))}
                  </>
                ),
              },
              {
                title: '节日名称',
                render: (_, r, i) => (
                  <>
                    <Input
                      value={r.name}
                      maxLength={CALENDAR_NAME_MAX}
                      placeholder={r.kind === 'holiday' ? '如 国庆节' : '所属节日（可不填）'}
                      status={cellError(i, 'name') ? 'error' : undefined}
                      aria-label={`第 ${i + 1} 行节日名称`}
                      onChange={(e) => change(i, 'name', e.target.value)}
                    />
                    {errorText(cellError(i, 'name'))}
                  </>
                ),
              },
              {
                title: '操作',
                width: 70,
                render: (_, _r, i) => (
                  <Button type="link" danger onClick={() => removeRow(i)} aria-label={`删除第 ${i + 1} 行`}>
                    删除
                  </Button>
                ),
              },
            ]}
          />
          <Space wrap>
            <Button onClick={addRow} data-testid="calendar-add-day">
              添加一天
            </Button>
            <Typography.Text type="secondary">或连续放假：</Typography.Text>
            <Input
              style={{ width: 130 }}
              placeholder="开始 YYYY-MM-DD"
              aria-label="连续放假开始日期"
              value={range.from}
              onChange={(e) => setRange({ ...range, from: e.target.value })}
            />
            <Input
              style={{ width: 130 }}
              placeholder="结束 YYYY-MM-DD"
              aria-label="连续放假结束日期"
              value={range.to}
              onChange={(e) => setRange({ ...range, to: e.target.value })}
            />
            <Input
              style={{ width: 120 }}
              placeholder="节日名称"
              maxLength={CALENDAR_NAME_MAX}
              aria-label="连续放假节日名称"
              value={range.name}
              onChange={(e) => setRange({ ...range, name: e.target.value })}
            />
            <Button onClick={addRange} data-testid="calendar-add-range">
              添加
            </Button>
          </Space>
          {rangeProblem && <Typography.Text type="danger">{rangeProblem}</Typography.Text>}
          <Space align="center">
            <Switch checked={confirmed} onChange={setConfirmed} aria-label="确认该年安排" data-testid="calendar-confirmed" />
            <span>确认该年安排</span>
            <Typography.Text type="secondary">
              确认后工作日按此安排计算；未确认时仍按周末计算，并持续提醒录入。
            </Typography.Text>
          </Space>
          <Space>
            <Button type="primary" loading={saving} onClick={save} data-testid="calendar-save">
              保存
            </Button>
            <Typography.Text type="secondary">
              共放假 {holidays} 天，调休上班 {rows.length - holidays} 天
            </Typography.Text>
          </Space>
        </Space>
      )}
    </ProCard>
  );
}
