'use strict';
/**
 * A tiny step runner for the browser e2e: named scenarios made of named steps, a screenshot after every step,
 * condition polling instead of sleeps, and failure messages that say which step broke and why.
 */
const fs = require('node:fs');
const path = require('node:path');

const STEP_TIMEOUT_MS = Number(process.env.E2E_STEP_TIMEOUT_MS || 30_000);

class StepError extends Error {
  constructor(step, cause) {
    super(`step "${step}" failed: ${cause && cause.message ? cause.message : String(cause)}`);
    this.name = 'StepError';
    this.step = step;
    this.cause = cause;
  }
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls `probe` until it returns without throwing (and, when it returns a boolean, until it returns true);
 * answers its last value. This is polling for a condition, never a fixed wait.
 */
async function eventually(probe, { timeout = STEP_TIMEOUT_MS, interval = 250, message = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value !== false) return value;
      lastError = new Error('probe answered false');
    } catch (error) {
      // The browser or page is gone (the run is being stopped): no point polling on.
      if (/has been closed|Browser closed|Target closed/i.test(String(error && error.message))) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const why = lastError && lastError.message ? lastError.message.split('\n')[0] : String(lastError);
      throw new Error(`timed out after ${timeout} ms waiting for ${message} (last: ${why})`);
    }
    await delay(interval);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function slug(text) {
  return String(text)
    .toLowerCase()
    .replace(/[^a-z0-9\u4e00-\u9fff]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

/** Waits (bounded, not failing) until CSS transitions and animations have finished, so screenshots show a settled page. */
async function settle(page, timeout = 3_000) {
  try {
    await page.waitForFunction(
      () => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
      null,
      { timeout, polling: 100 },
    );
  } catch {
    // A page that never settles still gets its screenshot.
  }
}

function createHarness({ screenshotDir, log = console.log }) {
  fs.mkdirSync(screenshotDir, { recursive: true });
  for (const file of fs.readdirSync(screenshotDir)) {
    if (file.endsWith('.png')) fs.rmSync(path.join(screenshotDir, file));
  }
  let shotCounter = 0;
  const results = [];
  let aborted = null;

  /** Playwright errors can carry the whole browser log; keep the useful head. */
  function brief(message) {
    const text = String(message).split(/\n\s*Browser logs:/)[0];
    const lines = text.split('\n');
    return lines.length > 15 ? `${lines.slice(0, 15).join('\n')}\n…` : text;
  }

  async function screenshot(page, name) {
    if (!page || page.isClosed()) return null;
    shotCounter += 1;
    const file = path.join(screenshotDir, `${String(shotCounter).padStart(2, '0')}-${slug(name)}.png`);
    try {
      await settle(page);
      await page.screenshot({ path: file, fullPage: true, timeout: 10_000 });
      return file;
    } catch (error) {
      log(`    (screenshot ${path.basename(file)} failed: ${error.message.split('\n')[0]})`);
      return null;
    }
  }

  /**
   * Runs one scenario. `body` receives `step(name, fn, { page })`: each step runs `fn`, then screenshots `page`
   * (or the scenario's current page). The first failing step ends the scenario.
   */
  async function scenario(name, { dependsOn = [], diagnostics } = {}, body) {
    const started = Date.now();
    const blocked = dependsOn.filter((dep) => !results.some((r) => r.name === dep && r.passed));
    if (aborted) {
      const result = { name, passed: false, skipped: true, error: `not run: ${aborted}`, ms: 0 };
      results.push(result);
      return result;
    }
    if (blocked.length) {
      const result = { name, passed: false, skipped: true, error: `not run: depends on "${blocked.join('", "')}", which did not pass`, ms: 0 };
      results.push(result);
      log(`✗ ${name} — ${result.error}`);
      return result;
    }
    log(`▶ ${name}`);
    const state = { page: null };
    const step = async (stepName, fn, options = {}) => {
      const stepStarted = Date.now();
      let note;
      try {
        if (aborted) throw new Error(`not run: ${aborted}`);
        note = await fn();
      } catch (error) {
        const page = options.page || state.page;
        const shot = await screenshot(page, `FAIL ${name} ${stepName}`);
        const err = new StepError(stepName, error);
        err.screenshot = shot;
        throw err;
      }
      const page = options.page || state.page;
      const shot = options.screenshot === false ? null : await screenshot(page, `${name} ${stepName}`);
      log(`    ✓ ${stepName} (${Date.now() - stepStarted} ms)${shot ? ` → ${path.basename(shot)}` : ''}`);
      if (typeof note === 'string' && note) log(`      ${note}`);
    };
    let result;
    try {
      await body({ step, usePage: (page) => (state.page = page) });
      result = { name, passed: true, ms: Date.now() - started };
      log(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      const details = [];
      if (error.screenshot) details.push(`screenshot: ${error.screenshot}`);
      if (diagnostics) {
        try {
          const extra = diagnostics();
          if (extra) details.push(extra);
        } catch {
          // Diagnostics are best effort.
        }
      }
      result = { name, passed: false, error: brief(error.message), details, ms: Date.now() - started };
      log(`✗ ${name} — ${error.message}`);
      for (const d of details) log(d.replace(/^/gm, '    '));
    }
    results.push(result);
    return result;
  }

  /** Stops the run: the current step fails, later scenarios are not started. */
  function abort(reason) {
    aborted = reason;
  }

  return { scenario, screenshot, results, abort };
}

module.exports = { createHarness, eventually, assert, delay, settle, STEP_TIMEOUT_MS };
