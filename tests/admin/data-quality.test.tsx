import type { TQualityRow } from '@xyd/shared';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, ok } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { findPageTitle, renderConsole } from './support/render';

function row(overrides: Partial<TQualityRow> = {}): TQualityRow {
  return {
    sourceId: '701',
    sourceName: '杭州市纳税数据',
    organisationName: '杭州市税务局',
    category: 'tax',
    enabled: true,
    received: 12_000,
    accepted: 11_560,
    rejected: 400,
    duplicate: 40,
    acceptanceRate: 0.9633,
    rejectionRate: 0.0333,
    topReasons: [
      { reason: '统一社会信用代码校验位不正确', count: 310 },
      { reason: '所属期不能晚于当前月份', count: 90 },
    ],
    latestPeriod: '2026-10',
    lastReceivedAt: '2026-11-10T02:00:00.000Z',
    cadence: 'monthly',
    monthsBehind: 0,
    silent: false,
    coverage: 0.8125,
    firmsInRegion: 1600,
    firmsCovered: 1300,
    ...overrides,
  };
}

const silentWater = row({
  sourceId: '702',
  sourceName: '杭州水务用水数据',
  organisationName: '杭州水务集团',
  category: 'utility',
  acceptanceRate: 0.7,
  rejectionRate: 0.3,
  topReasons: [],
  latestPeriod: '2026-06',
  lastReceivedAt: '2026-07-02T02:00:00.000Z',
  monthsBehind: 4,
  silent: true,
  coverage: null,
  firmsInRegion: 0,
  firmsCovered: 0,
});

function qualityRow(name: string) {
  return screen.getAllByTestId('quality-row').find((r) => r.textContent?.includes(name))!;
}

describe('data quality (数据质量)', () => {
  it('is for platform administrators only', async () => {
    await renderConsole('/data/quality', userOf('gov'));
    expect(await findPageTitle('无权访问')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/credit-data/quality')).toHaveLength(0);
  });

  it('shows rates, top reasons, freshness and coverage per source and category, and flags silent sources', async () => {
    api.on('GET /api/v1/credit-data/quality', ok({ computedAt: '2026-11-30T16:00:00.000Z', rows: [row(), silentWater] }));
    await renderConsole('/data/quality', userOf('platform_admin'));

    expect(await findPageTitle('数据质量')).toBeInTheDocument();
    expect(await screen.findAllByTestId('quality-row')).toHaveLength(2);
    expect(screen.getByTestId('quality-computed-at')).toHaveTextContent('统计于 2026-12-01 00:00:00');

    const tax = qualityRow('杭州市纳税数据');
    expect(tax).toHaveTextContent('杭州市税务局');
    expect(tax).toHaveTextContent('纳税');
    expect(tax).toHaveTextContent('12,000 / 11,560 / 40 / 400');
    expect(within(tax).getByTestId('quality-acceptance')).toHaveTextContent('96.3%');
    expect(within(tax).getByTestId('quality-rejection')).toHaveTextContent('3.3%');
    expect(within(tax).getByTestId('quality-reasons')).toHaveTextContent('统一社会信用代码校验位不正确（310 行）');
    expect(within(tax).getByTestId('quality-reasons')).toHaveTextContent('所属期不能晚于当前月份（90 行）');
    expect(tax).toHaveTextContent('2026-10');
    expect(tax).toHaveTextContent('已报至上月');
    expect(within(tax).getByTestId('quality-coverage')).toHaveTextContent('81.3%');
    expect(within(tax).getByTestId('quality-coverage')).toHaveTextContent('1,300 / 1,600 户');
    expect(within(tax).queryByTestId('quality-silent')).not.toBeInTheDocument();

    const water = qualityRow('杭州水务用水数据');
    expect(within(water).getByTestId('quality-silent')).toHaveTextContent('已停报');
    expect(within(water).getByTestId('quality-behind')).toHaveTextContent('落后 4 个月');
    expect(within(water).getByTestId('quality-rejection')).toHaveTextContent('30.0%');
    expect(within(water).getByTestId('quality-coverage')).toHaveTextContent('-');
    expect(screen.getByTestId('quality-silent-count')).toHaveTextContent('1 项已停报');
  });

  it('刷新 starts the job and shows the new figures once they are computed', async () => {
    let computed = false;
    api.on('GET /api/v1/credit-data/quality', () =>
      ok(computed ? { computedAt: '2026-12-01T03:00:00.000Z', rows: [row({ received: 12_500 })] } : { computedAt: null, rows: [] }),
    );
    api.on('POST /api/v1/credit-data/quality/refresh', () => {
      computed = true;
      return ok({ jobId: '9001' });
    });
    await renderConsole('/data/quality', userOf('platform_admin'));

    expect(await screen.findByText('尚未统计，请点击刷新')).toBeInTheDocument();
    expect(screen.getByTestId('quality-computed-at')).toHaveTextContent('尚未统计');

    await userEvent.setup().click(screen.getByTestId('quality-refresh'));
    expect(await screen.findByText('已开始重新计算，完成后自动更新')).toBeInTheDocument();
    await waitFor(() => expect(screen.getByTestId('quality-computed-at')).toHaveTextContent('统计于 2026-12-01 11:00:00'));
    expect(qualityRow('杭州市纳税数据')).toHaveTextContent('12,500');
    expect(await screen.findByText('数据质量已更新')).toBeInTheDocument();
    expect(api.callsTo('POST /api/v1/credit-data/quality/refresh')).toHaveLength(1);
  });
});
