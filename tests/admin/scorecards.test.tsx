import type { TScorecard, TScorecardComparison, TScorecardVersion, TWarningRules } from '@xyd/shared';
import { CREDIT_RATINGS, EXPERT_SCORECARD_V1, WARNING_RULES_V1 } from '@xyd/shared';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { api, fail, ok } from './support/fakeApi';
import { userOf } from './support/fixtures';
import { fillIn, findPageTitle, renderConsole } from './support/render';

const trainedDocument: TScorecard = {
  ...EXPERT_SCORECARD_V1,
  name: '训练评分卡 2026Q1',
  kind: 'trained',
  training: {
    data: 'platform-outcomes-2026q1.csv',
    label: 'defaulted',
    goodValue: '0',
    rows: 8200,
    bads: 410,
    trainedAt: '2026-03-01T02:00:00.000Z',
    holdout: { auc: 0.802, ks: 0.461, gini: 0.604, psi: 0.012 },
    crossValidation: { folds: 5, repeats: 3, auc: 0.791, aucSd: 0.014, ks: 0.452, gini: 0.582 },
    bandBadRates: [{ rating: 'AAA', count: 900, badRate: 0.004 }],
    bandsMonotone: true,
  },
};

const active: TScorecardVersion = {
  id: '1',
  version: 1,
  name: '专家评分卡 V1',
  kind: 'expert',
  status: 'active',
  description: EXPERT_SCORECARD_V1.description,
  characteristics: EXPERT_SCORECARD_V1.characteristics.length,
  training: null,
  createdAt: '2026-01-01T02:00:00.000Z',
  activatedAt: '2026-01-01T02:00:00.000Z',
  scored: 12000,
};

const candidate: TScorecardVersion = {
  ...active,
  id: '2',
  version: 2,
  name: '训练评分卡 2026Q1',
  kind: 'trained',
  status: 'candidate',
  training: trainedDocument.training!,
  createdAt: '2026-03-02T02:00:00.000Z',
  activatedAt: null,
  scored: 11890,
};

const labels = [...CREDIT_RATINGS, '未评级'];
function comparison(overrides: Partial<TScorecardComparison> = {}): TScorecardComparison {
  const matrix = labels.map(() => labels.map(() => 0));
  matrix[2][2] = 50; // A → A
  matrix[2][3] = 5; // A → BBB
  matrix[4][5] = 3; // BB → B
  matrix[9][9] = 1;
  return {
    candidateId: '2',
    activeId: '1',
    enterprises: 59,
    migration: { ratings: labels, matrix },
    scorePsi: 0.083,
    inputPsi: [
      { feature: 'yearsEstablished', label: '成立年限', psi: 0.021 },
      { feature: 'utilityTrend', label: '用电量同比', psi: 0.318 },
      { feature: 'taxTrend', label: '纳税趋势', psi: null },
    ],
    outcomes: { labelled: 420, bads: 37, active: { auc: 0.712, ks: 0.33 }, candidate: { auc: 0.768, ks: 0.41 } },
    ...overrides,
  };
}

function fakeVersions(list: TScorecardVersion[] = [candidate, active]) {
  api.on('GET /api/v1/credit/scorecards', () => ok(list));
  api.on('GET /api/v1/credit/scorecards/:id', (req) =>
    req.params.id === '2' ? ok({ ...candidate, document: trainedDocument }) : ok({ ...active, document: EXPERT_SCORECARD_V1 }),
  );
}

function rowOf(name: string): HTMLElement {
  return screen.getAllByTestId('scorecard-row').find((r) => r.textContent?.includes(name))!;
}

function fileInput(): HTMLInputElement {
  return document.querySelector('input[type="file"]') as HTMLInputElement;
}

