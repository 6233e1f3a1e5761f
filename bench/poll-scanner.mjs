#!/usr/bin/env node
// CPU per scan of vigil's directory-set scanner (native and JS) against the
// floor: a C program that lstats every entry once (bench/floor/lstat-walk.c).
//
//   node bench/poll-scanner.mjs [--files 100000] [--dirs 2000] [--scans 10]
//        [--interval 1000] [--root /dev/shm/vigil-bench-poll] [--keep]
//
// Builds (or reuses) a tree of --files files spread over --dirs directories
// under --root (tmpfs by default, see docs/environment.md), tracks every
// directory, does one first scan (everything is added), then --scans idle
// scans --interval ms apart, and reports CPU ms per idle scan (median; from
// process.cpuUsage, which counts every thread of the process, including the
// libuv pool thread the native scan runs on), RSS growth, and the ratio to the
// floor, which runs between the scans of each process so both see the same
// machine load. Each implementation runs in its own process. The tree is deleted at
// the end unless --keep.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..');
const pollPkg = path.join(repo, 'packages', 'poll');

function parseArgs(argv) {
  const opts = { files: 100_000, dirs: 2000, scans: 10, interval: 1000, root: '/dev/shm/vigil-bench-poll', keep: false, child: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--keep') opts.keep = true;
    else if (a === '--child') opts.child = argv[++i];
    else if (a.startsWith('--')) {
      const key = a.slice(2);
      const value = argv[++i];
      opts[key] = key === 'root' || key === 'bundle' || key === 'floor' ? value : Number(value);
    }
  }
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

/** 2-level tree: ~sqrt(dirs) group dirs, the rest below them; files spread evenly over all dirs. */
function treeDirs(root, dirs) {
  const groups = Math.max(1, Math.round(Math.sqrt(dirs)));
  const out = [];
  for (let g = 0; g < groups && out.length < dirs; g++) out.push(path.join(root, `g${g}`));
  for (let i = 0; out.length < dirs; i++) out.push(path.join(root, `g${i % groups}`, `d${Math.floor(i / groups)}`));
  return out;
}

function ensureTree(root, files, dirs) {
  const marker = `${root}.json`; // outside the tree, so it is not an entry
  const want = JSON.stringify({ files, dirs, v: 1 });
  const all = treeDirs(root, dirs);
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want && fs.existsSync(root)) return { all, reused: true };
  fs.rmSync(root, { recursive: true, force: true });
  fs.mkdirSync(root, { recursive: true });
  for (const d of all) fs.mkdirSync(d, { recursive: true });
  const content = Buffer.alloc(64, 'x');
  for (let i = 0; i < files; i++) fs.writeFileSync(path.join(all[i % all.length], `file-${i}.txt`), content);
  fs.writeFileSync(marker, want);
  return { all, reused: false };
}

// --- child: one implementation -------------------------------------------------
async function runChild(kind) {
  const api = await import(pathToFileURL(opts.bundle).href);
  const dirs = [opts.root, ...treeDirs(opts.root, opts.dirs)];
  const scanner = api.createDirSetScanner({ prefer: kind });
  if (scanner.kind !== kind) throw new Error(`wanted ${kind}, got ${scanner.kind}: ${scanner.nativeUnavailableReason}`);
  scanner.track(dirs);
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  let c = process.cpuUsage();
  let t = performance.now();
  const first = await scanner.scan();
  const firstCpu = process.cpuUsage(c);
  const firstWall = performance.now() - t;
  const added = first.reduce((n, ch) => n + ch.added.length, 0);
  first.length = 0;
  globalThis.gc?.();
  const rss1 = process.memoryUsage().rss;
  const heap1 = process.memoryUsage().heapUsed;
  const cpu = [];
  const wall = [];
  let reported = 0;
  const floorCpu = [];
  for (let i = 0; i < opts.scans; i++) {
    // The floor walk runs in the same time window as the scan it is compared
    // with, so load from other processes affects both alike.
    if (opts.interval > 0) await sleep(opts.interval / 2);
    floorCpu.push(floorWalk(opts.floor, opts.root).cpuMs);
    if (opts.interval > 0) await sleep(opts.interval / 2);
    c = process.cpuUsage();
    t = performance.now();
    const res = await scanner.scan();
    const d = process.cpuUsage(c);
    wall.push(performance.now() - t);
    cpu.push((d.user + d.system) / 1000);
    reported += res.length;
  }
  const heap2 = process.memoryUsage().heapUsed; // no GC in between: a rough allocation figure
  globalThis.gc?.();
  const rss2 = process.memoryUsage().rss;
  const out = {
    kind,
    entries: added,
    firstCpuMs: (firstCpu.user + firstCpu.system) / 1000,
    firstWallMs: firstWall,
    idleCpuMs: cpu,
    floorCpuMs: floorCpu,
    idleWallMs: wall,
    reportedDirsWhileIdle: reported,
    rssFirstScanGrowth: rss1 - rss0,
    rssIdleGrowth: rss2 - rss1,
    heapGrowthIdle: heap2 - heap1,
    nativeBytes: typeof scanner.memoryBytes === 'function' ? scanner.memoryBytes() : undefined,
  };
  scanner.close();
  process.stdout.write(JSON.stringify(out));
}

