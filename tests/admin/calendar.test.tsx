import type { TCalendarStatus, TCalendarYearDetail, TCalendarYearSummary } from '@xyd/shared';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import CalendarNotice from '@/components/CalendarNotice';
import { api, fail, ok } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

const WARNING = '2027 年法定节假日安排尚未录入，工作日暂按周末计算，请尽快录入';
const unconfirmed: TCalendarStatus = { today: '2026-12-01', unconfirmedYears: [2027], message: WARNING };
const allConfirmed: TCalendarStatus = { today: '2026-12-01', unconfirmedYears: [], message: null };

const y2026: TCalendarYearSummary = {
  year: 2026,
  confirmed: true,
  source: 'package',
  holidayCount: 33,
  workdayCount: 6,
  updatedAt: '2026-11-30T16:00:00.000Z',
  updatedByName: null,
};
const y2025: TCalendarYearSummary = { ...y2026, year: 2025, holidayCount: 28, workdayCount: 5, source: 'admin', updatedByName: '平台管理员小王' };

const detail2026: TCalendarYearDetail = {
  ...y2026,
  holidayCount: 2,
  workdayCount: 1,
  days: [
    { date: '2026-09-20', kind: 'workday', name: '国庆节' },
    { date: '2026-10-01', kind: 'holiday', name: '国庆节' },
    { date: '2026-10-02', kind: 'holiday', name: '国庆节' },
  ],
};

function selectorOf(row: HTMLElement): HTMLElement {
  return row.querySelector('.ant-select-selector') as HTMLElement;
}

describe('CalendarNotice', () => {
  it('shows the warning while a coming year is unconfirmed', async () => {
    api.on('GET /api/v1/calendar/status', ok(unconfirmed));
    render(<CalendarNotice />);
    expect(await screen.findByTestId('calendar-notice')).toHaveTextContent(WARNING);
  });

  it('fetches again on a new refreshKey, and shows nothing once every coming year is confirmed', async () => {
    let status = unconfirmed;
    api.on('GET /api/v1/calendar/status', () => ok(status));
    const { rerender } = render(<CalendarNotice refreshKey={0} />);
    expect(await screen.findByTestId('calendar-notice')).toHaveTextContent(WARNING);
    status = allConfirmed;
    rerender(<CalendarNotice refreshKey={1} />);
    await waitFor(() => expect(screen.queryByTestId('calendar-notice')).not.toBeInTheDocument());
    expect(api.callsTo('GET /api/v1/calendar/status')).toHaveLength(2);
  });

  it('stays silent when the status cannot be read', async () => {
    api.on('GET /api/v1/calendar/status', fail(500, 'INTERNAL', '服务器开小差了'));
    const { rerender } = render(<CalendarNotice refreshKey={0} />);
    await waitFor(() => expect(api.callsTo('GET /api/v1/calendar/status')).toHaveLength(1));
    // A later answer shows up: by then the failed one was handled, without a toast.
    api.on('GET /api/v1/calendar/status', ok(unconfirmed));
    rerender(<CalendarNotice refreshKey={1} />);
    expect(await screen.findByTestId('calendar-notice')).toBeInTheDocument();
    expect(screen.queryByText('服务器开小差了')).not.toBeInTheDocument();
  });
});