describe('scorecard management (评分卡管理)', () => {
  it('is for platform admins only', async () => {
    await renderConsole('/credit/scorecards', userOf('advisor'));
    expect(await findPageTitle('无权访问')).toBeInTheDocument();
    expect(api.callsTo('GET /api/v1/credit/scorecards')).toHaveLength(0);
  });

  it('lists the versions with status, size, coverage and training figures; only a candidate can be compared or activated', async () => {
    fakeVersions();
    await renderConsole('/credit/scorecards', userOf('platform_admin'));
    expect(await findPageTitle('评分卡管理')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('scorecard-row')).toHaveLength(2));

    const trained = rowOf('训练评分卡 2026Q1');
    expect(trained).toHaveTextContent('第 2 版');
    expect(trained).toHaveTextContent('训练评分卡');
    expect(within(trained).getByTestId('scorecard-status')).toHaveTextContent('候选（影子评分）');
    expect(trained).toHaveTextContent('21');
    expect(trained).toHaveTextContent('11,890');
    expect(within(trained).getByTestId('scorecard-metrics')).toHaveTextContent('AUC 0.791 · KS 0.452');
    expect(trained).toHaveTextContent('2026-03-02 10:00:00');
    expect(within(trained).getByTestId('scorecard-compare')).toBeInTheDocument();
    expect(within(trained).getByTestId('scorecard-activate')).toBeInTheDocument();

    const expert = rowOf('专家评分卡 V1');
    expect(within(expert).getByTestId('scorecard-status')).toHaveTextContent('生效中');
    expect(within(expert).getByTestId('scorecard-metrics')).toHaveTextContent('-');
    expect(within(expert).queryByTestId('scorecard-compare')).not.toBeInTheDocument();
    expect(within(expert).queryByTestId('scorecard-activate')).not.toBeInTheDocument();
  });

  it('opens a version’s document: scaling, bands, hard rules, characteristics with their bins and points, training', async () => {
    fakeVersions();
    await renderConsole('/credit/scorecards', userOf('platform_admin'));
    const user = userEvent.setup();
    await user.click(within(await waitFor(() => rowOf('训练评分卡 2026Q1'))).getByTestId('scorecard-open'));

    const detail = await screen.findByTestId('scorecard-detail');
    expect(api.callsTo('GET /api/v1/credit/scorecards/2')).toHaveLength(1);
    expect(within(detail).getByTestId('scorecard-scaling')).toHaveTextContent('600 分对应好坏比 50:1，每 20 分好坏比翻倍');
    expect(within(detail).getByTestId('scorecard-bands')).toHaveTextContent('AAA ≥ 750');
    expect(within(detail).getByTestId('scorecard-bands')).toHaveTextContent('C ≥ 378');
    const rules = within(detail).getAllByTestId('scorecard-rule');
    expect(rules).toHaveLength(3);
    expect(rules[0]).toHaveTextContent('不予评级');
    expect(rules[0]).toHaveTextContent('登记状态 为 吊销、注销 之一');
    expect(rules[1]).toHaveTextContent('评级上限 B');
    const blacklist = EXPERT_SCORECARD_V1.characteristics.find((c) => c.feature === 'blacklistActive')!.label;
    expect(rules[1]).toHaveTextContent(`当 ${blacklist} = 是`);

    const characteristics = within(detail).getAllByTestId('scorecard-characteristic');
    expect(characteristics).toHaveLength(EXPERT_SCORECARD_V1.characteristics.length);
    expect(characteristics[0]).toHaveTextContent('成立年限');
    expect(characteristics[0]).toHaveTextContent('yearsEstablished');
    expect(characteristics[0]).toHaveTextContent('基本信息');
    expect(within(characteristics[0]).getAllByTestId('scorecard-bin')[0]).toHaveTextContent('10 年及以上：46 分');
    expect(characteristics[0]).toHaveTextContent('其他取值：18 分');

    const training = within(detail).getByTestId('scorecard-training');
    expect(training).toHaveTextContent('platform-outcomes-2026q1.csv');
    expect(training).toHaveTextContent('8,200 行，坏样本 410');
    expect(training).toHaveTextContent('AUC 0.802 · KS 0.461 · Gini 0.604 · PSI 0.012');
    expect(training).toHaveTextContent('3 次重复 5 折：AUC 0.791 ± 0.014');
  });

  it('uploads a candidate from a version file, sending the parsed document', async () => {
    let list = [active];
    fakeVersions();
    api.on('GET /api/v1/credit/scorecards', () => ok(list));
    api.on('POST /api/v1/credit/scorecards', (req) => {
      list = [{ ...candidate, name: req.body.document.name }, active];
      return { status: 201, body: { success: true, data: { ...candidate, document: req.body.document } } };
    });
    await renderConsole('/credit/scorecards', userOf('platform_admin'));
    await waitFor(() => expect(screen.getAllByTestId('scorecard-row')).toHaveLength(1));

    const user = userEvent.setup();
    await user.upload(fileInput(), new File([JSON.stringify(trainedDocument)], 'version.json', { type: 'application/json' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/credit/scorecards')).toHaveLength(1));
    expect(api.callsTo('POST /api/v1/credit/scorecards')[0].body).toEqual({ document: JSON.parse(JSON.stringify(trainedDocument)) });
    expect(await screen.findByText('已上传候选版本“训练评分卡 2026Q1”（第 2 版），将以影子方式评分')).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId('scorecard-row')).toHaveLength(2));
  });

  it('refuses a file that is not JSON before sending, and shows why the server refuses a document', async () => {
    fakeVersions([active]);
    api.on(
      'POST /api/v1/credit/scorecards',
      fail(400, 'VALIDATION_FAILED', '请求参数有误', [{ field: 'document', message: '特征 foo 不是平台计算的特征' }]),
    );
    await renderConsole('/credit/scorecards', userOf('platform_admin'));
    await screen.findByTestId('scorecard-row');

    const user = userEvent.setup();
    await user.upload(fileInput(), new File(['{ not json'], 'broken.json', { type: 'application/json' }));
    expect(await screen.findByTestId('scorecard-upload-problem')).toHaveTextContent('文件不是有效的 JSON');
    expect(api.callsTo('POST /api/v1/credit/scorecards')).toHaveLength(0);

    await user.upload(fileInput(), new File([JSON.stringify({ ...trainedDocument, name: '坏版本' })], 'bad.json', { type: 'application/json' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/credit/scorecards')).toHaveLength(1));
    await waitFor(() => expect(screen.getByTestId('scorecard-upload-problem')).toHaveTextContent('特征 foo 不是平台计算的特征'));
    // The global handler shows it as well.
    await waitFor(() => expect(screen.getAllByText('特征 foo 不是平台计算的特征').length).toBeGreaterThan(1));
  });

  it('activates a candidate only after confirming that everything will be rescored', async () => {
    let list = [candidate, active];
    fakeVersions();
    api.on('GET /api/v1/credit/scorecards', () => ok(list));
    api.on('POST /api/v1/credit/scorecards/:id/activate', () => {
      list = [{ ...candidate, status: 'active', activatedAt: '2026-03-10T02:00:00.000Z' }, { ...active, status: 'retired' }];
      return ok({ ...list[0], document: trainedDocument });
    });
    await renderConsole('/credit/scorecards', userOf('platform_admin'));

    const user = userEvent.setup();
    await user.click(within(await waitFor(() => rowOf('训练评分卡 2026Q1'))).getByTestId('scorecard-activate'));
    const confirm = await screen.findByRole('tooltip');
    expect(confirm).toHaveTextContent('启用后将全量重新评分');
    expect(api.callsTo('POST /api/v1/credit/scorecards/2/activate')).toHaveLength(0);

    await user.click(within(confirm).getByRole('button', { name: '确认启用' }));
    await waitFor(() => expect(api.callsTo('POST /api/v1/credit/scorecards/2/activate')).toHaveLength(1));
    expect(await screen.findByText('已启用“训练评分卡 2026Q1”，正在全量重新评分')).toBeInTheDocument();
    await waitFor(() => expect(within(rowOf('训练评分卡 2026Q1')).getByTestId('scorecard-status')).toHaveTextContent('生效中'));
    expect(within(rowOf('专家评分卡 V1')).getByTestId('scorecard-status')).toHaveTextContent('已停用');
  });

  it('compares a candidate with the active version: migration matrix, PSI with drifting inputs marked, outcomes', async () => {
    fakeVersions();
    api.on('GET /api/v1/credit/scorecards/:id/comparison', ok(comparison()));
    await renderConsole('/credit/scorecards', userOf('platform_admin'));

    const user = userEvent.setup();
    await user.click(within(await waitFor(() => rowOf('训练评分卡 2026Q1'))).getByTestId('scorecard-compare'));
    const view = await screen.findByTestId('comparison');
    expect(api.callsTo('GET /api/v1/credit/scorecards/2/comparison')).toHaveLength(1);
    expect(within(view).getByTestId('comparison-enterprises')).toHaveTextContent('59 家');
    expect(within(view).getByTestId('comparison-score-psi')).toHaveTextContent('0.083');
    expect(within(view).getByTestId('comparison-score-psi')).toHaveAttribute('data-level', 'stable');

    const matrix = within(view).getAllByTestId('migration-row');
    expect(matrix.map((r) => r.getAttribute('data-rating'))).toEqual(labels);
    const cells = (rating: string) => within(matrix[labels.indexOf(rating)]).getAllByTestId('migration-cell').map((c) => c.textContent);
    expect(cells('A')).toEqual(['0', '0', '50', '5', '0', '0', '0', '0', '0', '0']);
    expect(cells('BB')[5]).toBe('3');
    expect(cells('未评级')[9]).toBe('1');
    expect(matrix[labels.indexOf('A')]).toHaveTextContent('55');
    expect(within(view).getByRole('columnheader', { name: '生效版本 \\ 候选版本' })).toBeInTheDocument();

    const psi = (feature: string) => within(within(view).getAllByTestId('input-psi-row').find((r) => r.getAttribute('data-feature') === feature)!).getByTestId('input-psi');
    expect(psi('yearsEstablished')).toHaveAttribute('data-level', 'stable');
    expect(psi('utilityTrend')).toHaveAttribute('data-level', 'alert');
    expect(psi('utilityTrend')).toHaveTextContent('0.318（显著偏移）');
    expect(psi('taxTrend')).toHaveTextContent('-');

    const outcomes = within(view).getByTestId('comparison-outcomes');
    expect(outcomes).toHaveTextContent('生效版本0.7120.330');
    expect(outcomes).toHaveTextContent('候选版本0.7680.410');
    expect(outcomes).toHaveTextContent('按 420 家有实际结果的企业（其中违约 37 家）计算');
  });

  it('says when there are no outcomes yet to measure the versions on', async () => {
    fakeVersions();
    api.on('GET /api/v1/credit/scorecards/:id/comparison', ok(comparison({ outcomes: { labelled: 3, bads: 0, active: null, candidate: null } })));
    await renderConsole('/credit/scorecards', userOf('platform_admin'));
    await userEvent.setup().click(within(await waitFor(() => rowOf('训练评分卡 2026Q1'))).getByTestId('scorecard-compare'));
    expect(await screen.findByTestId('comparison-no-outcomes')).toHaveTextContent('暂无实际结果');
    expect(screen.queryByTestId('comparison-outcomes')).not.toBeInTheDocument();
  });

  describe('预警规则', () => {
    const sets = (doc: TWarningRules = WARNING_RULES_V1) => [
      { id: '11', version: 2, active: true, createdAt: '2026-02-01T02:00:00.000Z', document: doc },
      { id: '10', version: 1, active: false, createdAt: '2026-01-01T02:00:00.000Z', document: { ...WARNING_RULES_V1, name: '预警规则 V0' } },
    ];

    async function openRulesTab() {
      fakeVersions();
      await renderConsole('/credit/scorecards', userOf('platform_admin'));
      await userEvent.setup().click(await screen.findByTestId('tab-warning-rules'));
    }

    it('shows the thresholds in force and the versions', async () => {
      api.on('GET /api/v1/credit/warning-rules', ok(sets({ ...WARNING_RULES_V1, enabled: { ...WARNING_RULES_V1.enabled, utility_drop: false } })));
      await openRulesTab();
      const thresholds = await screen.findByTestId('warning-thresholds');
      expect(thresholds).toHaveTextContent('预警规则 V1');
      expect(thresholds).toHaveTextContent('90 天内的记录');
      expect(thresholds).toHaveTextContent('一般及以上');
      expect(thresholds).toHaveTextContent('最近一月低于上年同月的 60%');
      expect(thresholds).toHaveTextContent('下调 2 档及以上');
      const enabled = within(thresholds).getAllByTestId('warning-rule-enabled');
      expect(enabled).toHaveLength(11);
      expect(enabled.find((t) => t.textContent?.startsWith('用电量骤降'))).toHaveAttribute('data-enabled', 'false');
      expect(enabled.find((t) => t.textContent?.startsWith('用电量骤降'))).toHaveTextContent('用电量骤降（停用）');
      expect(screen.getByText('当前生效：第 2 版')).toBeInTheDocument();
      const rows = screen.getAllByTestId('warning-rules-row');
      expect(rows.map((r) => r.getAttribute('data-active'))).toEqual(['true', 'false']);
      expect(rows[1]).toHaveTextContent('预警规则 V0');
    });

    it('publishes a new version edited from the one in force', async () => {
      let current = sets();
      api.on('GET /api/v1/credit/warning-rules', () => ok(current));
      api.on('POST /api/v1/credit/warning-rules', (req) => {
        current = [{ id: '12', version: 3, active: true, createdAt: '2026-03-01T02:00:00.000Z', document: req.body }, ...current.map((s) => ({ ...s, active: false }))];
        return ok(current);
      });
      await openRulesTab();

      const user = userEvent.setup();
      await user.click(await screen.findByTestId('warning-rules-edit'));
      const dialog = await screen.findByRole('dialog');
      const editor = within(dialog).getByTestId('warning-rules-json') as HTMLTextAreaElement;
      expect(JSON.parse(editor.value)).toEqual(WARNING_RULES_V1);

      fillIn(editor, '{ "format": ');
      await user.click(within(dialog).getByRole('button', { name: '发布并立即生效' }));
      expect(await within(dialog).findByTestId('warning-rules-problem')).toHaveTextContent('JSON 格式有误');
      expect(api.callsTo('POST /api/v1/credit/warning-rules')).toHaveLength(0);

      const next = { ...WARNING_RULES_V1, name: '预警规则 V3', ratingDownNotches: 1 };
      fillIn(editor, JSON.stringify(next, null, 2));
      await user.click(within(dialog).getByRole('button', { name: '发布并立即生效' }));
      await waitFor(() => expect(api.callsTo('POST /api/v1/credit/warning-rules')).toHaveLength(1));
      expect(api.callsTo('POST /api/v1/credit/warning-rules')[0].body).toEqual(next);
      expect(await screen.findByText('已发布预警规则第 3 版，立即生效')).toBeInTheDocument();
      await waitFor(() => expect(screen.getByText('当前生效：第 3 版')).toBeInTheDocument());
      expect(screen.getByTestId('warning-thresholds')).toHaveTextContent('下调 1 档及以上');
    });

    it('keeps the editor open with the server’s reason when it refuses the document', async () => {
      api.on('GET /api/v1/credit/warning-rules', ok(sets()));
      api.on('POST /api/v1/credit/warning-rules', fail(400, 'VALIDATION_FAILED', '请求参数有误', [{ field: 'utilityDropRatio', message: '用电量下降阈值应小于 1' }]));
      await openRulesTab();
      const user = userEvent.setup();
      await user.click(await screen.findByTestId('warning-rules-edit'));
      const dialog = await screen.findByRole('dialog');
      fillIn(within(dialog).getByTestId('warning-rules-json'), JSON.stringify({ ...WARNING_RULES_V1, utilityDropRatio: 1.5 }));
      await user.click(within(dialog).getByRole('button', { name: '发布并立即生效' }));
      expect(await within(dialog).findByTestId('warning-rules-problem')).toHaveTextContent('用电量下降阈值应小于 1');
      expect(screen.getByRole('dialog')).toBeInTheDocument();
    });
  });
});
