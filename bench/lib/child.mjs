// One contender in a fresh process (forked by bench/run.mjs with --expose-gc).
// argv[2] is a JSON config; the result goes back over IPC as one message.
// CPU is process.cpuUsage() (user+sys of every thread of this process), memory
// is process.memoryUsage().rss after a full GC.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { contenders } from './contenders.mjs';
import { eventWaits, leafDirs, median, percentile, sleep, walkPaths } from './common.mjs';

const cfg = JSON.parse(process.argv[2]);
const { name, backend, root, shape } = cfg;
const adapter = contenders[name];
const now = () => performance.now();
const gc = () => globalThis.gc?.();
const rss = () => process.memoryUsage().rss;
const cpuMs = (since) => {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
};

// --- event plumbing -------------------------------------------------------------
const listeners = new Set();
let lastEventAt = 0;
let eventTotal = 0;
const warnings = [];
function deliver(events) {
  const t = now();
  lastEventAt = t;
  eventTotal += events.length;
  for (const l of listeners) l(events, t);
}
function warn(code) {
  warnings.push({ code, at: now() });
}

/** Resolves with the arrival time of the first event matching `match`, or null after timeoutMs. */
function waitEvent(match, timeoutMs) {
  return new Promise((resolve) => {
    const l = (events, t) => {
      for (const e of events) {
        if (match(e)) {
          listeners.delete(l);
          clearTimeout(timer);
          resolve(t);
          return;
        }
      }
    };
    const timer = setTimeout(() => {
      listeners.delete(l);
      resolve(null);
    }, timeoutMs);
    listeners.add(l);
  });
}

const { waitUntil, quiet } = eventWaits(() => lastEventAt);

function runWriter(args) {
  return new Promise((resolve, reject) => {
    const p = spawn(cfg.writer, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => {
      try {
        resolve({ ...JSON.parse(out.trim()), exit: code, exitedAt: now() });
      } catch {
        reject(new Error(`writer failed (${code}): ${err}`));
      }
    });
  });
}

// --- scenarios ----------------------------------------------------------------
const result = { name, backend, warnings };
let handle;

async function base() {
  const mod = await adapter.load();
  gc();
  await sleep(50);
  gc();
  const rss0 = rss();
  const c0 = process.cpuUsage();
  const t0 = now();
  handle = await adapter.start(mod, root, { backend, interval: cfg.interval, readyCapMs: cfg.readyCapMs }, deliver, warn);
  const readyMs = now() - t0;
  result.setupCpuMs = cpuMs(c0);
  gc();
  result.rssBefore = rss0;
  result.rssAtReady = rss();
  result.rssGrowth = result.rssAtReady - rss0;
  if (handle.notReady) {
    result.notReady = true;
    result.readyCapMs = cfg.readyCapMs;
    return false;
  }
  result.readyMs = readyMs;
  return true;
}

async function idle() {
  await sleep(cfg.idleWarmupMs); // let a first scan/timers after ready pass (part of the measured setup, not idle)
  const windows = [];
  const events0 = eventTotal;
  const c0 = process.cpuUsage();
  const t0 = now();
  for (let i = 0; i < cfg.idleWindows; i++) {
    const c = process.cpuUsage();
    const t = now();
    await sleep(cfg.idleWindowMs);
    windows.push((cpuMs(c) * 1000) / (now() - t));
  }
  result.idleCpuMsPerS = (cpuMs(c0) * 1000) / (now() - t0);
  result.idleWindowsMsPerS = windows;
  result.idleSeconds = (now() - t0) / 1000;
  result.idleEvents = eventTotal - events0;
  gc();
  result.rssAfterIdle = rss();
}

async function pollLatency() {
  const leaves = leafDirs(root, shape);
  const out = { append: [], create: [], missed: { append: 0, create: 0 } };
  const created = [];
  for (let i = 0; i < cfg.latencySamples * 2; i++) {
    const kind = i % 2 ? 'create' : 'append';
    await sleep(Math.random() * cfg.interval); // spread the writes over the scan interval
    const dir = leaves[(i * 37) % leaves.length];
    const p = kind === 'append' ? path.join(dir, 'file7.txt') : path.join(dir, `lat-new-${i}.txt`);
    const want = kind === 'append' ? 'modify' : 'create';
    const got = waitEvent((e) => e.path === p && e.type === want, cfg.interval * 3 + 2000);
    if (kind === 'append') fs.appendFileSync(p, 'more\n');
    else {
      fs.writeFileSync(p, 'new\n');
      created.push(p);
    }
    const t = now();
    const at = await got;
    if (at === null) out.missed[kind]++;
    else out[kind].push(at - t);
  }
  result.latency = out;
  result.cleanup = created;
}

async function inotifyLatency() {
  const leaves = leafDirs(root, shape);
  const lat = [];
  let missed = 0;
  for (let i = 0; i < cfg.latencySamples; i++) {
    const p = path.join(leaves[(i * 7) % leaves.length], 'file3.txt');
    const got = waitEvent((e) => e.path === p && e.type === 'modify', 2000);
    fs.appendFileSync(p, 'x');
    const t = now(); // the write has returned
    const at = await got;
    if (at === null) missed++;
    else lat.push(at - t);
    await sleep(2 + Math.random() * 3); // a few ms apart
  }
  await quiet(300, 3000); // trailing close-write etc.
  result.latency = { samples: lat.length, missed, p50: percentile(lat, 50), p99: percentile(lat, 99), max: Math.max(...lat), median: median(lat) };
}

