// One contender in a Windows node.exe under Wine (forked by bench/wine.mjs
// through scripts/wine/node.mjs, one fresh process each).
//
//   node.exe wine-child.mjs <json config>
//
// config: { name: 'vigil'|'parcel'|'chokidar', mode: 'ready'|'full', root, vigilDist, deps, ... }
// (paths are Windows paths, Z:\…). The changes of every workload are made by
// this same process, synchronously, after the watcher is ready: the same for
// every contender. The result is one line `RESULT {json}` on stdout.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { eventWaits } from './common.mjs';

const cfg = JSON.parse(process.argv[2]);
const { name, root } = cfg;
const now = () => performance.now();

// --- contenders: each delivers [{ type: create|modify|delete|rename, rel, oldRel? }] --------------------------
const rel = (p) => path.relative(root, p).replaceAll('\\', '/');
const chokidarTypes = { add: 'create', addDir: 'create', change: 'modify', unlink: 'delete', unlinkDir: 'delete' };
const contenders = {
  vigil: {
    load: () => import(pathToFileURL(path.join(cfg.vigilDist, 'index.js')).href),
    async start(mod, deliver, warn) {
      const w = await mod.watch(root, { backend: 'rdcw' });
      w.on('events', (events) => deliver(events.map((e) => ({ type: e.type, rel: rel(e.path), oldRel: e.oldPath ? rel(e.oldPath) : undefined }))));
      w.on('warning', (e) => warn(e.code ?? String(e)));
      w.on('error', (e) => warn(`error ${e.code ?? e}`));
      return { close: () => w.close() };
    },
  },
  parcel: {
    load: () => createRequire(path.join(cfg.deps, 'node_modules', 'x.js'))('@parcel/watcher'),
    async start(mod, deliver, warn) {
      const sub = await mod.subscribe(root, (err, events) => {
        if (err) warn(String(err.message ?? err));
        else deliver(events.map((e) => ({ type: e.type === 'update' ? 'modify' : e.type, rel: rel(e.path) })));
      });
      return { close: () => sub.unsubscribe() };
    },
  },
  chokidar: {
    load: () => import(pathToFileURL(path.join(cfg.deps, 'node_modules', 'chokidar', 'index.js')).href),
    async start(mod, deliver, warn) {
      const w = mod.watch(root, { ignoreInitial: true });
      w.on('all', (ev, p) => {
        const type = chokidarTypes[ev];
        if (type) deliver([{ type, rel: rel(p) }]);
      });
      w.on('error', (e) => warn(String(e?.code ?? e)));
      const ready = await new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), cfg.readyCapMs);
        w.once('ready', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      return { close: () => w.close(), notReady: !ready };
    },
  },
};

// --- event plumbing ----------------------------------------------------------------------------------------------
const listeners = new Set();
let lastEventAt = 0;
const warnings = [];
function deliver(events) {
  lastEventAt = now();
  for (const l of listeners) l(events, lastEventAt);
}
const warn = (code) => warnings.push(code);

const { waitUntil, quiet } = eventWaits(() => lastEventAt);

/** Records every event under `prefix/`: create counts per path, every type, renames. */
function recorder(prefix) {
  const creates = new Map();
  const deletes = new Set();
  const renames = [];
  const types = {};
  let lastCreateAt = 0;
  let firstAt = 0;
  const l = (events, t) => {
    for (const e of events) {
      if (cfg.debug) process.stdout.write(`EV ${Math.round(t)} ${e.type} ${e.rel}\n`);
      if (e.rel !== prefix && !e.rel.startsWith(`${prefix}/`)) continue;
      types[e.type] = (types[e.type] ?? 0) + 1;
      firstAt ||= t;
      if (e.type === 'create') {
        creates.set(e.rel, (creates.get(e.rel) ?? 0) + 1);
        lastCreateAt = t;
      } else if (e.type === 'delete') deletes.add(e.rel);
      else if (e.type === 'rename') renames.push([e.oldRel, e.rel]);
    }
  };
  listeners.add(l);
  return { creates, deletes, renames, types, lastCreateAt: () => lastCreateAt, firstAt: () => firstAt, stop: () => listeners.delete(l) };
}

/** mkdir → all its create events seen (ms), one sample per mkdirs() that ended 'done'. */
const mkdirLatency = [];

/** mkdir (sync) each of `dirs` (relative), wait until each is reported or quiet. */
async function mkdirs(dirs) {
  const r = recorder(dirs[0].split('/')[0]);
  const t0 = now();
  for (const d of dirs) fs.mkdirSync(path.join(root, d));
  const how = await waitUntil(() => dirs.every((d) => r.creates.has(d)), { quietMs: cfg.quietMs, maxMs: cfg.maxMs });
  if (how === 'done') mkdirLatency.push(now() - t0);
  r.stop();
  await quiet(cfg.settleMs, cfg.maxMs);
  return how;
}