// --- parent -------------------------------------------------------------------
async function bundleScanner(outDir) {
  const { build } = await import(pathToFileURL(path.join(repo, 'node_modules', 'tsup', 'dist', 'index.js')).href);
  await build({
    entry: { scanner: path.join(pollPkg, 'src', 'scanner', 'index.ts') },
    format: ['esm'],
    outDir,
    config: false,
    dts: false,
    silent: true,
    clean: false,
    sourcemap: false,
    target: 'node20',
    platform: 'node',
    noExternal: ['@vigilfs/core'],
  });
  return path.join(outDir, 'scanner.js');
}

function fsType(p) {
  const r = spawnSync('stat', ['-f', '-c', '%T', p], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

function compileFloor() {
  const bin = path.join(os.tmpdir(), `vigil-lstat-walk-${process.pid}`);
  const cc = spawnSync('cc', ['-O2', '-o', bin, path.join(here, 'floor', 'lstat-walk.c')], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cc failed: ${cc.stderr}`);
  return bin;
}

/** CPU ms of one warm walk of the floor: two walks back to back in one process, the second counts. */
function floorWalk(bin, root) {
  const r = spawnSync(bin, [root, '2', '0'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`lstat-walk failed: ${r.stderr}`);
  const last = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('scan '))
    .at(-1)
    .split(' ');
  return { cpuMs: Number(last[5]), entries: Number(last[3]) };
}

async function main() {
  const bundleDir = path.join(pollPkg, 'node_modules', `.vigil-bench-scanner-${process.pid}`);
  const t0 = performance.now();
  const { reused } = ensureTree(opts.root, opts.files, opts.dirs);
  console.log(
    `tree: ${opts.files} files in ${opts.dirs} directories under ${opts.root} (filesystem: ${fsType(opts.root)}; ` +
      `${reused ? 'reused' : `created in ${((performance.now() - t0) / 1000).toFixed(1)} s`})`,
  );
  console.log(
    `${opts.scans} idle scans per implementation, ${opts.interval} ms apart; node ${process.version}, ${os.cpus().length} cpus, ${os.cpus()[0]?.model}`,
  );
  const floorBin = compileFloor();
  try {
    const bundle = await bundleScanner(bundleDir);
    const results = {};
    for (const kind of ['native', 'js']) {
      const r = spawnSync(
        process.execPath,
        [
          '--expose-gc',
          fileURLToPath(import.meta.url),
          '--child',
          kind,
          '--bundle',
          bundle,
          '--root',
          opts.root,
          '--files',
          String(opts.files),
          '--dirs',
          String(opts.dirs),
          '--scans',
          String(opts.scans),
          '--interval',
          String(opts.interval),
          '--floor',
          floorBin,
        ],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      );
      if (r.status !== 0) {
        console.log(`${kind}: failed: ${r.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
        continue;
      }
      results[kind] = JSON.parse(r.stdout);
    }
    const entries = floorWalk(floorBin, opts.root).entries;
    console.log('');
    console.log('CPU ms per idle scan, median (min..max); the floor (C, fstatat per entry) ran between the scans of each process:');
    for (const [kind, r] of Object.entries(results)) {
      const m = median(r.idleCpuMs);
      const f = median(r.floorCpuMs);
      const range = (xs) => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}..${Math.max(...xs).toFixed(1)})`;
      console.log(
        `${kind.padEnd(6)}: ${range(r.idleCpuMs)} ms; floor meanwhile ${range(r.floorCpuMs)} ms ` +
          `(${((f * 1000) / entries).toFixed(2)} µs/entry over ${entries} entries) => ${(m / f).toFixed(2)}x floor; wall median ${median(r.idleWallMs).toFixed(1)} ms`,
      );
      console.log(`        first scan (all ${r.entries} entries added): ${r.firstCpuMs.toFixed(0)} ms CPU, ${r.firstWallMs.toFixed(0)} ms wall`);
      const net = r.rssFirstScanGrowth + r.rssIdleGrowth;
      console.log(
        `        RSS +${mb(r.rssFirstScanGrowth)} right after the first scan (its result objects included), ` +
          `${r.rssIdleGrowth >= 0 ? '+' : ''}${mb(r.rssIdleGrowth)} over ${opts.scans} idle scans, net ${net >= 0 ? '+' : ''}${mb(net)}; ` +
          `JS heap ${r.heapGrowthIdle >= 0 ? '+' : ''}${(r.heapGrowthIdle / 1024).toFixed(0)} KB allocated over the idle scans (no GC in between)` +
          `${r.nativeBytes === undefined ? '' : `; native listings hold ${mb(r.nativeBytes)}`}; dirs reported while idle: ${r.reportedDirsWhileIdle}`,
      );
    }
    if (results.native) {
      const ratio = median(results.native.idleCpuMs) / median(results.native.floorCpuMs);
      console.log(`\ntarget native <= 1.30x floor: ${ratio <= 1.3 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`);
    }
  } finally {
    fs.rmSync(floorBin, { force: true });
    fs.rmSync(bundleDir, { recursive: true, force: true });
    if (!opts.keep) {
      fs.rmSync(opts.root, { recursive: true, force: true });
      fs.rmSync(`${opts.root}.json`, { force: true });
    }
  }
}

if (opts.child) await runChild(opts.child);
else await main();
