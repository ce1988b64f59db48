import { z } from 'zod';
import { ZCalendarStatus, ZCalendarYearDetail, ZCalendarYearParam, ZCalendarYearSave, ZCalendarYearSummary } from '@xyd/shared';
import type { AppContext } from '../../context';
import { route, type RouteSpec } from '../../http/route';
import type { AdminActor } from '../identity/actor';
import { calendarStatus, calendarYear, listCalendarYears, saveYear } from './service';

const PLATFORM = ['platform_admin'] as const;

/** The holiday calendar (节假日日历): any console user reads it, platform admins maintain it. */
export function calendarRoutes(app: AppContext): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/calendar/years',
      operationId: 'listCalendarYears',
      summary: '节假日日历的各年份：是否已确认、来源、放假与调休上班天数',
      tags: ['工作日历'],
      auth: 'admin',
      response: z.array(ZCalendarYearSummary),
      handler: async () => listCalendarYears(),
    }),
    route({
      method: 'get',
      path: '/calendar/years/:year',
      operationId: 'getCalendarYear',
      summary: '某一年的放假与调休上班安排（尚未录入的年份返回 404）',
      tags: ['工作日历'],
      auth: 'admin',
      params: ZCalendarYearParam,
      response: ZCalendarYearDetail,
      handler: async ({ params }) => calendarYear(params.year),
    }),
    route({
      method: 'put',
      path: '/calendar/years/:year',
      operationId: 'saveCalendarYear',
      summary: '录入或修改某一年的放假与调休上班安排（整年替换，留痕）；确认后工作日按此安排计算',
      tags: ['工作日历'],
      auth: 'admin',
      roles: PLATFORM,
      callers: ['person'],
      params: ZCalendarYearParam,
      body: ZCalendarYearSave,
      response: ZCalendarYearDetail,
      handler: async ({ actor, params, body, meta }) => saveYear(app, actor as AdminActor, params.year, body, meta),
    }),
    route({
      method: 'get',
      path: '/calendar/status',
      operationId: 'getCalendarStatus',
      summary: '今天起 400 天内尚未确认节假日安排的年份，及提醒管理员录入的提示',
      tags: ['工作日历'],
      auth: 'admin',
      response: ZCalendarStatus,
      handler: async () => calendarStatus(),
    }),
  ];
}