// --- workloads ----------------------------------------------------------------------------------------------------
async function renames() {
  const top = `wb-rename-${process.pid}`;
  // The parent first, then its children once it is watched (Wine adds a directory's watch only once it sees it created).
  const pre = [await mkdirs([top]), await mkdirs([`${top}/a`, `${top}/b`])].join('+');
  const n = cfg.renames;
  const from = Array.from({ length: n }, (_, i) => `${top}/a/r${i}`);
  const to = from.map((_, i) => (i < n / 2 ? `${top}/a/s${i}` : `${top}/b/r${i}`)); // half in one directory, half across
  const made = recorder(top);
  for (const f of from) fs.writeFileSync(path.join(root, f), 'r');
  await waitUntil(() => from.every((f) => made.creates.has(f)), { quietMs: cfg.quietMs, maxMs: cfg.maxMs });
  made.stop();
  await quiet(cfg.settleMs, cfg.maxMs);
  const r = recorder(top);
  const t0 = now();
  for (let i = 0; i < n; i++) fs.renameSync(path.join(root, from[i]), path.join(root, to[i]));
  const want = new Map(from.map((f, i) => [f, to[i]]));
  const paired = () => r.renames.filter(([o, p]) => want.get(o) === p).length;
  const ended = await waitUntil(() => paired() === n, { quietMs: cfg.quietMs, maxMs: cfg.maxMs, since: now() });
  await quiet(cfg.settleMs, cfg.maxMs);
  r.stop();
  const pairedN = paired();
  const pairedSet = new Set(r.renames.filter(([o, p]) => want.get(o) === p).map(([o]) => o));
  let deleteCreate = 0;
  let missing = 0;
  for (let i = 0; i < n; i++) {
    if (pairedSet.has(from[i])) continue;
    if (r.deletes.has(from[i]) && r.creates.has(to[i])) deleteCreate++;
    else missing++;
  }
  return {
    pre,
    renames: n,
    ended,
    ms: now() - t0,
    paired: pairedN,
    pairedSameDir: [...pairedSet].filter((o) => from.indexOf(o) < n / 2).length,
    pairedAcross: [...pairedSet].filter((o) => from.indexOf(o) >= n / 2).length,
    wrongRenames: r.renames.length - pairedN,
    deleteCreate,
    missing,
    types: r.types,
  };
}

async function mkdirFill() {
  const top = `wb-mkdir-${process.pid}`;
  const pre = await mkdirs([top]);
  const files = [];
  const r = recorder(top);
  const t0 = now();
  for (let i = 0; i < cfg.mkdirs; i++) {
    const d = `${top}/d${i}`;
    fs.mkdirSync(path.join(root, d));
    for (let j = 0; j < cfg.mkdirFiles; j++) {
      const f = `${d}/f${j}`;
      fs.writeFileSync(path.join(root, f), 'x');
      files.push(f);
    }
  }
  const writeMs = now() - t0;
  const ended = await waitUntil(() => files.every((f) => r.creates.has(f)), { quietMs: cfg.quietMs, maxMs: cfg.maxMs, since: now() });
  const endedAt = now() - t0;
  await quiet(cfg.settleMs, cfg.maxMs);
  r.stop();
  const reported = files.filter((f) => r.creates.has(f)).length;
  const dirs = Array.from({ length: cfg.mkdirs }, (_, i) => `${top}/d${i}`).filter((d) => r.creates.has(d)).length;
  return {
    pre,
    writeMs,
    ended,
    endedAt,
    firstEventMs: r.firstAt() ? r.firstAt() - t0 : null,
    files: files.length,
    reported,
    missing: files.length - reported,
    dirsReported: dirs,
    types: r.types,
  };
}

async function burst() {
  const top = `wb-burst-${process.pid}`;
  const pre = await mkdirs([top]);
  const files = Array.from({ length: cfg.burstFiles }, (_, i) => `${top}/f${i}`);
  const r = recorder(top);
  const t0 = now();
  for (const f of files) fs.writeFileSync(path.join(root, f), 'b');
  const writeMs = now() - t0;
  const ended = await waitUntil(() => files.every((f) => r.creates.has(f)), { quietMs: cfg.quietMs, maxMs: cfg.maxMs, since: now() });
  await quiet(cfg.settleMs, cfg.maxMs);
  r.stop();
  let reported = 0;
  let dupEvents = 0;
  for (const f of files) {
    const k = r.creates.get(f) ?? 0;
    if (k) reported++;
    if (k > 1) dupEvents += k - 1;
  }
  return {
    pre,
    writeMs,
    ended,
    files: files.length,
    reported,
    missing: files.length - reported,
    duplicateCreates: dupEvents,
    lastCreateMsAfterStart: r.lastCreateAt() ? r.lastCreateAt() - t0 : null,
    types: r.types,
  };
}

// --- main ------------------------------------------------------------------------------------------------------------
const result = { name, mode: cfg.mode, node: process.version, platform: process.platform, warnings };
const cleanup = [];
let handle;
try {
  const adapter = contenders[name];
  let mod;
  try {
    mod = await adapter.load();
  } catch (e) {
    result.loadError = String(e?.stack ?? e);
    throw e;
  }
  const t0 = now();
  handle = await adapter.start(mod, deliver, warn);
  result.readyMs = now() - t0;
  if (handle.notReady) result.notReady = true;
  else if (cfg.mode === 'full') {
    await quiet(cfg.settleMs, cfg.maxMs);
    result.scenarios = {};
    for (const [k, fn] of [
      ['rename', renames],
      ['mkdir', mkdirFill],
      ['burst', burst],
    ].filter(([k]) => !cfg.only || cfg.only.includes(k))) {
      cleanup.push(path.join(root, `wb-${k}-${process.pid}`));
      const t = now();
      result.scenarios[k] = await fn();
      result.scenarios[k].wallMs = now() - t;
    }
  }
  result.mkdirLatencyMs = mkdirLatency;
  await handle.close();
} catch (e) {
  result.error = String(e?.stack ?? e);
}
for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
process.exit(0);
