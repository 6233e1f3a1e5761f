// Shared helpers of the benchmarks: bench/run.mjs and bench/wine.mjs (the
// runners: load, figures, the side-by-side table) and bench/lib/child.mjs and
// bench/lib/wine-child.mjs (the contenders' processes: waiting for events or
// for quiet). Also the tree, small stats and the C floors of run.mjs. The wine
// child imports this under Windows node.exe too: nothing here runs at import.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The 1/5/15-minute load averages, as printed at the start and end of a run. */
export const loadAverage = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** A figure with `d` decimals, or '—' when there is none. */
export const fmt = (x, d = 1) => (x === undefined || x === null || Number.isNaN(x) ? '—' : x.toFixed(d));

/** `a / b` as '0.42x', or '—' when either is missing or b is 0. */
export const ratio = (a, b) => (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? '—' : `${(a / b).toFixed(2)}x`);

/** Prints a Markdown table, every column padded to its widest cell. */
export function table(header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => String(c)));
  const w = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r) => `| ${r.map((c, i) => (c ?? '').padEnd(w[i])).join(' | ')} |`;
  console.log(line(all[0]));
  console.log(`| ${w.map((n) => '-'.repeat(n)).join(' | ')} |`);
  for (const r of all.slice(1)) console.log(line(r));
}

/**
 * The waits of a contender's process, given when its last event arrived
 * (`lastEventAt()`, on the `performance.now()` clock). `waitUntil(cond, {
 * quietMs, maxMs, since })` waits until cond() holds (checked every 25 ms), or
 * until no event arrived for quietMs (counted from `since`), or maxMs passed,
 * and returns how it ended: 'done', 'quiet' or 'timeout'. `quiet(quietMs,
 * maxMs)` waits only for the quiet.
 */
export function eventWaits(lastEventAt) {
  const now = () => performance.now();
  async function waitUntil(cond, { quietMs, maxMs, since = now() }) {
    const start = now();
    for (;;) {
      if (cond()) return 'done';
      const t = now();
      if (quietMs !== undefined && t - Math.max(lastEventAt(), since) >= quietMs) return 'quiet';
      if (t - start >= maxMs) return 'timeout';
      await sleep(25);
    }
  }
  const quiet = (quietMs, maxMs) => waitUntil(() => false, { quietMs, maxMs });
  return { waitUntil, quiet };
}

export function median(xs) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs, p) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/**
 * The tree: A top directories × B × C leaf directories, F files in each leaf
 * (the full shape is 20 × 10 × 10 = 2,000 leaf directories, 2,221 directories
 * with the root, 100,000 files of 16 bytes; the same shape as
 * packages/inotify/scripts/bench-walk.mjs).
 */
export function treeShape(quick) {
  return quick ? { a: 5, b: 4, c: 5, f: 50 } : { a: 20, b: 10, c: 10, f: 50 };
}

export function leafDirs(root, shape) {
  const out = [];
  for (let a = 0; a < shape.a; a++) for (let b = 0; b < shape.b; b++) for (let c = 0; c < shape.c; c++) out.push(path.join(root, `a${a}`, `b${b}`, `c${c}`));
  return out;
}

export function generateTree(root, shape) {
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  const content = Buffer.from('0123456789abcde\n');
  let files = 0;
  for (const dir of leafDirs(root, shape)) {
    fs.mkdirSync(dir, { recursive: true });
    for (let f = 0; f < shape.f; f++, files++) fs.writeFileSync(path.join(dir, `file${f}.txt`), content);
  }
  const dirs = 1 + shape.a + shape.a * shape.b + shape.a * shape.b * shape.c;
  return { files, dirs };
}

/** Every path below root (not root itself), files and directories. */
export function walkPaths(root) {
  const out = [];
  const stack = [root];
  while (stack.length) {
    const d = stack.pop();
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      out.push(p);
      if (e.isDirectory()) stack.push(p);
    }
  }
  return out;
}

export function fsType(p) {
  const r = spawnSync('stat', ['-f', '-c', '%T', p], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

/** Compiles bench/floor/<name>.c into a temp dir; returns the binary's path. */
export function compileFloor(name, outDir) {
  const bin = path.join(outDir, name);
  const cc = spawnSync('cc', ['-O2', '-o', bin, path.join(benchDir, 'floor', `${name}.c`)], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cc ${name}.c failed: ${cc.stderr}`);
  return bin;
}

export function tmpDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-bench-bin-'));
}