function scenarioDir(label) {
  const d = path.join(root, `bench-${label}-${process.pid}`);
  cleanupDirs.push(d);
  return d;
}
const cleanupDirs = [];

function createCounter(prefix) {
  const counts = new Map();
  const byOrigin = {};
  const types = {};
  const l = (events) => {
    for (const e of events) {
      if (!e.path.startsWith(prefix)) continue;
      types[e.type] = (types[e.type] ?? 0) + 1;
      if (e.type !== 'create') continue;
      counts.set(e.path, (counts.get(e.path) ?? 0) + 1);
      if (e.origin) byOrigin[e.origin] = (byOrigin[e.origin] ?? 0) + 1;
    }
  };
  listeners.add(l);
  return { counts, byOrigin, types, stop: () => listeners.delete(l) };
}

/** Creates directories (sync) and waits until the watcher reported each of them. */
async function mkdirsReported(dirs) {
  const want = new Set(dirs);
  const seen = new Set();
  const l = (events) => {
    for (const e of events) if (e.type === 'create' && want.has(e.path)) seen.add(e.path);
  };
  listeners.add(l);
  for (const d of dirs) fs.mkdirSync(d, { recursive: true });
  const how = await waitUntil(() => seen.size === want.size, { maxMs: 15000 });
  listeners.delete(l);
  await quiet(cfg.setupQuietMs, 5000);
  return { how, seen: seen.size };
}

function summarize(counter, expected) {
  let distinct = 0;
  let dupPaths = 0;
  let extra = 0;
  for (const p of expected) {
    const n = counter.counts.get(p) ?? 0;
    if (n > 0) distinct++;
    if (n > 1) {
      dupPaths++;
      extra += n - 1;
    }
  }
  let total = 0;
  for (const n of counter.counts.values()) total += n;
  return {
    expected: expected.length,
    reported: distinct,
    missing: expected.length - distinct,
    duplicatePaths: dupPaths,
    duplicateEvents: extra,
    createEvents: total,
    byOrigin: counter.byOrigin,
    types: counter.types,
  };
}

async function burst(stall) {
  const dir = scenarioDir(stall ? 'stall' : 'burst');
  const subdirs = Array.from({ length: cfg.burstDirs }, (_, i) => path.join(dir, `b${i}`));
  // The parent first, then its children once it is watched: the burst starts in directories every contender watches.
  const pre = { parent: (await mkdirsReported([dir])).how, subdirs: (await mkdirsReported(subdirs)).how };
  const total = stall ? cfg.stallFiles : cfg.burstFiles;
  const expected = Array.from({ length: total }, (_, i) => path.join(dir, `b${i % cfg.burstDirs}`, `f${i}`));
  const warn0 = warnings.length;
  const counter = createCounter(`${dir}/b`);
  const want = new Set(expected);
  const allSeen = () => {
    let n = 0;
    for (const p of counter.counts.keys()) if (want.has(p)) n++;
    return n === expected.length;
  };
  const c0 = process.cpuUsage();
  const t0 = now();
  const writer = runWriter(['files', dir, String(cfg.burstDirs), String(total)]);
  let stallMs;
  if (stall) {
    // Block the JS thread for 2 s while the writer runs in its own process.
    const s = now();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, cfg.stallMs);
    stallMs = now() - s;
  }
  const w = await writer;
  // vigil promises that nothing is lost (after an overflow it rescans, and the rescan may be silent for seconds before
  // its first event): wait for the condition itself, up to burstMaxMs. Peers promise nothing: there, silence for
  // burstQuietMs ends the wait.
  const how = await waitUntil(allSeen, { quietMs: handle.knownPaths ? undefined : cfg.burstQuietMs, maxMs: cfg.burstMaxMs, since: now() });
  const doneAt = now();
  await quiet(cfg.tailQuietMs, 10000); // late duplicates or rescans
  const out = {
    pre,
    writer: { ms: w.ms, ops: w.ops, failed: w.failed, finishedMsAfterStart: w.exitedAt - t0 },
    stallMs,
    ended: how,
    allReportedMsAfterStart: how === 'done' ? doneAt - t0 : null,
    lastEventMsAfterStart: lastEventAt - t0,
    cpuMs: cpuMs(c0),
    warnings: warnings.slice(warn0).map((w) => w.code),
    firstWarningMsAfterStart: warnings.length > warn0 ? warnings[warn0].at - t0 : undefined,
    ...summarize(counter, expected),
  };
  counter.stop();
  if (stall && handle.knownPaths) {
    // After recovery the paths vigil believes exist must equal the paths on disk.
    const compare = () => {
      const disk = new Set([root, ...walkPaths(root)]);
      const known = new Set(handle.knownPaths());
      const missingFromIndex = [...disk].filter((p) => !known.has(p));
      const notOnDisk = [...known].filter((p) => !disk.has(p));
      return {
        disk: disk.size,
        known: known.size,
        missingFromIndex: missingFromIndex.length,
        notOnDisk: notOnDisk.length,
        examples: [...missingFromIndex.slice(0, 3), ...notOnDisk.slice(0, 3)],
      };
    };
    let cmp = compare();
    const s = now();
    while ((cmp.missingFromIndex || cmp.notOnDisk) && now() - s < 15000) {
      await quiet(500, 5000);
      cmp = compare();
    }
    out.index = { ...cmp, equal: !cmp.missingFromIndex && !cmp.notOnDisk, checkedMsAfterStart: now() - t0 };
  }
  return out;
}

