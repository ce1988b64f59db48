'use strict';
/**
 * The browser scenarios: an enterprise binds itself in the H5 mini-program, the region's advisor approves it in
 * the console, the enterprise sees the result and the message, and a bank user is kept out of the queue.
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

/** A call from inside the page: with the console's cookie, or with a mini-program bearer token. */
async function pageApi(page, url, { method = 'GET', bearer } = {}) {
  return page.evaluate(
    async ({ url, method, bearer }) => {
      const headers = bearer ? { Authorization: `Bearer ${bearer}` } : {};
      const res = await fetch(url, { method, headers, credentials: 'same-origin' });
      let body = null;
      try {
        body = await res.json();
      } catch {
        // not JSON
      }
      return { status: res.status, body };
    },
    { url, method, bearer },
  );
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
  const shared = { token: '', verificationId: '' };

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

  return { events };
}

module.exports = { runScenarios, SCENARIO_COUNT: 4 };
