'use strict';
/**
 * Makes sure what the e2e needs is built: shared/dist (rebuilt when older than shared/src), admin/dist and
 * miniapp/dist/h5 (built only when missing; E2E_REBUILD=1 forces both). The two front ends are then copied to a
 * snapshot directory that the server serves, so that a rebuild started by someone else mid-run cannot pull files
 * from under the browser.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function newestMtime(dir, skip = () => false) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (skip(full)) continue;
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, skip));
    else newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function run(root, args, log) {
  log(`  $ npm ${args.join(' ')}`);
  const started = Date.now();
  const res = spawnSync('npm', args, { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1' }, maxBuffer: 64 * 1024 * 1024 });
  if (res.status !== 0) {
    const output = `${res.stdout || ''}\n${res.stderr || ''}`.trim().split('\n').slice(-60).join('\n');
    throw new Error(`\`npm ${args.join(' ')}\` failed (exit ${res.status})\n${output}`);
  }
  log(`    done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function scriptsOf(root, workspace) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, workspace, 'package.json'), 'utf8'));
  return pkg.scripts || {};
}

/** Files an index.html points at (src/href under the public path) that are missing from dir. */
function missingAssets(dir, publicPath) {
  const index = path.join(dir, 'index.html');
  if (!fs.existsSync(index)) return ['index.html'];
  const html = fs.readFileSync(index, 'utf8');
  const missing = [];
  for (const match of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
    const url = match[1];
    if (!url.startsWith(publicPath)) continue;
    const rel = url.slice(publicPath.length).split(/[?#]/)[0];
    if (rel && !fs.existsSync(path.join(dir, rel))) missing.push(rel);
  }
  return missing;
}

/** True while a directory's contents were touched in the last `withinMs`: someone's build is probably writing it. */
function recentlyTouched(dir, withinMs) {
  return fs.existsSync(dir) && Date.now() - Math.max(fs.statSync(dir).mtimeMs, newestMtime(dir)) < withinMs;
}

/** Whether some process (anyone's) is running a build whose command line matches `pattern`; Linux /proc, read-only. */
function buildRunning(pattern) {
  let pids = [];
  try {
    pids = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return false;
  }
  return pids.some((pid) => {
    try {
      return pattern.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '));
    } catch {
      return false;
    }
  });
}

async function ensureBuilds(root, { log = console.log } = {}) {
  const force = process.env.E2E_REBUILD === '1';

  const sharedDist = path.join(root, 'shared', 'dist', 'index.js');
  const sharedSrcNewest = newestMtime(path.join(root, 'shared', 'src'));
  if (force || !fs.existsSync(sharedDist) || fs.statSync(sharedDist).mtimeMs < sharedSrcNewest) {
    log('shared/dist is missing or older than shared/src: building it');
    try {
      run(root, ['run', 'build', '-w', 'shared'], log);
    } catch (error) {
      // shared/src may be mid-edit; an earlier build is still worth a run, and the failure is shown either way.
      if (!fs.existsSync(sharedDist)) throw error;
      log(`WARNING: rebuilding shared failed; going on with the existing shared/dist\n${error.message.replace(/^/gm, '    ')}`);
    }
  }

  const fronts = [
    { name: 'admin', dir: path.join(root, 'admin', 'dist'), publicPath: '/admin/', scripts: ['build'], busy: /\b(max|umi)(\.js)? build\b/ },
    {
      name: 'miniapp',
      dir: path.join(root, 'miniapp', 'dist', 'h5'),
      publicPath: '/h5/',
      scripts: ['build:h5'],
      busy: /\btaro(\.js)? build\b.*--type h5/,
    },
  ];
  for (const front of fronts) {
    const index = path.join(front.dir, 'index.html');
    // A Taro or umi build empties its output directory first and writes it again when it emits, 20–60 s later.
    const busy = () => buildRunning(front.busy) || recentlyTouched(front.dir, 45_000);
    if (!force && !fs.existsSync(index) && busy()) {
      // Another build is writing this directory right now: give it a chance to finish instead of racing it.
      log(`${path.relative(root, front.dir)} has no index.html and a build is running: waiting for it`);
      const deadline = Date.now() + 150_000;
      while (!fs.existsSync(index) && Date.now() < deadline && busy()) {
        await new Promise((r) => setTimeout(r, 2_000));
      }
    }
    if (!force && fs.existsSync(index)) continue;
    const available = scriptsOf(root, front.name);
    const script = front.scripts.find((s) => available[s]);
    if (!script) throw new Error(`${front.name}/package.json has none of the scripts ${front.scripts.join(', ')}`);
    log(`${path.relative(root, front.dir)} is missing: building it`);
    run(root, ['run', script, '-w', front.name], log);
    if (!fs.existsSync(path.join(front.dir, 'index.html'))) {
      throw new Error(`\`npm run ${script} -w ${front.name}\` succeeded but ${path.relative(root, front.dir)}/index.html is still missing`);
    }
  }
  return fronts;
}

/** Copies each front end into snapshotRoot/<name>, checking that index.html's own assets are all there. */
async function snapshotFronts(fronts, snapshotRoot, { log = console.log, timeoutMs = 90_000 } = {}) {
  const out = {};
  for (const front of fronts) {
    const target = path.join(snapshotRoot, front.name);
    const deadline = Date.now() + timeoutMs;
    let missing = [];
    for (;;) {
      fs.rmSync(target, { recursive: true, force: true });
      if (fs.existsSync(front.dir)) fs.cpSync(front.dir, target, { recursive: true });
      missing = missingAssets(target, front.publicPath);
      if (missing.length === 0) break;
      if (Date.now() > deadline) {
        throw new Error(`${front.dir} is incomplete (missing ${missing.slice(0, 5).join(', ')}); is a build running?`);
      }
      log(`${front.dir} looks incomplete (missing ${missing[0]}); waiting for the build in progress to finish`);
      await new Promise((r) => setTimeout(r, 2_000));
    }
    out[front.name] = target;
  }
  return out;
}

module.exports = { ensureBuilds, snapshotFronts, missingAssets };
