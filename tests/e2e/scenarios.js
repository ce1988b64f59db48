'use strict';
/**
 * The browser scenarios: an enterprise binds itself in the H5 mini-program, the region's advisor approves it in
 * the console, the enterprise sees the result and the message, and a bank user is kept out of the queue; then the
 * platform admin registers a tax data source, imports a CSV with two bad rows and reads the error report, and the
 * enterprise finds the imported records under 我的数据; last, an imported penalty warns the advisor and lowers the
 * firm's score, the firm disputes it, the advisor upholds the dispute and the score is restored.
 *
 * Selectors are the apps' data-testids first; where an app has none, a text/role-based locator stands in
 * (see the README beside this file for the testids the suite would like added).
 */
const fs = require('node:fs');
const path = require('node:path');
const { eventually, assert, STEP_TIMEOUT_MS } = require('./lib/harness');
const { licencePng } = require('./lib/png');

const H5_TOKEN_KEY = 'xyd.session.token';
const H5_HOME = '#/pages/index/index';
const H5_BIND = '#/subpackages/enterprise/bind/index';
const H5_PROGRESS = '#/subpackages/enterprise/progress/index';
const H5_MESSAGES = '#/pages/messages/index';
const H5_MINE = '#/pages/mine/index';
const H5_MY_DATA = '#/subpackages/enterprise/data/index';
const H5_CREDIT_PROFILE = '#/subpackages/credit/profile/index';
const H5_DISPUTE_FORM = '#/subpackages/credit/dispute/index';
const H5_MY_DISPUTES = '#/subpackages/credit/disputes/index';
const H5_NEED_FORM = '#/subpackages/finance/need-form/index';
const H5_NEED = '#/subpackages/finance/need/index';
const H5_APPLICATION = '#/subpackages/finance/application/index';