describe('节假日日历 page', () => {
  it('lists the years with status, source and counts, and warns about 2027', async () => {
    api.on('GET /api/v1/calendar/years', ok([y2026, y2025]));
    api.on('GET /api/v1/calendar/status', ok(unconfirmed));
    await renderConsole('/platform/calendar', userOf('platform_admin'));
    expect(await findPageTitle('节假日日历')).toBeInTheDocument();
    const rows = await screen.findAllByTestId('calendar-year-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('2026');
    expect(rows[0]).toHaveTextContent('已确认');
    expect(rows[0]).toHaveTextContent('内置数据');
    expect(rows[0]).toHaveTextContent('33');
    expect(rows[0]).toHaveTextContent('2026-12-01 00:00:00');
    expect(rows[1]).toHaveTextContent('管理员录入');
    expect(rows[1]).toHaveTextContent('平台管理员小王');
    expect(await screen.findByTestId('calendar-notice')).toHaveTextContent(WARNING);
  });

  it('enters 2027: a range of days off and a 调休 day, shows the server’s field error on its row, then saves confirmed', async () => {
    let status = unconfirmed;
    let years = [y2026];
    api.on('GET /api/v1/calendar/years', () => ok(years));
    api.on('GET /api/v1/calendar/status', () => ok(status));
    api.on('PUT /api/v1/calendar/years/:year', (req) => {
      const day = req.body.days.find((d: { date: string }) => d.date === '2027-01-06');
      if (day) return fail(400, 'VALIDATION_FAILED', '参数不正确', [{ field: 'days.3.date', message: '2027-01-06 是周三，调休上班只能安排在周六或周日' }]);
      status = allConfirmed;
      const saved = { ...y2026, year: 2027, source: 'admin' as const, holidayCount: 3, workdayCount: 1, updatedByName: '平台管理员小王' };
      years = [saved, y2026];
      return ok({ ...saved, days: req.body.days });
    });
    await renderConsole('/platform/calendar', userOf('platform_admin'));
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('calendar-notice-enter'));
    const editor = await screen.findByTestId('calendar-editor');
    expect(editor).toHaveTextContent('2027 年安排');
    expect(editor).toHaveTextContent('尚未录入任何放假或调休上班的日期');

    fillIn(within(editor).getByLabelText('连续放假开始日期'), '2027-01-01');
    fillIn(within(editor).getByLabelText('连续放假结束日期'), '2027-01-03');
    fillIn(within(editor).getByLabelText('连续放假节日名称'), '元旦');
    await user.click(within(editor).getByTestId('calendar-add-range'));
    expect(within(editor).getAllByTestId('calendar-day-row')).toHaveLength(3);
    expect(within(editor).getByLabelText('第 2 行日期')).toHaveValue('2027-01-02');
    expect(within(editor).getByLabelText('第 3 行节日名称')).toHaveValue('元旦');

    await user.click(within(editor).getByTestId('calendar-add-day'));
    fillIn(within(editor).getByLabelText('第 4 行日期'), '2027-01-06');
    const fourth = within(editor).getAllByTestId('calendar-day-row')[3]!;
    fireEvent.mouseDown(selectorOf(fourth));
    await user.click(await screen.findByTitle('调休上班'));
    expect(fourth).toHaveTextContent('周三');
    await user.click(within(editor).getByTestId('calendar-confirmed'));
    await user.click(within(editor).getByTestId('calendar-save'));

    const error = await within(fourth).findByTestId('calendar-day-error');
    expect(error).toHaveTextContent('调休上班只能安排在周六或周日');
    expect(within(editor).getAllByTestId('calendar-day-error')).toHaveLength(1);

    fillIn(within(editor).getByLabelText('第 4 行日期'), '2027-01-09');
    expect(within(editor).queryByTestId('calendar-day-error')).not.toBeInTheDocument();
    await user.click(within(editor).getByTestId('calendar-save'));
    await waitFor(() => expect(api.callsTo('PUT /api/v1/calendar/years/2027')).toHaveLength(2));
    expect(api.callsTo('PUT /api/v1/calendar/years/2027')[1]!.body).toEqual({
      confirmed: true,
      days: [
        { date: '2027-01-01', kind: 'holiday', name: '元旦' },
        { date: '2027-01-02', kind: 'holiday', name: '元旦' },
        { date: '2027-01-03', kind: 'holiday', name: '元旦' },
        { date: '2027-01-09', kind: 'workday', name: '元旦' },
      ],
    });
    expect(await screen.findByText('2027 年安排已保存并确认')).toBeInTheDocument();
    // The warning is fetched again and gone; the list shows the new year.
    await waitFor(() => expect(screen.queryByTestId('calendar-notice')).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getAllByTestId('calendar-year-row')).toHaveLength(2));
    expect(screen.getAllByTestId('calendar-year-row')[0]).toHaveTextContent('管理员录入');
  });

  it('edits a stored year: removes a day and saves it unconfirmed', async () => {
    api.on('GET /api/v1/calendar/years', ok([y2026]));
    api.on('GET /api/v1/calendar/status', ok(allConfirmed));
    api.on('GET /api/v1/calendar/years/2026', ok(detail2026));
    api.on('PUT /api/v1/calendar/years/:year', (req) => ok({ ...detail2026, confirmed: req.body.confirmed, days: req.body.days }));
    await renderConsole('/platform/calendar', userOf('platform_admin'));
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('calendar-edit-year'));
    const editor = await screen.findByTestId('calendar-editor');
    await waitFor(() => expect(within(editor).getAllByTestId('calendar-day-row')).toHaveLength(3));
    expect(within(editor).getByLabelText('第 1 行日期')).toHaveValue('2026-09-20');
    expect(within(editor).getAllByTestId('calendar-day-row')[0]).toHaveTextContent('调休上班');
    expect(within(editor).getAllByTestId('calendar-day-row')[0]).toHaveTextContent('周日');
    expect(within(editor).getByTestId('calendar-confirmed')).toHaveAttribute('aria-checked', 'true');

    await user.click(within(editor).getByLabelText('删除第 3 行'));
    await user.click(within(editor).getByTestId('calendar-confirmed'));
    await user.click(within(editor).getByTestId('calendar-save'));
    await waitFor(() => expect(api.callsTo('PUT /api/v1/calendar/years/2026')).toHaveLength(1));
    expect(api.callsTo('PUT /api/v1/calendar/years/2026')[0]!.body).toEqual({
      confirmed: false,
      days: [
        { date: '2026-09-20', kind: 'workday', name: '国庆节' },
        { date: '2026-10-01', kind: 'holiday', name: '国庆节' },
      ],
    });
    expect(await screen.findByText('2026 年安排已保存（未确认，工作日仍按周末计算）')).toBeInTheDocument();
  });

  it('refuses a range that leaves the year, without calling the server', async () => {
    api.on('GET /api/v1/calendar/years', ok([y2026]));
    api.on('GET /api/v1/calendar/status', ok(unconfirmed));
    await renderConsole('/platform/calendar', userOf('platform_admin'));
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('calendar-notice-enter'));
    const editor = await screen.findByTestId('calendar-editor');
    fillIn(within(editor).getByLabelText('连续放假开始日期'), '2026-12-31');
    fillIn(within(editor).getByLabelText('连续放假结束日期'), '2027-01-01');
    await user.click(within(editor).getByTestId('calendar-add-range'));
    expect(await within(editor).findByText('起止日期应在 2027 年内')).toBeInTheDocument();
    expect(within(editor).queryAllByTestId('calendar-day-row')).toHaveLength(0);
  });
});