async function renames() {
  const dir = scenarioDir('rename');
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  const pre = { how: (await mkdirsReported([dir])).how === 'done' ? (await mkdirsReported([a, b])).how : 'timeout' };
  const n = cfg.renames;
  const files = Array.from({ length: n }, (_, i) => path.join(a, `r${i}`));
  const createdSeen = createCounter(`${a}/`);
  for (const f of files) fs.writeFileSync(f, 'r');
  await waitUntil(() => files.every((f) => createdSeen.counts.has(f)), { maxMs: 15000 });
  createdSeen.stop();
  await quiet(cfg.setupQuietMs, 5000);
  const expected = new Map();
  const seen = { pairedRenames: 0, wrongRenames: 0, create: 0, delete: 0, modify: 0, other: 0 };
  const l = (events) => {
    for (const e of events) {
      if (!e.path.startsWith(dir)) continue;
      if (e.type === 'rename') {
        if (expected.get(e.oldPath) === e.path) seen.pairedRenames++;
        else seen.wrongRenames++;
      } else if (e.type in seen) seen[e.type]++;
      else seen.other++;
    }
  };
  listeners.add(l);
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const to = i < n / 2 ? path.join(a, `s${i}`) : path.join(b, `r${i}`); // same directory, then across
    expected.set(files[i], to);
    fs.renameSync(files[i], to);
  }
  const how = await waitUntil(() => seen.pairedRenames === n, { quietMs: cfg.burstQuietMs, maxMs: 20000, since: now() });
  await quiet(cfg.tailQuietMs, 5000);
  listeners.delete(l);
  return { pre: pre.how, renames: n, ended: how, msAfterStart: now() - t0, ...seen };
}

async function mkdirFill() {
  const dir = scenarioDir('mkdir');
  const pre = await mkdirsReported([dir]);
  const expectedFiles = [];
  const expectedDirs = [];
  for (let i = 0; i < cfg.mkdirs; i++) {
    expectedDirs.push(path.join(dir, `d${i}`));
    for (let j = 1; j <= cfg.mkdirFiles; j++) expectedFiles.push(path.join(dir, `d${i}`, `f${j}`));
  }
  const counter = createCounter(`${dir}/`);
  const want = new Set(expectedFiles);
  const allSeen = () => {
    let k = 0;
    for (const p of counter.counts.keys()) if (want.has(p)) k++;
    return k === expectedFiles.length;
  };
  const t0 = now();
  const w = await runWriter(['mkdirfill', dir, String(cfg.mkdirs), String(cfg.mkdirFiles)]);
  const how = await waitUntil(allSeen, { quietMs: cfg.burstQuietMs, maxMs: 20000, since: now() });
  await quiet(cfg.tailQuietMs, 5000);
  counter.stop();
  const files = summarize(counter, expectedFiles);
  const dirs = summarize(counter, expectedDirs);
  return {
    pre: pre.how,
    writerMs: w.ms,
    ended: how,
    msAfterStart: now() - t0,
    files,
    dirs: { reported: dirs.reported, missing: dirs.missing, duplicateEvents: dirs.duplicateEvents },
  };
}

// --- main -----------------------------------------------------------------------
try {
  const ready = await base();
  if (ready && cfg.mode === 'ready' && cfg.idleWindows > 0) await idle();
  if (ready && cfg.mode === 'ready' && backend === 'inotify' && cfg.latencySamples > 0) await inotifyLatency();
  if (ready && cfg.mode !== 'ready') {
    await idle();
    if (backend === 'poll') await pollLatency();
    else {
      await inotifyLatency();
      result.scenarios = {};
      for (const s of cfg.scenarios) {
        const t = now();
        if (s === 'rename') result.scenarios.rename = await renames();
        else if (s === 'mkdir') result.scenarios.mkdir = await mkdirFill();
        else if (s === 'burst') result.scenarios.burst = await burst(false);
        else if (s === 'stall') result.scenarios.stall = await burst(true);
        result.scenarios[s].wallMs = now() - t;
      }
    }
  }
  await handle?.close();
} catch (err) {
  result.error = String(err?.stack ?? err);
}
for (const p of result.cleanup ?? []) fs.rmSync(p, { force: true });
for (const d of cleanupDirs) fs.rmSync(d, { recursive: true, force: true });
delete result.cleanup;
process.send(result, () => process.exit(0));