/** Console errors, page errors and failed API calls of every page, for failure reports. */
function createEventLog() {
  const entries = [];
  const started = Date.now();
  function instrument(page, label) {
    const add = (kind, text) => entries.push({ t: Date.now() - started, label, kind, text: String(text).split('\n')[0].slice(0, 300) });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') add(`console.${m.type()}`, m.text());
    });
    page.on('pageerror', (e) => add('pageerror', e.message));
    page.on('requestfailed', (r) => add('requestfailed', `${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
    page.on('response', (r) => {
      if (r.status() >= 400 && r.url().includes('/api/')) add('http', `${r.status()} ${r.request().method()} ${r.url()}`);
    });
    return page;
  }
  function report(labels, max = 25) {
    const picked = entries.filter((e) => labels.includes(e.label)).slice(-max);
    if (!picked.length) return '';
    return `browser events (${labels.join(', ')}):\n${picked.map((e) => `  +${(e.t / 1000).toFixed(1)}s [${e.label}] ${e.kind}: ${e.text}`).join('\n')}`;
  }
  return { instrument, report, entries };
}

let loads = 0;
/** Opens an H5 page as a fresh document load (a bare hash change to the current URL would not reload it). */
async function openH5(page, base, hash) {
  loads += 1;
  await page.goto(`${base}/h5/?load=${loads}${hash}`);
}

/** The first visible match: Taro keeps earlier pages of the stack in the DOM, hidden. */
function visible(locator) {
  return locator.filter({ visible: true }).first();
}

/** A Taro <Input>: the testid sits on the taro-input-core host, the real <input> is inside. */
function h5Input(page, testId, name) {
  return visible(
    page.locator(`[data-testid="${testId}"] input, input[data-testid="${testId}"]`).or(page.locator(`input[name="${name}"]`)),
  );
}

async function expectText(locator, expected, what, timeout = STEP_TIMEOUT_MS) {
  return eventually(
    async () => {
      const text = ((await locator.textContent({ timeout: 2_000 })) || '').trim();
      const ok = expected instanceof RegExp ? expected.test(text) : text.includes(expected);
      if (!ok) throw new Error(`${what} reads "${text}"`);
      return text;
    },
    { timeout, message: `${what} to show ${expected}` },
  );
}

/** The mini-program's session token, as Taro's H5 storage keeps it (`{"data": …}` JSON in localStorage). */
async function h5Token(page) {
  const raw = await page.evaluate((key) => window.localStorage.getItem(key), H5_TOKEN_KEY);
  if (!raw) return '';
  try {
    const parsed = JSON.parse(raw);
    return typeof parsed === 'string' ? parsed : parsed && typeof parsed.data === 'string' ? parsed.data : '';
  } catch {
    return raw;
  }
}

/**
 * A call from inside the page: with the console's cookie, or with a mini-program bearer token; `json` is sent as
 * the request body. From the page, so the server's same-origin guard sees the browser's own Origin.
 */
async function pageApi(page, url, { method = 'GET', bearer, json } = {}) {
  return page.evaluate(
    async ({ url, method, bearer, json }) => {
      const headers = bearer ? { Authorization: `Bearer ${bearer}` } : {};
      if (json !== undefined) headers['Content-Type'] = 'application/json';
      const res = await fetch(url, { method, headers, credentials: 'same-origin', body: json === undefined ? undefined : JSON.stringify(json) });
      let body = null;
      try {
        body = await res.json();
      } catch {
        // not JSON
      }
      return { status: res.status, body };
    },
    { url, method, bearer, json },
  );
}

/** A GET from inside the page answering text (a template, a file): status, content type and the text. */
async function pageText(page, url) {
  return page.evaluate(async (url) => {
    const res = await fetch(url, { credentials: 'same-origin' });
    return { status: res.status, type: res.headers.get('content-type') || '', text: await res.text() };
  }, url);
}

async function consoleSignIn(page, base, user, password) {
  await page.goto(`${base}/admin/`);
  await page.waitForURL(/\/admin\/login/, { timeout: STEP_TIMEOUT_MS });
  const username = page.getByTestId('login-username').or(page.getByPlaceholder('用户名')).first();
  await username.waitFor();
  await username.fill(user.username);
  await page.getByTestId('login-password').or(page.getByPlaceholder('密码')).first().fill(password);
  await page.getByTestId('login-submit').or(page.getByRole('button', { name: '登录' })).first().click();
  await page.waitForURL((url) => !url.pathname.startsWith('/admin/login'), { timeout: STEP_TIMEOUT_MS });
  await expectText(page.getByTestId('current-user'), user.displayName, 'the signed-in user in the header');
}

function menuItem(page, name) {
  return page.getByRole('menuitem', { name, exact: false });
}

/** Opens a console page through the side menu: the group first when the entry sits in a closed one. */
async function openFromMenu(page, group, entry, pathname) {
  const item = menuItem(page, entry).first();
  if (group) {
    await menuItem(page, group).first().waitFor();
    if (!(await item.isVisible())) await menuItem(page, group).first().click();
  }
  await item.click();
  await page.waitForURL((url) => url.pathname.replace(/\/$/, '') === pathname);
}

/**
 * Ticks a checkbox or radio and makes sure it shows ticked. On a busy machine a click on an antd checkbox can land
 * while its group re-renders and be lost ("did not change its state"): then it is read again and, if still not
 * ticked, clicked again, at most three times.
 */
async function tick(box) {
  for (let attempt = 1; ; attempt++) {
    try {
      await box.check();
      return;
    } catch (error) {
      if (attempt >= 3 || !/did not change its state/.test(String(error))) throw error;
    }
    if (await box.isChecked()) return;
  }
}

/** Picks an option of an antd Select (optionally typing into its search first) and waits for it to show as chosen. */
async function pickOption(page, combobox, optionText, { search } = {}) {
  // The chosen value's label lies over the input: open the dropdown from the select's box.
  await combobox.locator('xpath=ancestor::div[contains(concat(" ", @class, " "), " ant-select-selector ")][1]').click();
  if (search) await combobox.fill(search);
  const option = page
    .locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option')
    .filter({ hasText: optionText })
    .first();
  await option.click();
  // Wait for the dropdown to be gone: a closing one still matches the locator above for the next pick.
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').first().waitFor({ state: 'hidden' });
}

const TAX_HEADER = ['统一社会信用代码', '记录编号', '所属期', '实缴税额（元）', '申报营业收入（元）', '欠税金额（元）', '纳税信用级别'];

function csvCell(value) {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 text: quoted cells with doubled quotes, CRLF or LF line ends; a leading BOM is dropped. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (quoted) {
      if (ch === '"' && body[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && body[i + 1] === '\n') i += 1;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

/**
 * A 纳税 import file of 20 rows: three months for the bound enterprise, one month for 15 other Hangzhou firms, and
 * two rows (of two more firms) with a bad amount each. Answers the UTF-8-with-BOM CSV text, what the bound
 * enterprise should show, and the bad rows as the error report should list them (行号 = the row's line in the file).
 */
function taxImportFile(enterpriseUscc, otherUsccs) {
  if (otherUsccs.length < 17) throw new Error(`only ${otherUsccs.length} other Hangzhou enterprises in the demo seed; the file needs 17`);
  const own = [
    [enterpriseUscc, 'E2E-TAX-0001', '2025-07', '32,108.00', '1,190,500.00', '0', 'A'],
    [enterpriseUscc, 'E2E-TAX-0002', '2025-08', '33,950.25', '1,236,000.00', '0', 'A'],
    [enterpriseUscc, 'E2E-TAX-0003', '2025-09', '35,210.50', '1,280,000.00', '0', 'A'],
  ];
  // Amounts with thousands separators, so those cells are quoted in the CSV.
  const yuan = (whole) => `${whole.toLocaleString('en-US')}.00`;
  const others = otherUsccs.slice(0, 15).map((uscc, i) => [
    uscc,
    `E2E-TAX-${String(101 + i).padStart(4, '0')}`,
    '2025-09',
    yuan(8_000 + i * 731),
    yuan(260_000 + i * 12_500),
    '0',
    i % 3 === 0 ? 'B' : 'A',
  ]);
  const badRows = [
    // A typed letter O instead of a zero.
    { cells: [otherUsccs[15], 'E2E-TAX-0901', '2025-09', '12,3O0.00', '400,000.00', '0', 'B'], label: '实缴税额（元）', value: '12,3O0.00', reason: '应为金额' },
    { cells: [otherUsccs[16], 'E2E-TAX-0902', '2025-09', '6,500.00', '-86000.00', '0', 'A'], label: '申报营业收入（元）', value: '-86000.00', reason: '不能为负数' },
  ];
  const data = [...own, ...others];
  // Bad rows in the middle of the file, not at its ends: data rows 6 and 14 (lines 7 and 15).
  data.splice(5, 0, badRows[0].cells);
  data.splice(13, 0, badRows[1].cells);
  const bad = badRows.map((b) => ({ ...b, line: data.indexOf(b.cells) + 2 }));
  const text = `\uFEFF${[TAX_HEADER, ...data].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
  return {
    text,
    rows: data.length,
    bad,
    enterprise: { periods: own.map((r) => r[2]), latest: { period: own[2][2], taxPaid: `¥${own[2][3]}`, creditLevel: own[2][6] } },
  };
}

/** A calendar day in Asia/Shanghai (the platform's day), `days` from today. */
function shanghaiDay(days = 0) {
  return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A 行政处罚 import of one 较重 penalty for the bound enterprise, decided ten days ago (inside the warning rules'
 * 90-day look-back and the scorecard's 12-month window). The columns are the template's own header, as the console
 * offers it for download, so a renamed column fails here rather than in a silent empty cell.
 */
function penaltyImportFile(templateHeader, enterpriseUscc) {
  const decidedOn = shanghaiDay(-10);
  const penalty = {
    externalId: 'E2E-PEN-0001',
    decisionNo: `杭市监处罚〔${decidedOn.slice(0, 4)}〕E2E-07号`,
    cause: '未按规定公示年度报告，经责令限期改正逾期未改正',
    amount: '30,000.00',
    decidedBy: '杭州市市场监督管理局',
    decidedOn,
  };
  const cells = {
    统一社会信用代码: enterpriseUscc,
    记录编号: penalty.externalId,
    行政处罚决定书文号: penalty.decisionNo,
    处罚事由: penalty.cause,
    处罚种类: '罚款',
    '处罚金额（元）': penalty.amount,
    严重程度: '较重',
    处罚决定日期: penalty.decidedOn,
    处罚机关: penalty.decidedBy,
    是否已信用修复: '否',
    信用修复日期: '',
  };
  const missing = Object.keys(cells).filter((label) => !templateHeader.includes(label));
  if (missing.length) throw new Error(`the 行政处罚 template has no column ${missing.join('、')}: ${JSON.stringify(templateHeader)}`);
  const row = templateHeader.map((label) => cells[label] ?? '');
  const text = `\uFEFF${[templateHeader, row].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
  return { text, penalty };
}

/**
 * @param {object} env
 * @param {import('playwright-core').Browser} env.browser
 * @param {string} env.base           server origin
 * @param {object} env.demo           { password, users: {advisor, bank_officer}, enterprise, badUscc }
 * @param {string} env.tmpDir         for the licence file
 * @param {ReturnType<import('./lib/harness').createHarness>} env.harness
 */
async function runScenarios({ browser, base, demo, tmpDir, harness }) {
  const events = createEventLog();
  const ent = demo.enterprise;
  const licencePath = path.join(tmpDir, 'licence.png');
  fs.writeFileSync(licencePath, licencePng());

  const newContext = async (options) => {
    const context = await browser.newContext({ locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    return context;
  };

  // Scenario 1 and 3 share this context: the same browser storage, so the same WeChat (development) user.
  const entContext = await newContext({ viewport: { width: 414, height: 896 }, deviceScaleFactor: 1 });
  const entPage = events.instrument(await entContext.newPage(), 'h5');
  const shared = { token: '', verificationId: '', secret: '' };

  const S1 = '1 enterprise binds in the H5 mini-program';
  const S2 = '2 advisor approves in the console';
  const S3 = '3 enterprise sees 已通过 and the message';
  const S4 = '4 bank user is refused the verification queue';

  await harness.scenario(S1, { diagnostics: () => events.report(['h5']) }, async ({ step, usePage }) => {
    usePage(entPage);
    const page = entPage;
    const submissions = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/verifications') submissions.push(r.url());
    });

    await step('open /h5/ and get signed in', async () => {
      await page.goto(`${base}/h5/`);
      shared.token = await eventually(async () => (await h5Token(page)) || false, {
        message: `a session token in storage (${H5_TOKEN_KEY})`,
      });
      const me = await pageApi(page, '/api/v1/auth/me', { bearer: shared.token });
      assert(me.status === 200 && me.body?.data?.kind === 'wechat', `GET /api/v1/auth/me answered ${me.status} ${JSON.stringify(me.body)}`);
      await visible(page.getByTestId('home-bind-button').or(page.getByText('立即绑定企业'))).waitFor();
    });

    await step('open the bind form', async () => {
      await visible(page.getByTestId('home-bind-button').or(page.getByText('立即绑定企业'))).click();
      await page.waitForURL((url) => url.hash.startsWith(H5_BIND));
      await h5Input(page, 'bind-uscc', 'uscc').waitFor();
    });

    const usccInput = h5Input(page, 'bind-uscc', 'uscc');
    const usccError = visible(page.getByTestId('bind-uscc-error'));
    const submitButton = visible(page.getByTestId('bind-submit').or(page.getByText('提交认证', { exact: true })));

    await step('a bad USCC (check character changed) is refused with 校验位 and nothing is submitted', async () => {
      await usccInput.fill(demo.badUscc);
      await h5Input(page, 'bind-enterprise-name', 'enterpriseName').fill(ent.name);
      await h5Input(page, 'bind-legal-rep-name', 'legalRepName').fill(ent.legalRepName);
      await h5Input(page, 'bind-legal-rep-id', 'legalRepIdNumber').fill(ent.legalRepIdNumber);
      const owner = visible(page.getByTestId('bind-role-owner').or(page.getByText('法定代表人', { exact: true })));
      await owner.click();
      await eventually(async () => ((await owner.getAttribute('data-selected')) ?? 'true') === 'true', {
        message: 'the 法定代表人 role to be selected (data-selected)',
      });
      // Everything else is valid, licence included, so only the code can be the reason for the refusal.
      const [chooser] = await Promise.all([
        page.waitForEvent('filechooser'),
        visible(page.getByTestId('bind-licence').or(page.getByText('上传营业执照'))).click(),
      ]);
      await chooser.setFiles(licencePath);
      await visible(page.getByTestId('bind-licence-preview').or(page.getByText('重新选择'))).waitFor();

      await submitButton.click();
      const message = await expectText(usccError, '校验位', 'the USCC field error');
      assert(submissions.length === 0, `the form was submitted anyway (${submissions.length} POST /api/v1/verifications)`);
      assert(page.url().includes(H5_BIND), `left the bind form for ${page.url()}`);
      const mine = await pageApi(page, '/api/v1/verifications/mine', { bearer: shared.token });
      assert(mine.status === 200, `GET /api/v1/verifications/mine answered ${mine.status}`);
      assert(Array.isArray(mine.body?.data) && mine.body.data.length === 0, `a verification exists after the refusal: ${JSON.stringify(mine.body?.data)}`);
      await usccError.scrollIntoViewIfNeeded();
      return `message: ${message}`;
    });

    await step('the good data with a PNG licence is accepted; the progress page shows 审核中', async () => {
      await usccInput.fill(ent.uscc);
      await eventually(async () => (await usccError.count()) === 0, { message: 'the USCC error to clear after correcting the code' });
      const responsePromise = page.waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/verifications',
      );
      await submitButton.click();
      let response;
      try {
        response = await responsePromise;
      } catch (error) {
        const csp = events.entries.some((e) => e.label === 'h5' && /Content Security Policy|\bcsp\b/i.test(e.text));
        throw new Error(
          `no answer to POST /api/v1/verifications after 提交认证 (${submissions.length} sent): ${error.message.split('\n')[0]}` +
            (csp
              ? ". The browser's Content-Security-Policy blocked the H5 upload from reading the chosen file's blob: URL " +
                "(Taro.uploadFile fetches it with XHR): the server's connect-src needs 'blob:'"
              : '; see the browser events below'),
        );
      }
      const body = await response.json().catch(() => null);
      assert(response.ok() && body?.success, `POST /api/v1/verifications answered ${response.status()} ${JSON.stringify(body)}`);
      shared.verificationId = String(body.data.id);
      await page.waitForURL((url) => url.hash.startsWith(H5_PROGRESS));
      const status = visible(page.getByTestId('verification-status'));
      await expectText(status, '审核中', 'the verification status on the progress page');
    });
  });

  let advisorContext;
  await harness.scenario(S2, { dependsOn: [S1], diagnostics: () => events.report(['advisor']) }, async ({ step, usePage }) => {
    advisorContext = await newContext({ viewport: { width: 1366, height: 900 } });
    const page = events.instrument(await advisorContext.newPage(), 'advisor');
    usePage(page);

    await step('the advisor signs in with username and password', async () => {
      await consoleSignIn(page, base, demo.users.advisor, demo.password);
    });

    const row = page.getByTestId('verification-row').filter({ hasText: ent.uscc });
    await step('open the verification queue', async () => {
      await menuItem(page, '企业认证审核').click();
      await page.waitForURL((url) => url.pathname.replace(/\/$/, '') === '/admin/verifications');
      await expectText(page.getByTestId('page-title').first(), '企业认证审核', 'the page title');
      await row.first().waitFor();
      const statusAttr = await row.first().getAttribute('data-status');
      assert(statusAttr === null || statusAttr === 'pending', `the request's row has data-status=${statusAttr}`);
    });

    await step('open the request', async () => {
      await row.first().getByTestId('verification-link').or(row.first().getByRole('link', { name: ent.name })).first().click();
      await page.waitForURL((url) => /^\/admin\/verifications\/[^/]+$/.test(url.pathname));
      const id = page.url().split('/').pop().split(/[?#]/)[0];
      assert(!shared.verificationId || id === shared.verificationId, `opened /verifications/${id}, expected ${shared.verificationId}`);
      await expectText(page.getByTestId('verification-status'), '审核中', 'the request status');
      await page.getByRole('img', { name: '营业执照' }).or(page.getByTestId('licence-image')).first().waitFor();
    });

    await step('click 通过 (confirming if asked); the status becomes 已通过', async () => {
      await page.getByTestId('approve-button').or(page.getByRole('button', { name: '通过', exact: true })).first().click();
      const confirm = page.locator(
        '.ant-modal-confirm .ant-btn-primary, .ant-popconfirm .ant-btn-primary, .ant-modal-footer .ant-btn-primary',
      );
      await eventually(
        async () => {
          if (await visible(confirm).isVisible()) await visible(confirm).click({ timeout: 2_000 });
          const text = ((await page.getByTestId('verification-status').textContent({ timeout: 2_000 })) || '').trim();
          if (text !== '已通过') throw new Error(`the status reads "${text}"`);
        },
        { message: 'the status to become 已通过' },
      );
      const id = shared.verificationId || page.url().split('/').pop();
      const detail = await pageApi(page, `/api/v1/verifications/${id}`);
      assert(detail.status === 200 && detail.body?.data?.status === 'approved', `GET /api/v1/verifications/${id} answered ${detail.status} ${JSON.stringify(detail.body?.data?.status)}`);
    });
  });

  await harness.scenario(S3, { dependsOn: [S2], diagnostics: () => events.report(['h5']) }, async ({ step, usePage }) => {
    const page = entPage;
    usePage(page);

    await step('the progress page shows 已通过', async () => {
      await openH5(page, base, H5_PROGRESS);
      const status = visible(page.getByTestId('verification-status'));
      await eventually(
        async () => {
          const text = ((await status.textContent({ timeout: 5_000 })) || '').trim();
          if (text === '已通过') return true;
          await page.reload();
          throw new Error(`the status reads "${text}"`);
        },
        { interval: 500, message: 'the progress page to show 已通过' },
      );
    });

    await step('the home page shows the bound enterprise', async () => {
      await openH5(page, base, H5_HOME);
      const card = visible(page.getByTestId('enterprise-card').filter({ hasText: ent.name }));
      await card.waitFor();
    });

    await step('the message centre shows a message whose title contains 认证', async () => {
      const tab = visible(page.locator('.weui-tabbar__item').filter({ hasText: '消息' }));
      if (await tab.isVisible()) {
        await tab.click();
        await page.waitForURL((url) => url.hash.startsWith(H5_MESSAGES));
      } else {
        await openH5(page, base, H5_MESSAGES);
      }
      // The outbox dispatcher delivers in-app messages every ~2 s: reload until it has.
      const items = page.getByTestId('message-item').filter({ visible: true });
      const title = await eventually(
        async () => {
          await visible(items.or(page.getByTestId('messages-empty'))).waitFor({ timeout: 10_000 });
          const titles = await items.evaluateAll((nodes) =>
            nodes.map((n) => (n.querySelector('[data-testid="message-title"], .message__title')?.textContent || '').trim()),
          );
          const match = titles.find((t) => t.includes('认证'));
          if (match) return match;
          await page.reload();
          throw new Error(`titles so far: ${JSON.stringify(titles)}`);
        },
        { interval: 1_000, message: 'a message titled …认证… in the message centre' },
      );
      const api = await pageApi(page, '/api/v1/messages?current=1&pageSize=20', { bearer: await h5Token(page) });
      assert(api.status === 200, `GET /api/v1/messages answered ${api.status}`);
      assert(api.body.data.list.some((m) => m.title.includes('认证')), `GET /api/v1/messages has no 认证 title: ${JSON.stringify(api.body.data.list.map((m) => m.title))}`);
      return `message: ${title}`;
    });
  });

  await harness.scenario(S4, { diagnostics: () => events.report(['bank']) }, async ({ step, usePage }) => {
    const context = await newContext({ viewport: { width: 1366, height: 900 } });
    const page = events.instrument(await context.newPage(), 'bank');
    usePage(page);

    await step('the bank user signs in', async () => {
      await consoleSignIn(page, base, demo.users.bank_officer, demo.password);
      await menuItem(page, '工作台').first().waitFor();
      assert((await menuItem(page, '企业认证审核').count()) === 0, 'the menu offers 企业认证审核 to a bank user');
    });

    await step('navigating to the verification queue shows a no-permission page', async () => {
      await page.goto(`${base}/admin/verifications`);
      const denied = page
        .getByTestId('no-permission')
        .or(page.locator('.ant-result').filter({ hasText: /403|无权/ }))
        .first();
      await denied.waitFor();
      await expectText(denied, /403|无权/, 'the no-permission page');
      assert((await page.getByTestId('verification-row').count()) === 0, 'the queue rows rendered for a bank user');
      assert(
        (await page.getByTestId('approve-button').count()) === 0,
        'an approve button rendered for a bank user',
      );
    });

    await step('GET /api/v1/verifications from this session answers 403', async () => {
      const res = await pageApi(page, '/api/v1/verifications?current=1&pageSize=20');
      assert(res.status === 403, `answered ${res.status} ${JSON.stringify(res.body)}`);
      assert(res.body?.errorCode === 'FORBIDDEN', `errorCode is ${res.body?.errorCode}`);
      const byId = await pageApi(page, `/api/v1/verifications/${shared.verificationId || '1'}`);
      assert([403, 404].includes(byId.status), `GET /api/v1/verifications/:id answered ${byId.status}`);
    }, { screenshot: false });
  });

  const S5 = '5 platform admin imports tax data with an error report';
  const S6 = '6 enterprise sees its tax records in 我的数据';
  const imported = { sourceName: '杭州市税务局纳税数据（E2E）', file: null, enterpriseId: '', source: null };
  // The platform admin's console page, signed in by 5 and used again by 7.
  let adminPage = null;

  await harness.scenario(S5, { dependsOn: [S3], diagnostics: () => events.report(['admin']) }, async ({ step, usePage }) => {
    const context = await newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
    const page = events.instrument(await context.newPage(), 'admin');
    usePage(page);
    adminPage = page;
    const organisation = '杭州市发展和改革委员会';
    const csvName = 'hz-tax-2025q3.csv';
    const csvPath = path.join(tmpDir, csvName);
    let source = null;
    let batchId = '';

    await step('the platform admin signs in', async () => {
      await consoleSignIn(page, base, demo.users.admin, demo.password);
      // The file's other rows are Hangzhou firms of the seed, as this admin sees them in 企业库.
      const list = await pageApi(page, '/api/v1/enterprises?current=1&pageSize=100&regionCode=330100');
      assert(list.status === 200, `GET /api/v1/enterprises answered ${list.status} ${JSON.stringify(list.body)}`);
      const others = list.body.data.list.map((e) => e.uscc).filter((uscc) => uscc !== ent.uscc);
      imported.file = taxImportFile(ent.uscc, others);
      fs.writeFileSync(csvPath, imported.file.text, 'utf8');
      return `${imported.file.rows} rows written to ${csvName}, bad lines ${imported.file.bad.map((b) => b.line).join(' and ')}`;
    });

    const dialog = page.getByRole('dialog', { name: '新建数据源' });
    await step('on 数据源管理 fill 新建数据源: the organisation, 纳税, region 330100', async () => {
      await openFromMenu(page, '数据汇聚', '数据源管理', '/admin/data/sources');
      await expectText(page.getByTestId('page-title').first(), '数据源管理', 'the page title');
      await page.getByTestId('source-create').or(page.getByRole('button', { name: '新建数据源' })).first().click();
      await dialog.waitFor();
      await pickOption(page, dialog.getByRole('combobox', { name: '所属机构', exact: true }), organisation, { search: organisation });
      await dialog.getByLabel('数据源名称', { exact: true }).fill(imported.sourceName);
      const regions = dialog.getByRole('combobox', { name: '覆盖区域', exact: true });
      await regions.click();
      await regions.fill('330100');
      await regions.press('Enter');
      await dialog.locator('.ant-select-selection-item').filter({ hasText: '330100' }).first().waitFor();
      // Clicking the checkbox also closes the region dropdown.
      await tick(dialog.getByRole('checkbox', { name: '纳税', exact: true }));
      await expectText(dialog.locator('.ant-select-selection-item').first(), organisation, 'the chosen organisation');
    });

    await step('submit: the source is created and its secret shown once (dsk_…)', async () => {
      const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/data-sources');
      await dialog.locator('.ant-modal-footer .ant-btn-primary').click();
      const response = await created;
      const body = await response.json().catch(() => null);
      assert(response.status() === 201 && body?.success, `POST /api/v1/data-sources answered ${response.status()} ${JSON.stringify(body)}`);
      source = body.data.source;
      imported.source = source;
      assert(source.name === imported.sourceName, `the source was created as "${source.name}"`);
      assert(JSON.stringify(source.categories) === '["tax"]', `the source's categories are ${JSON.stringify(source.categories)}`);
      assert(JSON.stringify(source.regionCodes) === '["330100"]', `the source's regions are ${JSON.stringify(source.regionCodes)}`);
      assert(source.organisationName === organisation, `the source belongs to ${source.organisationName}`);
      const modal = page.getByTestId('secret-modal');
      await modal.waitFor();
      const secret = ((await page.getByTestId('secret-value').textContent()) || '').trim();
      assert(/^dsk_[A-Za-z0-9_-]{20,}$/.test(secret), `the secret reads "${secret.slice(0, 12)}…"`);
      await expectText(page.getByTestId('secret-key-id'), source.keyId, 'the key id in the modal');
      await expectText(page.getByTestId('secret-warning'), '关闭后将无法再次查看', 'the one-time warning');
      shared.secret = secret;
      return `key id ${source.keyId}`;
    });

    await step('close the secret modal: the source is listed and the secret is gone', async () => {
      const modal = page.getByTestId('secret-modal');
      await page.getByTestId('secret-close').click();
      await modal.waitFor({ state: 'detached' });
      const row = page.getByTestId('source-row').filter({ hasText: imported.sourceName });
      await row.first().waitFor();
      await expectText(row.first(), organisation, 'the new source row');
      assert((await page.getByText(shared.secret).count()) === 0, 'the secret is still on the page after closing the modal');
    });

    await step('on 数据导入 pick the source and 纳税, upload the CSV', async () => {
      await openFromMenu(page, '数据汇聚', '数据导入', '/admin/data/imports');
      await expectText(page.getByTestId('page-title').first(), '数据导入', 'the page title');
      const sourceSelect = page.getByRole('combobox', { name: '选择数据源', exact: true });
      await pickOption(page, sourceSelect, imported.sourceName);
      await pickOption(page, page.getByRole('combobox', { name: '选择数据类别', exact: true }), /^纳税$/);
      await eventually(async () => (await page.getByTestId('import-upload').isEnabled()) === true, {
        message: 'the upload button to be enabled once source and category are chosen',
      });
      const started = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/ingest-batches');
      await page.locator('input[type=file]').setInputFiles(csvPath);
      const response = await started;
      const body = await response.json().catch(() => null);
      assert(response.status() === 201 && body?.success, `POST /api/v1/ingest-batches answered ${response.status()} ${JSON.stringify(body)}`);
      batchId = String(body.data.id);
      assert(body.data.sourceId === source.id && body.data.category === 'tax', `the batch is for source ${body.data.sourceId}, ${body.data.category}`);
      await page.getByTestId('batch-row').filter({ hasText: csvName }).first().waitFor();
    });

    await step('the batch runs to 100% and shows 已完成 (the list polls)', async () => {
      const row = page.getByTestId('batch-row').filter({ hasText: csvName }).first();
      const seen = [];
      const settled = await eventually(
        async () => {
          const status = await row.getAttribute('data-status', { timeout: 2_000 });
          const bar = row.getByRole('progressbar');
          const percent = (await bar.count()) ? Number(await bar.first().getAttribute('aria-valuenow', { timeout: 1_000 })) : null;
          const state = percent === null ? status : `${status} ${percent}%`;
          if (seen[seen.length - 1] !== state) seen.push(state);
          return status === 'done' || status === 'failed' ? status : false;
        },
        { interval: 100, message: `the batch row of ${csvName} to finish` },
      );
      assert(settled === 'done', `the batch failed: ${((await row.textContent()) || '').trim()}`);
      await expectText(row.getByTestId('batch-status'), '已完成', 'the batch status');
      const percents = seen.map((s) => /(\d+)%$/.exec(s)?.[1]).filter(Boolean).map(Number);
      assert(percents.every((p, i) => p >= 0 && p <= 100 && (i === 0 || p >= percents[i - 1])), `the progress went ${seen.join(' → ')}`);
      // A finished import keeps its bar at 100%.
      const finalBar = row.getByRole('progressbar');
      const finalPercent = (await finalBar.count()) ? Number(await finalBar.first().getAttribute('aria-valuenow', { timeout: 2_000 })) : null;
      assert(finalPercent === 100, `the finished batch's progress bar shows ${finalPercent}%`);
      const batch = await pageApi(page, `/api/v1/ingest-batches/${batchId}`);
      assert(batch.status === 200, `GET /api/v1/ingest-batches/${batchId} answered ${batch.status}`);
      const b = batch.body.data;
      const n = imported.file.rows;
      assert(b.status === 'done' && b.totalRows === n && b.rowsDone === n, `the batch read ${b.rowsDone} of ${b.totalRows} rows (${b.status})`);
      assert(b.counts.received === n && b.counts.accepted === n - 2 && b.counts.rejected === 2, `the batch counts are ${JSON.stringify(b.counts)}`);
      await expectText(row.getByTestId('batch-counts-cell'), `${n} / ${n - 2} / 2`, 'the counts column');
      return `progress seen: ${seen.join(' → ')}; ${b.rowsDone}/${b.totalRows} rows = 100%`;
    });

    await step('the batch detail lists the 2 bad rows; the CSV error report downloads with their reasons', async () => {
      await page.getByTestId('batch-row').filter({ hasText: csvName }).first().getByTestId('batch-detail-open').click();
      const detail = page.getByTestId('batch-detail');
      await detail.waitFor();
      await expectText(detail.getByTestId('batch-count-accepted'), String(imported.file.rows - 2), 'the 新增入库 count');
      await expectText(detail.getByTestId('batch-count-rejected'), '2', 'the 拒收 count');
      await eventually(async () => (await detail.getByTestId('row-error').count()) === 2, { message: 'two rows in the 逐行错误 table' });
      const previews = await detail.getByTestId('row-error').allTextContents();
      for (const bad of imported.file.bad) {
        // The drawer numbers rows as the report does: the line in the file.
        assert(
          previews.some((t) => t.includes(String(bad.line)) && t.includes(bad.label) && t.includes(bad.value)),
          `逐行错误 has no line ${bad.line} ${bad.label}「${bad.value}」: ${JSON.stringify(previews)}`,
        );
      }
      const [download] = await Promise.all([page.waitForEvent('download'), detail.getByTestId('error-report-csv').click()]);
      const failure = await download.failure();
      assert(!failure, `the download failed: ${failure}`);
      assert(/^错误报告-.*\.csv$/.test(download.suggestedFilename()), `the report is named "${download.suggestedFilename()}"`);
      const reportPath = path.join(tmpDir, 'error-report.csv');
      await download.saveAs(reportPath);
      const bytes = fs.readFileSync(reportPath);
      assert(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'the report does not start with a UTF-8 BOM');
      const [header, ...lines] = parseCsv(bytes.toString('utf8')).filter((r) => r.some((c) => c !== ''));
      assert(JSON.stringify(header) === JSON.stringify(['行号', '字段', '填写值', '原因']), `the report header is ${JSON.stringify(header)}`);
      assert(lines.length === 2, `the report has ${lines.length} rows: ${JSON.stringify(lines)}`);
      for (const bad of imported.file.bad) {
        const line = lines.find((l) => l[0] === String(bad.line));
        assert(line, `the report has no row for line ${bad.line}: ${JSON.stringify(lines)}`);
        const [, label, value, reason] = line;
        assert(label === bad.label, `line ${bad.line}'s field is "${label}", expected ${bad.label}`);
        assert(value.replace(/^['\t]/, '') === bad.value, `line ${bad.line}'s value is "${value}", expected ${bad.value}`);
        assert(reason.includes(bad.reason), `line ${bad.line}'s reason "${reason}" does not say ${bad.reason}`);
      }
      return lines.map((l) => `第 ${l[0]} 行 ${l[1]}「${l[2]}」：${l[3]}`).join('; ');
    });

    await step('企业库 → the bound enterprise: the 信用数据 card lists its tax records from the file', async () => {
      await page.keyboard.press('Escape'); // close the drawer
      await openFromMenu(page, null, '企业库', '/admin/enterprises');
      await page.getByLabel('关键字', { exact: true }).fill(ent.uscc);
      await page.getByRole('button', { name: /查\s*询/ }).click();
      const rows = page.getByTestId('enterprise-row');
      await eventually(async () => (await rows.count()) === 1 && ((await rows.first().textContent()) || '').includes(ent.uscc), {
        message: `企业库 to list only ${ent.uscc}`,
      });
      await rows.first().getByTestId('enterprise-link').click();
      await page.waitForURL((url) => /^\/admin\/enterprises\/[^/]+$/.test(url.pathname));
      imported.enterpriseId = page.url().split('/').pop().split(/[?#]/)[0];
      const { periods, latest } = imported.file.enterprise;
      await expectText(page.getByTestId('credit-tab-tax'), `纳税（${periods.length}）`, 'the 纳税 tab');
      const records = page.getByTestId('credit-record-row');
      await eventually(async () => (await records.count()) === periods.length, { message: `${periods.length} rows in the 信用数据 card` });
      const newest = records.filter({ hasText: latest.period }).first();
      await expectText(newest, latest.taxPaid, `the ${latest.period} record`);
      await expectText(newest, imported.sourceName, `the ${latest.period} record's source`);
      const texts = await records.allTextContents();
      for (const period of periods) assert(texts.some((t) => t.includes(period)), `no record for ${period}: ${JSON.stringify(texts)}`);
      await records.first().scrollIntoViewIfNeeded();
    });
  });

  await harness.scenario(S6, { dependsOn: [S5], diagnostics: () => events.report(['h5']) }, async ({ step, usePage }) => {
    const page = entPage;
    usePage(page);
    const { periods, latest } = imported.file.enterprise;

    await step('open 我的 → 我的数据', async () => {
      const tab = visible(page.locator('.weui-tabbar__item').filter({ hasText: '我的' }));
      if (await tab.isVisible()) {
        await tab.click();
        await page.waitForURL((url) => url.hash.startsWith(H5_MINE));
      } else {
        await openH5(page, base, H5_MINE);
      }
      await visible(page.getByTestId('mine-menu-my-data').or(page.getByText('我的数据', { exact: true }))).click();
      await page.waitForURL((url) => url.hash.startsWith(H5_MY_DATA));
      await expectText(visible(page.getByTestId('my-data-enterprise-name')), ent.name, 'the enterprise on 我的数据');
    });

    await step('the 纳税 tab lists the imported records with their source', async () => {
      const tab = visible(page.locator('[data-testid="my-data-tab"][data-category="tax"]'));
      await expectText(tab, `纳税（${periods.length}）`, 'the 纳税 tab');
      if ((await tab.getAttribute('data-active')) !== 'true') await tab.click();
      await eventually(async () => (await tab.getAttribute('data-active')) === 'true', { message: 'the 纳税 tab to be active' });
      const cards = page.getByTestId('credit-record').filter({ visible: true });
      await eventually(async () => (await cards.count()) === periods.length, { message: `${periods.length} record cards` });
      const shownPeriods = await cards.evaluateAll((nodes) =>
        nodes.map((n) => (n.querySelector('[data-testid="credit-record-period"]')?.textContent || '').trim()),
      );
      assert(JSON.stringify([...shownPeriods].sort()) === JSON.stringify([...periods].sort()), `the cards show periods ${JSON.stringify(shownPeriods)}`);
      const sources = await cards.evaluateAll((nodes) =>
        nodes.map((n) => (n.querySelector('[data-testid="credit-record-source"]')?.textContent || '').trim()),
      );
      assert(sources.every((s) => s.includes(`来源：${imported.sourceName}`)), `the cards' sources read ${JSON.stringify(sources)}`);
      const newest = cards.filter({ hasText: latest.period }).first();
      await expectText(newest, latest.taxPaid, `the ${latest.period} card`);
      const api = await pageApi(page, `/api/v1/me/enterprises/${imported.enterpriseId}/credit-records?category=tax&page=1&pageSize=20`, {
        bearer: await h5Token(page),
      });
      assert(api.status === 200 && api.body.data.total === periods.length, `GET …/me/enterprises/:id/credit-records answered ${api.status} ${JSON.stringify(api.body?.data?.total)}`);
      return `periods ${shownPeriods.join(', ')}; ${sources[0]}`;
    });
  });

  const S7 = '7 a penalty import warns the advisor, lowers the score, and an upheld dispute restores it';
  /** 征信业管理条例 art. 25: the 20 days a dispute is answered in, as both sides' clocks count them. */
  const DISPUTE_DAYS = 20;
  const credit = {
    sourceName: '杭州市市场监管行政处罚数据（E2E）',
    reason: '该处罚决定已被行政复议决定撤销，附复议决定书照片',
    note: '经向处罚机关核实，该处罚决定已被复议撤销，异议成立',
    baseline: null,
    lowered: null,
    penalty: null,
    recordId: '',
    disputeId: '',
  };

  await harness.scenario(S7, { dependsOn: [S6], diagnostics: () => events.report(['h5', 'admin', 'advisor']) }, async ({ step, usePage }) => {
    const h5 = entPage;
    usePage(h5);
    const enterpriseId = imported.enterpriseId;
    const csvName = 'hz-penalty-e2e.csv';
    const csvPath = path.join(tmpDir, csvName);
    let token = '';
    let penaltySource = null;
    let advisorPage = null;

    const myProfile = async () => {
      const res = await pageApi(h5, `/api/v1/me/enterprises/${enterpriseId}/credit`, { bearer: token });
      assert(res.status === 200, `GET /api/v1/me/enterprises/${enterpriseId}/credit answered ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.data;
    };
    const feature = (profile, name) => profile.features.find((f) => f.feature === name)?.value ?? null;
    const penaltyCount = (profile) => profile.recordCounts.find((c) => c.category === 'penalty')?.count ?? 0;
    const isPenaltyReason = (reason) => ['penaltyWeight', 'seriousPenalties24m'].includes(reason.feature);
    /** The figure of the 行政处罚 line of 信用画像's 数据记录 (the line also holds tags such as 不良 1). */
    const penaltyCountOnPage = () => {
      const line = visible(h5.locator('[data-testid="credit-record-count"][data-category="penalty"]'));
      return line.getByTestId('credit-record-count-value').or(line.locator('.credit-count__value')).first();
    };
    const disputeRow = (page) =>
      page
        .locator(`[data-testid="dispute-row"][data-id="${credit.disputeId}"]`)
        .or(page.getByTestId('dispute-row').filter({ hasText: credit.reason }))
        .first();

    await step("record the firm's score once it has read 5's tax import", async () => {
      token = await h5Token(h5);
      assert(token, `no H5 session token in storage (${H5_TOKEN_KEY})`);
      const { creditLevel } = imported.file.enterprise.latest;
      // Scoring follows the change feed every few seconds: wait for the score that has read the imported tax records.
      const profile = await eventually(
        async () => {
          const p = await myProfile();
          if (!p.score) throw new Error('no score yet');
          const level = feature(p, 'taxCreditLevel');
          if (level !== creditLevel) throw new Error(`the score's 纳税信用级别 is ${level}, not yet the imported ${creditLevel}`);
          return p;
        },
        { interval: 500, message: `a score of ${ent.name} that has read the imported tax records` },
      );
      assert(penaltyCount(profile) === 0 && feature(profile, 'penaltyWeight') === 0, `the firm has penalties already: ${JSON.stringify(profile.recordCounts)}`);
      credit.baseline = { score: profile.score.score, rating: profile.score.rating };
      return `score ${profile.score.score}, rating ${profile.score.rating ?? '不予评级'}`;
    }, { screenshot: false });

    await step('the platform admin registers a 行政处罚 source for 330100 and fills the template with one 较重 penalty', async () => {
      usePage(adminPage);
      const created = await pageApi(adminPage, '/api/v1/data-sources', {
        method: 'POST',
        json: { organisationId: imported.source.organisationId, name: credit.sourceName, categories: ['penalty'], regionCodes: ['330100'] },
      });
      assert(created.status === 201 && created.body?.success, `POST /api/v1/data-sources answered ${created.status} ${JSON.stringify(created.body)}`);
      penaltySource = created.body.data.source;
      assert(JSON.stringify(penaltySource.categories) === '["penalty"]', `the source's categories are ${JSON.stringify(penaltySource.categories)}`);
      const template = await pageText(adminPage, '/api/v1/credit-data/templates/penalty?format=csv');
      assert(template.status === 200 && template.type.startsWith('text/csv'), `the 行政处罚 template answered ${template.status} ${template.type}`);
      const [header] = parseCsv(template.text);
      const file = penaltyImportFile(header.map((h) => h.trim()), ent.uscc);
      credit.penalty = file.penalty;
      fs.writeFileSync(csvPath, file.text, 'utf8');
      return `source ${penaltySource.name} (key ${penaltySource.keyId}); ${file.penalty.decisionNo}, decided ${file.penalty.decidedOn}; columns ${header.join('、')}`;
    }, { screenshot: false });

    await step('on 数据导入 pick the source and 行政处罚, upload the file; the batch shows 已完成 with the row accepted', async () => {
      const page = adminPage;
      await openFromMenu(page, '数据汇聚', '数据导入', '/admin/data/imports');
      await expectText(page.getByTestId('page-title').first(), '数据导入', 'the page title');
      await pickOption(page, page.getByRole('combobox', { name: '选择数据源', exact: true }), credit.sourceName);
      await pickOption(page, page.getByRole('combobox', { name: '选择数据类别', exact: true }), /^行政处罚$/);
      await eventually(async () => (await page.getByTestId('import-upload').isEnabled()) === true, {
        message: 'the upload button to be enabled once source and category are chosen',
      });
      const started = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/ingest-batches');
      await page.locator('input[type=file]').setInputFiles(csvPath);
      const response = await started;
      const body = await response.json().catch(() => null);
      assert(response.status() === 201 && body?.success, `POST /api/v1/ingest-batches answered ${response.status()} ${JSON.stringify(body)}`);
      const batchId = String(body.data.id);
      assert(body.data.sourceId === penaltySource.id && body.data.category === 'penalty', `the batch is for source ${body.data.sourceId}, ${body.data.category}`);
      const row = page.getByTestId('batch-row').filter({ hasText: csvName }).first();
      const settled = await eventually(
        async () => {
          const status = await row.getAttribute('data-status', { timeout: 2_000 });
          return status === 'done' || status === 'failed' ? status : false;
        },
        { interval: 200, message: `the batch row of ${csvName} to finish` },
      );
      assert(settled === 'done', `the batch failed: ${((await row.textContent()) || '').trim()}`);
      await expectText(row.getByTestId('batch-status'), '已完成', 'the batch status');
      await expectText(row.getByTestId('batch-counts-cell'), '1 / 1 / 0', 'the counts column');
      const batch = await pageApi(page, `/api/v1/ingest-batches/${batchId}`);
      const counts = batch.body?.data?.counts;
      assert(batch.status === 200 && counts?.received === 1 && counts.accepted === 1 && counts.rejected === 0, `the batch counts are ${JSON.stringify(counts)}`);
      // The record as the platform holds it: the warning and the dispute point at its id.
      const records = await pageApi(page, `/api/v1/enterprises/${enterpriseId}/credit-records?category=penalty&page=1&pageSize=20`);
      assert(records.status === 200 && records.body.data.total === 1, `GET …/enterprises/:id/credit-records?category=penalty answered ${records.status} ${JSON.stringify(records.body?.data?.total)}`);
      const record = records.body.data.list[0];
      assert(record.payload.severity === 'serious' && record.occurredOn === credit.penalty.decidedOn, `the record reads ${JSON.stringify(record.payload)} on ${record.occurredOn}`);
      credit.recordId = record.id;
      return `batch ${batchId}, record ${record.id}`;
    });

    await step('the advisor signs in; 信用服务 → 风险预警 lists 新增行政处罚 for the enterprise, with the record as evidence', async () => {
      const context = await newContext({ viewport: { width: 1366, height: 900 } });
      advisorPage = events.instrument(await context.newPage(), 'advisor');
      usePage(advisorPage);
      const page = advisorPage;
      await consoleSignIn(page, base, demo.users.advisor, demo.password);
      await openFromMenu(page, '信用服务', '风险预警', '/admin/credit/warnings');
      await expectText(page.getByTestId('page-title').first(), '风险预警', 'the page title');
      // Narrowed by 预警规则, not by 关键字: the keyword query of GET /api/v1/credit/warnings fails on the server as
      // this is written (its SQL names the table credit_warnings where Sequelize aliases it CreditWarning).
      await pickOption(page, page.getByRole('combobox', { name: '预警规则', exact: true }), '新增行政处罚');
      const rows = page.getByTestId('warning-row').filter({ hasText: ent.name });
      const penaltyRow = rows
        .filter({ has: page.locator('[data-testid="warning-rule"][data-rule="penalty"]') })
        .or(rows.filter({ hasText: '新增行政处罚' }))
        .first();
      // The warning is raised with the score, seconds after the import: query the table until its row is there.
      await eventually(
        async () => {
          const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/credit/warnings', { timeout: 5_000 }).catch(() => null);
          await page.getByRole('button', { name: /查\s*询/ }).click({ timeout: 2_000 });
          // A failed query leaves the previous rows on screen: only a row from a good answer counts.
          const response = await answered;
          if (!response) throw new Error('the table did not query /api/v1/credit/warnings');
          if (!response.ok()) throw new Error(`GET ${new URL(response.url()).search} answered ${response.status()}`);
          if (!new URL(response.url()).searchParams.get('rule')) throw new Error('the query went out without the 预警规则 filter');
          await penaltyRow.waitFor({ timeout: 1_500 });
        },
        { interval: 1_000, message: `a 新增行政处罚 warning row for ${ent.name}` },
      );
      await expectText(penaltyRow, '新增较重行政处罚', 'the warning row');
      assert((await penaltyRow.getAttribute('data-status')) === 'open', `the warning row has data-status=${await penaltyRow.getAttribute('data-status')}`);
      const severity = await penaltyRow.getByTestId('warning-severity').getAttribute('data-severity');
      assert(severity === 'high', `a 较重 penalty's warning has severity ${severity}`);
      await penaltyRow.getByRole('button', { name: /展开/ }).click();
      const evidence = page.getByTestId('warning-evidence-item').filter({ hasText: credit.penalty.decisionNo }).first();
      await evidence.waitFor();
      await expectText(evidence, '行政处罚', 'the evidence record');
      // Raised once for this cause: the list of every status holds one penalty warning for the firm.
      const api = await pageApi(page, `/api/v1/credit/warnings?current=1&pageSize=20&rule=penalty&enterpriseId=${enterpriseId}`);
      assert(api.status === 200, `GET /api/v1/credit/warnings answered ${api.status} ${JSON.stringify(api.body)}`);
      const list = api.body.data.list;
      assert(list.length === 1, `the penalty raised ${list.length} warnings: ${JSON.stringify(list.map((w) => w.title))}`);
      assert(list[0].evidence.some((e) => e.recordId === credit.recordId), `the warning's evidence is ${JSON.stringify(list[0].evidence)}`);
      return `${list[0].title}：${list[0].detail}`;
    });

    await step('in /h5 信用画像 (from the home page) shows the lower score with a 处罚 reason', async () => {
      usePage(h5);
      // Warning and score commit together, so the lower score is there; the page is opened once the API has it.
      const lowered = await eventually(
        async () => {
          const p = await myProfile();
          const weight = feature(p, 'penaltyWeight');
          if (!p.score || !(weight > 0)) throw new Error(`the score has not read the penalty (行政处罚加权分 ${weight})`);
          return p;
        },
        { interval: 500, message: 'the score to read the penalty' },
      );
      assert(lowered.score.score < credit.baseline.score, `the score went from ${credit.baseline.score} to ${lowered.score.score}, not lower`);
      assert(lowered.score.reasons.some(isPenaltyReason), `no penalty among the reasons: ${JSON.stringify(lowered.score.reasons.map((r) => r.label))}`);
      credit.lowered = { score: lowered.score.score, rating: lowered.score.rating };

      await openH5(h5, base, H5_HOME);
      await visible(h5.getByTestId('home-credit-profile').or(h5.getByText('评分、评级与改进建议'))).click();
      await h5.waitForURL((url) => url.hash.startsWith(H5_CREDIT_PROFILE));
      await expectText(visible(h5.getByTestId('credit-enterprise-name')), ent.name, 'the enterprise on 信用画像');
      await expectText(visible(h5.getByTestId('credit-score')), String(credit.lowered.score), 'the score on 信用画像');
      await expectText(visible(h5.getByTestId('credit-rating')), credit.lowered.rating ?? '不予评级', 'the rating on 信用画像');
      await expectText(penaltyCountOnPage(), '1 条', 'the 行政处罚 count on 信用画像');
      const reasons = h5.getByTestId('credit-reason').filter({ visible: true });
      await eventually(async () => (await reasons.count()) > 0, { message: 'the reasons list' });
      const shown = await reasons.evaluateAll((nodes) => nodes.map((n) => ({ feature: n.getAttribute('data-feature'), text: (n.textContent || '').trim() })));
      const penaltyReason = shown.find((r) => isPenaltyReason(r) || /处罚/.test(r.text));
      assert(penaltyReason && /处罚/.test(penaltyReason.text), `the reasons list does not mention 处罚: ${JSON.stringify(shown.map((r) => r.text.slice(0, 30)))}`);
      await visible(h5.getByTestId('credit-reason').filter({ hasText: '处罚' })).scrollIntoViewIfNeeded();
      return `score ${credit.baseline.score} → ${credit.lowered.score} (${credit.baseline.rating} → ${credit.lowered.rating}); reason: ${penaltyReason.text.slice(0, 40)}`;
    });

    await step(`我的数据 → 行政处罚: 提出异议 with a reason and a photo; 我的异议 shows it 处理中, 剩余 ${DISPUTE_DAYS} 天`, async () => {
      await openH5(h5, base, H5_MINE);
      await visible(h5.getByTestId('mine-menu-my-data').or(h5.getByText('我的数据', { exact: true }))).click();
      await h5.waitForURL((url) => url.hash.startsWith(H5_MY_DATA));
      const tab = visible(h5.locator('[data-testid="my-data-tab"][data-category="penalty"]'));
      await expectText(tab, '行政处罚（1）', 'the 行政处罚 tab');
      if ((await tab.getAttribute('data-active')) !== 'true') await tab.click();
      await eventually(async () => (await tab.getAttribute('data-active')) === 'true', { message: 'the 行政处罚 tab to be active' });
      const card = visible(
        h5.locator(`[data-testid="credit-record"][data-id="${credit.recordId}"]`).or(h5.getByTestId('credit-record').filter({ hasText: credit.penalty.decisionNo })),
      );
      await expectText(card, credit.penalty.decisionNo, 'the penalty card');
      await card.getByTestId('credit-record-dispute').or(card.getByText('提出异议', { exact: true })).first().click();
      await h5.waitForURL((url) => url.hash.startsWith(H5_DISPUTE_FORM));
      await expectText(visible(h5.getByTestId('dispute-record')), credit.penalty.decisionNo, 'the record on the dispute form');

      await visible(h5.locator('[data-testid="dispute-reason"] textarea, textarea[data-testid="dispute-reason"]').or(h5.locator('textarea[name="reason"]'))).fill(credit.reason);
      const [chooser] = await Promise.all([
        h5.waitForEvent('filechooser'),
        visible(h5.getByTestId('dispute-evidence').or(h5.getByText('上传照片', { exact: true }))).click(),
      ]);
      await chooser.setFiles(licencePath);
      await visible(h5.getByTestId('dispute-evidence-preview')).waitFor();
      const disputesPath = `/api/v1/me/enterprises/${enterpriseId}/credit/disputes`;
      const raised = h5.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === disputesPath);
      await visible(h5.getByTestId('dispute-submit').or(h5.getByText('提交异议', { exact: true }))).click();
      const response = await raised;
      const body = await response.json().catch(() => null);
      assert(response.status() === 201 && body?.success, `POST ${disputesPath} answered ${response.status()} ${JSON.stringify(body)}`);
      const dispute = body.data;
      credit.disputeId = String(dispute.id);
      assert(dispute.recordId === credit.recordId && dispute.status === 'open', `the dispute is ${dispute.status} on record ${dispute.recordId}`);
      assert(dispute.evidenceFileId, 'the dispute was filed without its photo');

      await h5.waitForURL((url) => url.hash.startsWith(H5_MY_DISPUTES));
      const item = visible(h5.locator(`[data-testid="dispute-item"][data-id="${credit.disputeId}"]`));
      await expectText(item.getByTestId('dispute-status'), '处理中', 'the dispute status on 我的异议');
      await expectText(item.getByTestId('dispute-clock'), `剩余 ${DISPUTE_DAYS} 天`, 'the dispute clock on 我的异议');
      await expectText(item.getByTestId('dispute-reason-text'), credit.reason, 'the dispute reason on 我的异议');
      const records = await pageApi(h5, `/api/v1/me/enterprises/${enterpriseId}/credit-records?category=penalty&page=1&pageSize=20`, { bearer: token });
      const record = records.body?.data?.list?.find((r) => r.id === credit.recordId);
      assert(record?.disputed === true, `the record is not marked as disputed: ${JSON.stringify(record)}`);
      return `dispute ${credit.disputeId}, due ${dispute.dueOn}`;
    });

    await step(`the advisor opens 信用服务 → 异议处理: the dispute is listed with its record, photo and ${DISPUTE_DAYS}-day clock`, async () => {
      usePage(advisorPage);
      const page = advisorPage;
      await openFromMenu(page, '信用服务', '异议处理', '/admin/credit/disputes');
      await expectText(page.getByTestId('page-title').first(), '异议处理', 'the page title');
      const row = disputeRow(page);
      await row.waitFor();
      assert((await row.getAttribute('data-status')) === 'open', `the dispute row has data-status=${await row.getAttribute('data-status')}`);
      for (const text of [ent.name, '行政处罚', credit.penalty.decisionNo, credit.sourceName, credit.reason]) await expectText(row, text, 'the dispute row');
      await expectText(row.getByTestId('dispute-status'), '处理中', 'the dispute status');
      await expectText(row.getByTestId('dispute-clock'), `剩余 ${DISPUTE_DAYS} 天`, 'the dispute clock');
      await row.getByTestId('dispute-evidence').or(row.getByText('查看证明材料')).first().waitFor();
      const photo = await pageText(page, `/api/v1/credit/disputes/${credit.disputeId}/evidence`);
      assert(photo.status === 200 && photo.type.startsWith('image/png'), `the evidence answered ${photo.status} ${photo.type}`);
    });

    await step('处理 → 异议成立 with a note → 提交处理结果: the row shows the dispute upheld', async () => {
      const page = advisorPage;
      const row = disputeRow(page);
      await row.getByTestId('dispute-resolve').or(row.getByText('处理', { exact: true })).first().click();
      const dialog = page.getByRole('dialog', { name: /处理异议/ });
      await dialog.waitFor();
      await expectText(dialog.getByTestId('dispute-resolve-record'), credit.penalty.decisionNo, 'the record in the dialog');
      await tick(dialog.getByRole('radio', { name: '异议成立（撤回记录）' }));
      await dialog.locator('textarea[data-testid="dispute-resolve-note"]').or(dialog.getByRole('textbox', { name: '处理说明' })).first().fill(credit.note);
      const resolvePath = `/api/v1/credit/disputes/${credit.disputeId}/resolve`;
      const resolved = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === resolvePath);
      await dialog.getByRole('button', { name: '提交处理结果' }).click();
      const response = await resolved;
      const body = await response.json().catch(() => null);
      assert(response.status() === 200 && body?.data?.status === 'upheld', `POST ${resolvePath} answered ${response.status()} ${JSON.stringify(body)}`);
      await dialog.waitFor({ state: 'hidden' });
      // The list shows open disputes by default: the decided one leaves it and is found under 异议成立.
      await eventually(async () => (await disputeRow(page).count()) === 0, { message: 'the upheld dispute to leave the list of open ones' });
      await pickOption(page, page.getByRole('combobox', { name: '状态', exact: true }), '异议成立（记录已撤回）');
      await page.getByRole('button', { name: /查\s*询/ }).click();
      const upheld = disputeRow(page);
      await upheld.waitFor();
      await eventually(async () => (await upheld.getAttribute('data-status')) === 'upheld', { message: 'the dispute row to show data-status=upheld' });
      await expectText(upheld.getByTestId('dispute-status'), '异议成立（记录已撤回）', 'the dispute status');
      await expectText(upheld, credit.note, 'the resolution note');
      await expectText(upheld, demo.users.advisor.displayName, 'who resolved it');
      assert((await upheld.getByTestId('dispute-resolve').count()) === 0, 'a decided dispute still offers 处理');
    });

    await step('back in /h5 信用画像: the score of the first step again, the penalty withdrawn and no longer a reason', async () => {
      usePage(h5);
      // Rescoring is asynchronous: wait on the API, then check the page shows what it answers.
      const restored = await eventually(
        async () => {
          const p = await myProfile();
          if (p.score?.score !== credit.baseline.score || penaltyCount(p) !== 0) {
            throw new Error(`score ${p.score?.score} with ${penaltyCount(p)} current penalties`);
          }
          return p;
        },
        { interval: 500, message: `the score to be ${credit.baseline.score} again` },
      );
      assert(restored.score.rating === credit.baseline.rating, `the rating is ${restored.score.rating}, was ${credit.baseline.rating}`);
      assert(feature(restored, 'penaltyWeight') === 0, `行政处罚加权分 is ${feature(restored, 'penaltyWeight')}`);
      assert(!restored.score.reasons.some(isPenaltyReason), `a penalty is still among the reasons: ${JSON.stringify(restored.score.reasons.map((r) => r.label))}`);

      await openH5(h5, base, `${H5_CREDIT_PROFILE}?enterpriseId=${enterpriseId}`);
      await expectText(visible(h5.getByTestId('credit-score')), String(credit.baseline.score), 'the score on 信用画像');
      await expectText(penaltyCountOnPage(), '0 条', 'the 行政处罚 count on 信用画像');
      const texts = await h5.getByTestId('credit-reason').filter({ visible: true }).allTextContents();
      assert(!texts.some((t) => /处罚/.test(t)), `a 处罚 reason is still listed: ${JSON.stringify(texts.map((t) => t.slice(0, 30)))}`);

      // The history keeps the dip; the record stays in view, withdrawn.
      const history = await pageApi(h5, `/api/v1/me/enterprises/${enterpriseId}/credit/history`, { bearer: token });
      const scores = (history.body?.data?.points ?? []).map((p) => p.score);
      assert(scores.includes(credit.lowered.score) && scores[scores.length - 1] === credit.baseline.score, `the score history reads ${JSON.stringify(scores)}`);
      const records = await pageApi(h5, `/api/v1/me/enterprises/${enterpriseId}/credit-records?category=penalty&page=1&pageSize=20`, { bearer: token });
      const record = records.body?.data?.list?.find((r) => r.id === credit.recordId);
      assert(record?.status === 'withdrawn' && record.disputed === false, `the penalty record reads ${JSON.stringify(record && { status: record.status, disputed: record.disputed })}`);
      return `score ${credit.baseline.score} → ${credit.lowered.score} → ${restored.score.score}; history ${scores.join(' → ')}`;
    });

    await step('我的异议 shows the outcome and the note; the firm was told, and the warning was not raised again', async () => {
      await visible(h5.getByTestId('credit-disputes-link').or(h5.getByText('我的异议', { exact: true }))).click();
      await h5.waitForURL((url) => url.hash.startsWith(H5_MY_DISPUTES));
      const item = visible(h5.locator(`[data-testid="dispute-item"][data-id="${credit.disputeId}"]`));
      await expectText(item.getByTestId('dispute-status'), '异议成立（记录已撤回）', 'the dispute status on 我的异议');
      await expectText(item.getByTestId('dispute-resolution'), credit.note, 'the resolution on 我的异议');
      assert((await item.getByTestId('dispute-clock').count()) === 0, 'a decided dispute still shows its clock');
      // The outbox dispatcher delivers in-app messages every few seconds.
      const title = await eventually(
        async () => {
          const api = await pageApi(h5, '/api/v1/messages?current=1&pageSize=20', { bearer: token });
          const match = (api.body?.data?.list ?? []).map((m) => m.title).find((t) => t.includes('异议成立'));
          if (!match) throw new Error(`GET /api/v1/messages answered ${api.status}; no 异议成立 title yet`);
          return match;
        },
        { interval: 1_000, message: 'a message to the firm that its dispute was upheld' },
      );
      const warnings = await pageApi(advisorPage, `/api/v1/credit/warnings?current=1&pageSize=20&rule=penalty&enterpriseId=${enterpriseId}`);
      assert(warnings.status === 200 && warnings.body.data.total === 1, `the firm has ${warnings.body?.data?.total} penalty warnings after the dispute`);
      return `message: ${title}`;
    });
  });

  const S8 = '8 a bank publishes a product, the firm asks in one tap, the advisor reviews and releases, the firm sees reasons and a near miss';
  const finance = {
    productName: `钱塘E2E信用快贷${Date.now() % 100000}`,
    nearName: `钱塘E2E老字号贷${Date.now() % 100000}`,
    productId: '',
    nearId: '',
    needId: '',
    note: '已电话联系企业，确认用款计划',
    message: '建议优先申请钱塘E2E信用快贷',
  };

  await harness.scenario(S8, { dependsOn: [S3], diagnostics: () => events.report(['h5', 'bank', 'advisor8']) }, async ({ step, usePage }) => {
    const h5 = entPage;
    let bankPage = null;
    let advisorPage = null;
    let token = '';
    let enterpriseId = '';

    await step('the bank admin creates a product in 融资对接 → 金融产品 and publishes it (上架)', async () => {
      const context = await newContext({ viewport: { width: 1366, height: 900 } });
      bankPage = events.instrument(await context.newPage(), 'bank');
      usePage(bankPage);
      const page = bankPage;
      await consoleSignIn(page, base, demo.users.bank_admin, demo.password);
      await openFromMenu(page, '融资对接', '金融产品', '/admin/finance/products');
      await page.getByRole('button', { name: /新建产品/ }).click();
      const drawer = page.getByTestId('product-form').or(page.locator('.ant-drawer-content')).first();
      await drawer.getByLabel('产品名称').fill(finance.productName);
      await pickOption(page, drawer.getByRole('combobox', { name: '产品类型' }), /^信用贷款$/);
      await drawer.getByLabel('最低额度（万元）').fill('10');
      await drawer.getByLabel('最高额度（万元）').fill('500');
      await drawer.getByLabel('最短期限（个月）').fill('6');
      await drawer.getByLabel('最长期限（个月）').fill('36');
      await drawer.getByLabel('最低年利率（%）').fill('3.45');
      await drawer.getByLabel('最高年利率（%）').fill('5.8');
      await tick(drawer.getByRole('checkbox', { name: '信用', exact: true }));
      await tick(drawer.getByRole('checkbox', { name: '先息后本', exact: true }));
      await drawer.getByLabel('办结时限（工作日，自受理起）').fill('3');
      const created = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/products');
      await page.getByRole('button', { name: /保\s*存/ }).click();
      const response = await created;
      const body = await response.json().catch(() => null);
      assert(response.status() === 201 && body?.data?.status === 'draft', `POST /api/v1/products answered ${response.status()} ${JSON.stringify(body)}`);
      finance.productId = String(body.data.id);
      assert(body.data.amountMinFen === 10_000_000 && body.data.rateMinBp === 345, `the form sent ${body.data.amountMinFen} fen and ${body.data.rateMinBp} bp`);
      await page.waitForURL((url) => url.pathname === `/admin/finance/products/${finance.productId}`);
      await page.getByTestId('product-move-published').click();
      const moved = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/products/${finance.productId}/status`);
      await page.getByRole('button', { name: '确认上架' }).click();
      const move = await moved;
      assert(move.status() === 200, `POST …/status answered ${move.status()}`);
      await expectText(page.getByTestId('product-status'), '已上架', 'the product status');
      // A second product the firm cannot yet meet (50 years established): the near miss.
      const near = await pageApi(page, '/api/v1/products', {
        method: 'POST',
        json: {
          terms: {
            name: finance.nearName,
            type: 'credit',
            amountMinFen: 100_000_00,
            amountMaxFen: 5_000_000_00,
            termMinMonths: 6,
            termMaxMonths: 36,
            rateMinBp: 320,
            rateMaxBp: 500,
            guaranteeMethods: ['credit'],
            repaymentMethods: ['interest_first'],
            turnaroundDays: 5,
            criteria: { minYearsEstablished: 50 },
          },
        },
      });
      assert(near.status === 201, `POST /api/v1/products (near miss) answered ${near.status} ${JSON.stringify(near.body)}`);
      finance.nearId = String(near.body.data.id);
      const published = await pageApi(page, `/api/v1/products/${finance.nearId}/status`, { method: 'POST', json: { to: 'published' } });
      assert(published.status === 200, `publishing the near-miss product answered ${published.status}`);
      return `product ${finance.productId} published; near-miss product ${finance.nearId}`;
    });

    await step('in /h5 the firm opens 发布融资需求: one screen, prefilled; 提交 files one need', async () => {
      usePage(h5);
      token = await h5Token(h5);
      const me = await pageApi(h5, '/api/v1/auth/me', { bearer: token });
      const bound = (me.body?.data?.enterprises ?? []).find((e) => e.uscc === ent.uscc);
      assert(bound, `the H5 user is not a member of ${ent.name}: ${JSON.stringify(me.body?.data?.enterprises)}`);
      enterpriseId = bound.id;
      await openH5(h5, base, `${H5_NEED_FORM}?enterpriseId=${enterpriseId}`);
      await expectText(visible(h5.getByTestId('need-firm-name')), ent.name, 'the firm on the need form');
      const amount = h5Input(h5, 'need-amount', 'amount');
      await amount.fill('100');
      const posted = h5.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/me/enterprises/${enterpriseId}/needs`);
      await visible(h5.getByTestId('need-submit')).click();
      const response = await posted;
      const body = await response.json().catch(() => null);
      assert(response.status() === 201 && body?.data?.status === 'reviewing', `POST …/needs answered ${response.status()} ${JSON.stringify(body)}`);
      assert(response.request().headers()['idempotency-key'], 'the need was sent without an Idempotency-Key');
      finance.needId = String(body.data.id);
      assert(body.data.amountFen === 100_000_000, `the need asks for ${body.data.amountFen} fen`);
      await h5.waitForURL((url) => url.hash.startsWith(H5_NEED));
      await expectText(visible(h5.getByTestId('need-status')), '顾问复核中', 'the need status');
      return `need ${finance.needId}, advisor ${body.data.advisorName}`;
    });

    await step('the advisor opens 融资需求 → the need: the product matched with its reasons, the near miss with its advice', async () => {
      const context = await newContext({ viewport: { width: 1366, height: 900 } });
      advisorPage = events.instrument(await context.newPage(), 'advisor8');
      usePage(advisorPage);
      const page = advisorPage;
      await consoleSignIn(page, base, demo.users.advisor, demo.password);
      await openFromMenu(page, '融资对接', '融资需求', '/admin/finance/needs');
      const link = page.locator(`a[href$="/finance/needs/${finance.needId}"]`).first();
      await link.waitFor();
      await link.click();
      await page.waitForURL((url) => url.pathname === `/admin/finance/needs/${finance.needId}`);
      // Matching runs on the worker: the page polls until it has run.
      const card = page.getByTestId(`match-${finance.productId}`);
      await card.waitFor({ timeout: Math.max(STEP_TIMEOUT_MS, 60_000) });
      await expectText(card, finance.productName, 'the matched product');
      const checks = await card.getByTestId('match-check').allTextContents();
      assert(checks.length > 0 && checks.every((t) => t.includes('✓')), `the match's checks read ${JSON.stringify(checks)}`);
      const near = page.getByTestId(`near-miss-${finance.nearId}`);
      await expectText(near, '成立满 50 年后', 'the near miss advice');
      return `checks: ${checks.slice(0, 3).join(' | ')}`;
    });

    await step('the advisor logs a call (添加记录) and releases the recommendation (发布推荐)', async () => {
      const page = advisorPage;
      const form = page.getByTestId('note-form');
      await pickOption(page, form.getByRole('combobox', { name: '联系方式' }), /^电话$/);
      await form.getByLabel('联系结果').fill(finance.note);
      const noted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/needs/${finance.needId}/notes`);
      await form.getByRole('button', { name: /添加记录/ }).click();
      const note = await noted;
      assert(note.status() === 201, `POST …/notes answered ${note.status()}`);
      await expectText(page.getByTestId('need-notes'), finance.note, 'the contact log');
      await page.getByTestId('release-need').click();
      const dialog = page.getByRole('dialog', { name: '发布推荐' });
      await dialog.waitFor();
      await dialog.getByRole('textbox').first().fill(finance.message);
      const released = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/needs/${finance.needId}/release`);
      await dialog.getByRole('button', { name: /确认发布/ }).click();
      const response = await released;
      const body = await response.json().catch(() => null);
      assert(response.status() === 200 && body?.data?.status === 'released', `POST …/release answered ${response.status()} ${JSON.stringify(body)}`);
    });

    await step('back in /h5 the firm sees the recommended product with its reasons and the near miss with its advice', async () => {
      usePage(h5);
      await openH5(h5, base, `${H5_NEED}?id=${finance.needId}&enterpriseId=${enterpriseId}`);
      await expectText(visible(h5.getByTestId('need-status')), '已推荐', 'the need status');
      await expectText(visible(h5.getByTestId('need-release-message')), finance.message, "the advisor's message");
      const rec = visible(h5.getByTestId(`rec-${finance.productId}`));
      await expectText(rec, finance.productName, 'the recommended product');
      await expectText(rec, '✓', 'the reasons of the recommendation');
      const near = visible(h5.getByTestId(`near-${finance.nearId}`));
      await expectText(near, '成立满 50 年后', 'the near-miss advice');
      await near.scrollIntoViewIfNeeded();
      const messages = await eventually(
        async () => {
          const api = await pageApi(h5, '/api/v1/messages?current=1&pageSize=20', { bearer: token });
          const match = (api.body?.data?.list ?? []).map((m) => m.title).find((t) => t.includes('推荐了'));
          if (!match) throw new Error('no recommendation message yet');
          return match;
        },
        { interval: 1_000, message: 'the message that the advisor recommended products' },
      );
      return `message: ${messages}`;
    });
  });


  const S9 = '9 apply with a grant in /h5; the bank accepts, reads the report, downloads the PDF, approves, disburses and reports a repayment; the firm sees each step and the reads, then revokes';
  const loanFlow = { applicationId: '', enterpriseId: '' };

  await harness.scenario(S9, { dependsOn: [S8], diagnostics: () => events.report(['h5', 'bank9']) }, async ({ step, usePage }) => {
    const h5 = entPage;
    let bank = null;
    let token = '';
    const bankName = '钱塘农村商业银行';

    /** Opens the application in the console (from the queue the first time) and waits for it to load. */
    const openInConsole = async () => {
      await bank.goto(`${base}/admin/finance/applications/${loanFlow.applicationId}`);
      await bank.getByTestId('application-status').first().waitFor();
    };
    /** Presses a move button, confirms its dialog and waits for the move's answer. */
    const consoleMove = async (label, fill) => {
      await bank.getByRole('button', { name: label, exact: true }).click();
      const dialog = bank.getByRole('dialog');
      await dialog.waitFor();
      if (fill) await fill(dialog);
      const moved = bank.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/applications/${loanFlow.applicationId}/moves`);
      await dialog.getByRole('button', { name: `确认${label}` }).click();
      const response = await moved;
      const body = await response.json().catch(() => null);
      assert(response.status() === 200, `${label}: POST …/moves answered ${response.status()} ${JSON.stringify(body)}`);
      return body.data;
    };
    const confirmH5 = async () => {
      const confirm = visible(h5.locator('.taro-model__confirm'));
      await confirm.waitFor();
      await confirm.click();
    };

    await step('in /h5 the firm opens the recommended product, presses 申请, and is refused until it ticks the grant on its own', async () => {
      usePage(h5);
      token = await h5Token(h5);
      const me = await pageApi(h5, '/api/v1/auth/me', { bearer: token });
      loanFlow.enterpriseId = (me.body?.data?.enterprises ?? []).find((e) => e.uscc === ent.uscc)?.id;
      assert(loanFlow.enterpriseId, 'the H5 user is not bound to the demo firm');
      await openH5(h5, base, `${H5_NEED}?id=${finance.needId}&enterpriseId=${loanFlow.enterpriseId}`);
      await visible(h5.getByTestId(`rec-${finance.productId}`)).click();
      await visible(h5.getByTestId('product-apply')).click();
      await h5.waitForURL((url) => url.hash.includes('/subpackages/finance/apply/'));
      await expectText(visible(h5.getByTestId('apply-grant')), bankName, 'the grant names the bank');
      await visible(h5.getByTestId('apply-submit')).click();
      await expectText(visible(h5.getByTestId('apply-consent-error')), '我已阅读并同意上述数据授权', 'the refusal without consent');
    });

    await step('it ticks 我已阅读并同意上述数据授权 and presses 提交申请: one application, with its grant, 已提交', async () => {
      await visible(h5.getByTestId('apply-consent')).click();
      const posted = h5.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === `/api/v1/me/enterprises/${loanFlow.enterpriseId}/applications`);
      await visible(h5.getByTestId('apply-submit')).click();
      const response = await posted;
      const body = await response.json().catch(() => null);
      assert(response.status() === 201, `POST …/applications answered ${response.status()} ${JSON.stringify(body)}`);
      assert(response.request().headers()['idempotency-key'], 'the application was sent without an Idempotency-Key');
      const sent = JSON.parse(response.request().postData() || '{}');
      assert(sent.grant?.consent === true && sent.grant.scopes.includes('credit_score'), `the grant sent was ${JSON.stringify(sent.grant)}`);
      loanFlow.applicationId = String(body.data.id);
      await h5.waitForURL((url) => url.hash.startsWith(H5_APPLICATION));
      await expectText(visible(h5.getByTestId('application-status')), '已提交', 'the application status');
      return `application ${loanFlow.applicationId}, grant until ${sent.grant.expiresOn}`;
    });

    await step('the bank officer finds it in 融资对接 → 融资申请 and presses 受理 then 开始调查', async () => {
      const context = await newContext({ viewport: { width: 1366, height: 900 }, acceptDownloads: true });
      bank = events.instrument(await context.newPage(), 'bank9');
      usePage(bank);
      await consoleSignIn(bank, base, demo.users.bank_officer, demo.password);
      await openFromMenu(bank, '融资对接', '融资申请', '/admin/finance/applications');
      const link = bank.locator(`a[href$="/finance/applications/${loanFlow.applicationId}"]`).first();
      await link.waitFor();
      await link.click();
      await bank.waitForURL((url) => url.pathname === `/admin/finance/applications/${loanFlow.applicationId}`);
      await expectText(bank.getByTestId('sla-clock').first(), /个工作日|今日到期/, 'the accept clock');
      await consoleMove('受理');
      await expectText(bank.getByTestId('application-status').first(), '已受理', 'the status after 受理');
      await consoleMove('开始调查');
      await expectText(bank.getByTestId('application-status').first(), '调查审批中', 'the status after 开始调查');
    });

    await step('it opens 查看信用报告 (watermarked with the bank and the officer) and downloads the PDF', async () => {
      await bank.getByRole('button', { name: '查看信用报告', exact: true }).click();
      await expectText(bank.getByTestId('report-watermark-text').first(), bankName, 'the watermark');
      await expectText(bank.getByTestId('report-registration'), ent.name, 'the report names the firm');
      const downloading = bank.waitForEvent('download');
      await bank.getByRole('button', { name: '下载 PDF', exact: true }).click();
      const download = await downloading;
      const file = path.join(tmpDir, 'credit-report.pdf');
      await download.saveAs(file);
      const bytes = fs.readFileSync(file);
      assert(bytes.subarray(0, 5).toString() === '%PDF-', 'the download is not a PDF');
      assert(bytes.length > 10_000 && bytes.length < 1_000_000, `the PDF is ${bytes.length} bytes`);
      return `${download.suggestedFilename()} (${Math.round(bytes.length / 1024)} KB)`;
    });

    await step('it approves (批准) with an offer, and the firm accepts the offer (接受批复) in /h5', async () => {
      const data = await consoleMove('批准', async (dialog) => {
        await dialog.getByLabel('年利率（%）').fill('4.2');
        await pickOption(bank, dialog.getByRole('combobox', { name: '还款方式' }), /^先息后本$/);
        await pickOption(bank, dialog.getByRole('combobox', { name: '担保方式' }), /^信用$/);
      });
      assert(data.offer?.rateBp === 420 && data.offer.amountFen === 100_000_000, `the offer sent was ${JSON.stringify(data.offer)}`);
      usePage(h5);
      await openH5(h5, base, `${H5_APPLICATION}?id=${loanFlow.applicationId}&enterpriseId=${loanFlow.enterpriseId}`);
      await expectText(visible(h5.getByTestId('application-status')), '已批准', 'the status in /h5');
      await expectText(visible(h5.getByTestId('application-offer')), '4.2', 'the offer in /h5');
      const accepted = h5.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(`/applications/${loanFlow.applicationId}/moves`));
      await visible(h5.getByTestId('application-move-accept_offer')).click();
      await confirmH5();
      const response = await accepted;
      assert(response.status() === 200, `accept_offer answered ${response.status()}`);
      await visible(h5.getByTestId('application-offer-accepted')).waitFor();
    });

    await step('the bank records the disbursement (登记放款); only then does the firm see 已放款, with every step on its timeline', async () => {
      usePage(bank);
      await openInConsole();
      const data = await consoleMove('登记放款');
      assert(data.status === 'disbursed' && data.loan?.amountFen === 100_000_000, `after 登记放款: ${data.status}, loan ${JSON.stringify(data.loan?.amountFen)}`);
      await expectText(bank.getByTestId('loan-figures'), '100', 'the loan figures');
      usePage(h5);
      await openH5(h5, base, `${H5_APPLICATION}?id=${loanFlow.applicationId}&enterpriseId=${loanFlow.enterpriseId}`);
      await expectText(visible(h5.getByTestId('application-status')), '已放款', 'the status in /h5');
      const steps = await h5.getByTestId('application-event-label').filter({ visible: true }).allTextContents();
      for (const label of ['受理', '开始调查', '批准', '接受批复', '登记放款']) assert(steps.some((t) => t.includes(label)), `the timeline lacks ${label}: ${JSON.stringify(steps)}`);
      await visible(h5.getByTestId('application-loan')).waitFor();
      return steps.join(' → ');
    });

    await step('the bank reports a repayment (报送还款) in the console; the firm sees the balance fall and the repayment on its timeline', async () => {
      usePage(bank);
      await openInConsole();
      const form = bank.getByTestId('repayment-form');
      await form.getByLabel('归还本金（元）').fill('200000');
      await form.getByLabel('还款流水号').fill('E2E-R-1');
      const reported = bank.waitForResponse((r) => r.request().method() === 'POST' && /^\/api\/v1\/loans\/\d+\/repayments$/.test(new URL(r.url()).pathname));
      await form.getByRole('button', { name: '报送还款', exact: true }).click();
      const response = await reported;
      const body = await response.json().catch(() => null);
      assert(response.status() === 200, `POST …/repayments answered ${response.status()} ${JSON.stringify(body)}`);
      assert(body.data.figures.balanceFen === 80_000_000, `the balance after the repayment is ${body.data.figures.balanceFen}`);
      await expectText(bank.getByTestId('repayment-row').first(), 'E2E-R-1', 'the repayment row in the console');
      usePage(h5);
      await openH5(h5, base, `${H5_APPLICATION}?id=${loanFlow.applicationId}&enterpriseId=${loanFlow.enterpriseId}`);
      await expectText(visible(h5.getByTestId('application-loan-balance')), '800,000.00', 'the balance in /h5');
      await visible(h5.locator('[data-testid="application-event"][data-kind="repayment"]')).waitFor();
      return 'balance 800,000.00 元';
    });

    await step('谁查看了我的数据 lists the bank reading the report and downloading the PDF', async () => {
      await visible(h5.getByTestId('application-access-log')).click();
      await h5.waitForURL((url) => url.hash.includes('/subpackages/finance/access-log/'));
      const entries = visible(h5.getByTestId('access-entry'));
      await entries.waitFor();
      const texts = await h5.getByTestId('access-entry').filter({ visible: true }).allTextContents();
      assert(texts.some((t) => t.includes(bankName) && t.includes('查看信用报告')), `the log reads ${JSON.stringify(texts.slice(0, 4))}`);
      assert(texts.some((t) => t.includes('下载信用报告')), 'the log does not show the PDF download');
      return `${texts.length} entries`;
    });

    await step('the firm revokes the grant (撤销授权); the bank can no longer open the report', async () => {
      await openH5(h5, base, `${H5_APPLICATION}?id=${loanFlow.applicationId}&enterpriseId=${loanFlow.enterpriseId}`);
      const revoked = h5.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname.endsWith(`/applications/${loanFlow.applicationId}/revoke-grant`));
      await visible(h5.getByTestId('application-revoke-grant')).click();
      await confirmH5();
      assert((await revoked).status() === 200, 'revoke-grant failed');
      await expectText(visible(h5.getByTestId('application-grant-status')), '已撤销', 'the grant status');
      usePage(bank);
      await openInConsole();
      await bank.getByRole('button', { name: '查看信用报告', exact: true }).click();
      await expectText(bank.getByTestId('report-refused'), '无法查看信用报告', 'the refusal in the console');
      const api = await pageApi(bank, `/api/v1/applications/${loanFlow.applicationId}/report`);
      assert(api.status === 404, `GET …/report after revocation answered ${api.status}`);
    });
  });

  return { events };
}

module.exports = { runScenarios, SCENARIO_COUNT: 9 };
