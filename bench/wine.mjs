#!/usr/bin/env node
// vigil's Windows backend (rdcw) against @parcel/watcher's Windows build and
// chokidar, side by side in one run, each in its own Windows node.exe under
// Wine (scripts/wine/node.mjs). Measured under Wine, not Windows: Wine's
// ReadDirectoryChangesW is its own translation of Linux inotify in the
// wineserver (docs/windows-wine.md), so this compares the contenders on that.
//
//   node bench/wine.mjs            (node scripts/setup.mjs --win32 first)
//
// Contenders: vigil from packages/vigilfs/dist with the win32 addon
// (VIGIL_RDCW_ADDON), @parcel/watcher + @parcel/watcher-win32-x64 and chokidar
// (versions of bench/package.json) installed for win32-x64 into
// node_modules/.cache/vigil-wine-bench/. Workloads are in bench/lib/wine-child.mjs;
// the changes are made by the contender's own node.exe after it is ready.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { root as repo, runNodeExe, setup, toWinePath, wineUnavailable } from '../scripts/wine/node.mjs';
import { fmt, loadAverage as load, median, ratio, table } from './lib/common.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const names = ['vigil', 'parcel', 'chokidar'];
const READY_RUNS = 3;
const TREE = { dirs: 40, filesPerDir: 50 }; // 2,000 files
const W = { renames: 300, mkdirs: 100, mkdirFiles: 5, burstFiles: 2000, quietMs: 5000, settleMs: 300, maxMs: 60000, readyCapMs: 60000 };

const why = wineUnavailable();
if (why) {
  console.error(`bench/wine.mjs: ${why}`);
  process.exit(2);
}
const addon = path.join(repo, 'packages', 'prebuilt', 'rdcw-win32-x64', 'vigil_rdcw.node');
const vigilDist = path.join(repo, 'packages', 'vigilfs', 'dist');
for (const [what, p] of [
  ['the win32 rdcw addon', addon],
  ['vigilfs dist', path.join(vigilDist, 'index.js')],
]) {
  if (!fs.existsSync(p)) {
    console.error(`bench/wine.mjs: ${what} is missing (${p}); run node scripts/setup.mjs --win32`);
    process.exit(2);
  }
}

const tStart = Date.now();
const sec = (ms) => (ms / 1000).toFixed(1);
const log = (m) => console.log(`  [${sec(Date.now() - tStart)} s] ${m}`);

