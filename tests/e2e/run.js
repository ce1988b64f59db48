#!/usr/bin/env node
'use strict';
/**
 * Browser end-to-end suite: `npm run test:e2e`.
 *
 * 1. makes sure shared/, admin/dist and miniapp/dist/h5 are built (see lib/builds.js);
 * 2. starts the real server on a free port with a fresh embedded database and the demo seed;
 * 3. drives Debian's Chromium (/usr/bin/chromium) with playwright-core through scenarios.js;
 * 4. always stops the server and the browser, prints `N passed, M failed` last and exits non-zero on any failure.
 *
 * Screenshots of every step and the server's log go to tests/e2e/screenshots/ (git-ignored).
 * Environment: E2E_CHROMIUM (browser path), E2E_REBUILD=1 (rebuild the front ends), E2E_KEEP_TMP=1 (keep the
 * temp data dir), E2E_HEADED=1 (show the browser, needs a display), E2E_STEP_TIMEOUT_MS, E2E_TOTAL_TIMEOUT_MS.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const ARTIFACTS = path.join(__dirname, 'screenshots');
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const TOTAL_TIMEOUT_MS = Number(process.env.E2E_TOTAL_TIMEOUT_MS || 480_000);
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const { createHarness } = require('./lib/harness');
const { ensureBuilds, snapshotFronts } = require('./lib/builds');
const { startServer, tail } = require('./lib/server');

function log(line = '') {
  process.stdout.write(`${line}\n`);
}

/** Demo accounts and the enterprise to bind, read from server/src/seed/demo.ts so the suite follows the seed. */
function loadDemo() {
  const script = `
    const demo = require('./server/src/seed/demo.ts');
    const users = Object.fromEntries(demo.DEMO_USERS.map((u) => [u.username, u]));
    // The advisor's region is 杭州市 (330100); bind a Hangzhou enterprise so that advisor may approve it.
    const advisorRegion = users.advisor.regionCode.slice(0, 4);
    const enterprise = demo.demoEnterprises().find((e) => e.regionCode.startsWith(advisorRegion));
    process.stdout.write(JSON.stringify({ password: demo.DEMO_PASSWORD, users, enterprise }));
  `;
  const res = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`reading server/src/seed/demo.ts failed:\n${res.stderr}`);
  const demo = JSON.parse(res.stdout);
  for (const name of ['advisor', 'bank_officer']) {
    if (!demo.users[name]) throw new Error(`the demo seed has no "${name}" account`);
  }
  if (!demo.enterprise) throw new Error('the demo seed has no enterprise in the advisor\'s region');
  const { uscc } = demo.enterprise;
  // Same code with a different last (check) character: well-formed, but the check character is wrong.
  demo.badUscc = uscc.slice(0, 17) + (uscc[17] === '0' ? '1' : '0');
  return demo;
}

async function main() {
  const started = Date.now();
  const harness = createHarness({ screenshotDir: ARTIFACTS, log });
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'xyd-e2e-'));
  const serverLog = path.join(ARTIFACTS, 'server.log');
  let server = null;
  let browser = null;
  let setupError = null;
  let cleaning = null;

  const cleanup = () =>
    (cleaning ??= (async () => {
      const bounded = (promise) => Promise.race([promise.catch(() => undefined), new Promise((r) => setTimeout(r, 8_000).unref())]);
      if (browser) await bounded(browser.close());
      if (server) await bounded(server.stop());
      if (process.env.E2E_KEEP_TMP !== '1') fs.rmSync(tmpDir, { recursive: true, force: true });
    })());

  let abortCode = 0;
  let summaryPrinted = false;
  const printSummary = (passed, failed) => {
    if (summaryPrinted) return;
    summaryPrinted = true;
    log(`${passed} passed, ${failed} failed`);
  };
  /** Signal or watchdog: fail the step in flight, skip the rest, stop the browser and the server, then report. */
  const abort = (why, code) => {
    if (abortCode) return;
    abortCode = code;
    log(`\n${why}: stopping the server and the browser`);
    harness.abort(why);
    cleanup();
    const force = setTimeout(() => {
      const { SCENARIO_COUNT } = require('./scenarios');
      const passed = harness.results.filter((r) => r.passed).length;
      printSummary(passed, Math.max(1, SCENARIO_COUNT - passed));
      process.exit(code);
    }, 20_000);
    force.unref();
  };
  process.once('SIGINT', () => abort('interrupted', 130));
  process.once('SIGTERM', () => abort('terminated', 143));
  process.once('SIGHUP', () => abort('hung up', 129));
  let watchdog = null;

  try {
    log('e2e: checking builds');
    const fronts = await ensureBuilds(ROOT, { log });
    const snapshot = await snapshotFronts(fronts, path.join(tmpDir, 'static'), { log });
    // The watchdog covers the server and the scenarios, not the builds (minutes on a busy machine when dist/ is missing).
    watchdog = setTimeout(() => abort(`the run (after the builds) exceeded ${TOTAL_TIMEOUT_MS} ms`, 1), TOTAL_TIMEOUT_MS);
    watchdog.unref();
    const demo = loadDemo();
    log(`e2e: enterprise to bind: ${demo.enterprise.name} ${demo.enterprise.uscc} (bad code ${demo.badUscc})`);

    if (!fs.existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk (never a downloaded browser)`);
    }
    const { chromium } = require('playwright-core');

    fs.mkdirSync(path.join(tmpDir, 'data'), { recursive: true });
    const serverStarted = Date.now();
    server = await startServer({
      root: ROOT,
      dataDir: path.join(tmpDir, 'data'),
      logFile: serverLog,
      staticAdminDir: snapshot.admin,
      staticH5Dir: snapshot.miniapp,
    });
    log(`e2e: server ready at ${server.baseUrl} (pid ${server.pid}) in ${((Date.now() - serverStarted) / 1000).toFixed(1)} s`);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: process.env.E2E_HEADED !== '1',
      // This runner handles the signals itself, so that the server is stopped too (playwright's handler would exit first).
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      args: process.env.E2E_HEADED === '1' ? CHROMIUM_ARGS.filter((a) => a !== '--headless') : CHROMIUM_ARGS,
    });
    log(`e2e: Chromium ${browser.version()}\n`);

    const { runScenarios } = require('./scenarios');
    await runScenarios({ browser, base: server.baseUrl, demo, tmpDir, harness });
  } catch (error) {
    setupError = error;
    log(`\ne2e setup failed: ${error.stack || error.message}`);
    if (error.server) server = error.server;
  } finally {
    await cleanup();
    clearTimeout(watchdog);
  }

  const { SCENARIO_COUNT } = require('./scenarios');
  const passed = harness.results.filter((r) => r.passed).length;
  const failed = Math.max(harness.results.length - passed, setupError ? SCENARIO_COUNT - passed : 0);

  if (failed > 0) {
    log('\nFailures:');
    for (const r of harness.results.filter((x) => !x.passed)) log(`  ✗ ${r.name}: ${r.error}`);
    if (setupError) log(`  ✗ setup: ${setupError.message.split('\n')[0]}`);
    if (fs.existsSync(serverLog)) {
      log(`\nserver log (${path.relative(ROOT, serverLog)}), last lines:`);
      log(tail(fs.readFileSync(serverLog, 'utf8'), 80).replace(/^/gm, '  | '));
    }
  }
  log(`\ne2e finished in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${path.relative(ROOT, ARTIFACTS)}/`);
  printSummary(passed, failed);
  process.exitCode = abortCode || (failed > 0 ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  log('0 passed, 1 failed');
  process.exit(1);
});