// --- the peers' Windows builds, from the npm registry -----------------------------------------------------
const pkg = JSON.parse(fs.readFileSync(path.join(benchDir, 'package.json'), 'utf8'));
const versions = { parcel: pkg.dependencies['@parcel/watcher'], chokidar: pkg.dependencies.chokidar };
const deps = path.join(repo, 'node_modules', '.cache', 'vigil-wine-bench', `parcel-${versions.parcel}-chokidar-${versions.chokidar}`);
function ensureDeps() {
  const have = (p) => fs.existsSync(path.join(deps, 'node_modules', ...p.split('/'), 'package.json'));
  if (have('@parcel/watcher') && have('@parcel/watcher-win32-x64') && have('chokidar')) return;
  fs.mkdirSync(deps, { recursive: true });
  fs.writeFileSync(path.join(deps, 'package.json'), '{"private":true}\n');
  // --os/--cpu make npm pick the win32-x64 optional dependency of @parcel/watcher; no install scripts run.
  const args = ['install', '--os=win32', '--cpu=x64', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', deps];
  const r = spawnSync('npm', [...args, `@parcel/watcher@${versions.parcel}`, `chokidar@${versions.chokidar}`], { cwd: deps, encoding: 'utf8' });
  if (r.status !== 0 || !have('@parcel/watcher-win32-x64')) throw new Error(`npm ${args.join(' ')} failed:\n${r.stderr}`);
}

// --- setup ---------------------------------------------------------------------------------------------------
console.log(`vigil Windows-backend bench under Wine: ${new Date().toISOString()}`);
const wineVersion = spawnSync('wine', ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), Linux ${os.release()}, ${wineVersion}, load average at start: ${load()}`);
const exe = setup();
ensureDeps();
const parcelWin = JSON.parse(fs.readFileSync(path.join(deps, 'node_modules', '@parcel', 'watcher-win32-x64', 'package.json'), 'utf8')).version;
const chokidarV = JSON.parse(fs.readFileSync(path.join(deps, 'node_modules', 'chokidar', 'package.json'), 'utf8')).version;
console.log(
  `node.exe: ${path.relative(repo, exe)}; @parcel/watcher ${versions.parcel} + @parcel/watcher-win32-x64 ${parcelWin}; chokidar ${chokidarV}; vigil rdcw (${path.relative(repo, addon)})`,
);

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-winbench-'));
const tree = path.join(scratch, 'tree');
fs.mkdirSync(tree);
for (let d = 0; d < TREE.dirs; d++) {
  const dir = path.join(tree, `d${String(d).padStart(2, '0')}`);
  fs.mkdirSync(dir);
  for (let f = 0; f < TREE.filesPerDir; f++) fs.writeFileSync(path.join(dir, `file${f}.txt`), `${d}/${f}\n`);
}
console.log(`tree: ${tree}: ${TREE.dirs * TREE.filesPerDir} files in ${TREE.dirs} directories (made from Linux before any watcher starts)`);

async function runChild(name, mode) {
  const cfg = { name, mode, root: toWinePath(tree), vigilDist: toWinePath(vigilDist), deps: toWinePath(deps), ...W };
  const r = await runNodeExe([toWinePath(path.join(benchDir, 'lib', 'wine-child.mjs')), JSON.stringify(cfg)], {
    env: { VIGIL_RDCW_ADDON: toWinePath(addon) },
    timeoutMs: mode === 'full' ? 240_000 : 90_000,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  const res = line
    ? JSON.parse(line.slice('RESULT '.length))
    : { name, error: `no result (exit ${r.status}${r.timedOut ? ', timed out' : ''}): ${r.stderr.slice(-600)}` };
  res.processMs = r.ms;
  if (res.error) log(`${name} (${mode}) failed: ${res.error.split('\n').slice(0, 3).join(' | ')}`);
  return res;
}

// --- runs ----------------------------------------------------------------------------------------------------
const ready = { vigil: [], parcel: [], chokidar: [] };
const errors = {};
try {
  log(`ready time: ${READY_RUNS} rounds of vigil, parcel, chokidar (a fresh node.exe each) ...`);
  for (let i = 0; i < READY_RUNS; i++) {
    for (const name of names) {
      const r = await runChild(name, 'ready');
      if (r.readyMs !== undefined && !r.notReady) ready[name].push(r.readyMs);
      if (r.error) errors[name] ??= r.loadError ?? r.error;
    }
  }
  const full = {};
  for (const name of names) {
    log(`${name}: renames, mkdir + files, burst ...`);
    full[name] = await runChild(name, 'full');
    if (full[name].error) errors[name] ??= full[name].loadError ?? full[name].error;
    else log(`${name}: done (node.exe ${sec(full[name].processMs)} s)`);
  }
  report(full);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

// --- report --------------------------------------------------------------------------------------------------
function report(full) {
  // No runs is no figure (printed as FAILED below), not NaN.
  const medianOf = (xs) => (xs.length ? median(xs) : undefined);
  const sc = (name, s) => full[name]?.scenarios?.[s];
  const failed = (name) => (errors[name] ? 'FAILED' : '—');
  const cell = (name, s, f) => (sc(name, s) ? f(sc(name, s)) : failed(name));
  const num = (name, s, k) => sc(name, s)?.[k];
  const rows = [];
  const row = (label, vals, ratios = true) => {
    const [v, p, c] = vals;
    rows.push([
      label,
      ...vals.map((x) => (typeof x === 'number' ? fmt(x, Number.isInteger(x) ? 0 : 1) : x)),
      ratios ? ratio(v, p) : '',
      ratios ? ratio(v, c) : '',
    ]);
  };
  const rm = names.map((n) => medianOf(ready[n]));
  row(
    `ready time, ${TREE.dirs * TREE.filesPerDir} files / ${TREE.dirs} dirs (ms), median of ${READY_RUNS}`,
    rm.map((x, i) => x ?? failed(names[i])),
  );
  rows.push(['ready time runs (ms)', ...names.map((n) => ready[n].map((x) => fmt(x, 0)).join(' ') || failed(n)), '', '']);
  row(
    'mkdir → its create event (ms), median of 4 in the full run',
    names.map((n) => (full[n]?.mkdirLatencyMs?.length ? medianOf(full[n].mkdirLatencyMs) : failed(n))),
  );
  row(
    `${W.renames} renames: paired (half same dir, half across)`,
    names.map((n) => num(n, 'rename', 'paired') ?? failed(n)),
  );
  rows.push(['  paired same dir / across', ...names.map((n) => cell(n, 'rename', (s) => `${s.pairedSameDir} / ${s.pairedAcross}`)), '', '']);
  row(
    '  reported as delete + create',
    names.map((n) => num(n, 'rename', 'deleteCreate') ?? failed(n)),
    false,
  );
  row(
    '  neither (missing or wrong pair)',
    names.map((n) => num(n, 'rename', 'missing') ?? failed(n)),
    false,
  );
  row(
    `${W.mkdirs} × (mkdir + ${W.mkdirFiles} files): files reported of ${W.mkdirs * W.mkdirFiles}`,
    names.map((n) => num(n, 'mkdir', 'reported') ?? failed(n)),
  );
  row(
    `  directories reported of ${W.mkdirs}`,
    names.map((n) => num(n, 'mkdir', 'dirsReported') ?? failed(n)),
    false,
  );
  row(
    `burst of ${W.burstFiles} creates in one dir: reported`,
    names.map((n) => num(n, 'burst', 'reported') ?? failed(n)),
  );
  row(
    '  missing',
    names.map((n) => num(n, 'burst', 'missing') ?? failed(n)),
    false,
  );
  row(
    '  duplicate create events',
    names.map((n) => num(n, 'burst', 'duplicateCreates') ?? failed(n)),
    false,
  );
  row(
    '  last create event after burst start (ms)',
    names.map((n) => num(n, 'burst', 'lastCreateMsAfterStart') ?? failed(n)),
  );
  row(
    '  time to write the burst (ms; writer = the contender)',
    names.map((n) => num(n, 'burst', 'writeMs') ?? failed(n)),
  );
  console.log('\n## Windows backends, measured under Wine 8 (not Windows)\n');
  const header = [
    'measured under Wine 8 (not Windows)',
    'vigil (rdcw)',
    `parcel ${versions.parcel}`,
    `chokidar ${chokidarV}`,
    'vigil/parcel',
    'vigil/chokidar',
  ];
  table(header, rows);
  console.log('');
  for (const n of names) {
    const f = full[n];
    if (!f?.scenarios) continue;
    const s = f.scenarios;
    console.log(
      `${n}: mkdir latencies ${f.mkdirLatencyMs.map((x) => x.toFixed(0)).join(' ')} ms; waits ended rename=${s.rename.ended} mkdir=${s.mkdir.ended} burst=${s.burst.ended}; event types rename=${JSON.stringify(s.rename.types)} mkdir=${JSON.stringify(s.mkdir.types)} burst=${JSON.stringify(s.burst.types)}${f.warnings.length ? `; warnings ${[...new Set(f.warnings)].join(', ')}` : ''}`,
    );
  }
  for (const [n, e] of Object.entries(errors)) console.log(`${n} FAILED: ${e.split('\n').slice(0, 6).join('\n    ')}`);
  console.log(
    `(ratios: smaller is better for times, larger for counts; 'done' = every expected event seen, 'quiet' = ${W.quietMs / 1000} s without events ended the wait; total ${sec(Date.now() - tStart)} s, load average at end: ${load()})`,
  );
}
