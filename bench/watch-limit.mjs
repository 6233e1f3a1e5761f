#!/usr/bin/env node
// What the watch-limit fallback costs: a tree of 2,041 directories watched by
// inotify with fs.inotify.max_user_watches lowered (for this run only, and
// restored after) so that about 1,541 directories get no watch, against the
// poll backend on the same tree. For each: idle CPU, and the delay from a
// create in a directory without a watch to its event.
//
//   node bench/watch-limit.mjs [--vigil path/to/vigilfs/dist/index.js] [--free N] [--runs inotify:500,poll:500]
//
// Needs root (it writes /proc/sys/fs/inotify/max_user_watches). The tree is on
// /dev/shm (tmpfs). `--vigil` points at another build of vigil (an older
// commit), so the same command measures before and after a change.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const vigil = path.resolve(arg('--vigil', path.join(here, '..', 'packages', 'vigilfs', 'dist', 'index.js')));
const free = Number(arg('--free', 500));
// `--runs inotify:500,poll:500` measures only those backend:pollInterval pairs.
const runs = arg('--runs', 'inotify:1000,inotify:500,poll:1000,poll:500')
  .split(',')
  .map((pair) => pair.split(':'))
  .map(([backend, ms]) => [backend, Number(ms)]);
const SYSCTL = '/proc/sys/fs/inotify/max_user_watches';

/** inotify watches this user holds now, in every process (the limit counts them all). */
function watchesInUse() {
  let n = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let fds;
    try {
      fds = fs.readdirSync(`/proc/${pid}/fdinfo`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        n += (fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').match(/^inotify wd:/gm) ?? []).length;
      } catch {
        // gone meanwhile
      }
    }
  }
  return n;
}

const root = fs.mkdtempSync('/dev/shm/vigil-watch-limit-');
const dirs = [];
for (let a = 0; a < 40; a++) {
  for (let b = 0; b < 50; b++) {
    const d = path.join(root, `a${String(a).padStart(2, '0')}`, `b${String(b).padStart(2, '0')}`);
    fs.mkdirSync(d, { recursive: true });
    for (let f = 0; f < 3; f++) fs.writeFileSync(path.join(d, `f${f}`), 'x');
    dirs.push(d);
  }
}
const dirCount = dirs.length + 40 + 1;

const original = fs.readFileSync(SYSCTL, 'utf8').trim();
const restore = () => fs.writeFileSync(SYSCTL, original);
process.on('SIGINT', () => {
  restore();
  process.exit(130);
});

function runChild(config) {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(here, 'lib', 'watch-limit-child.mjs'), [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', resolve);
    child.once('exit', (code) => (code ? reject(new Error(`child exited with ${code}`)) : undefined));
  });
}

const rows = [];
try {
  const limit = watchesInUse() + free;
  fs.writeFileSync(SYSCTL, String(limit));
  console.log(`tree: ${dirCount} directories on tmpfs (${root}); max_user_watches ${original} -> ${limit} for this run (${free} free); vigil: ${vigil}`);
  for (const [backend, pollInterval] of runs) {
    // 20 directories spread over the tree: which ones get the 500 watches depends on
    // walk order (tmpfs lists newest first), so most, not all, probes land in
    // unwatched directories and the median is theirs. File names are per run, so a
    // later run's probe is a create, not a write to an earlier run's file.
    const probeDirs = Array.from({ length: 20 }, (_, i) => dirs[Math.floor((i * dirs.length) / 20) + 7]);
    rows.push({ backend, pollInterval, ...(await runChild({ vigil, root, backend, pollInterval, probeDirs, tag: `${backend}-${pollInterval}` })) });
  }
} finally {
  restore();
  fs.rmSync(root, { recursive: true, force: true });
}
console.log(`max_user_watches restored to ${fs.readFileSync(SYSCTL, 'utf8').trim()}`);
// A delay is null when every probe was missed (NaN does not survive IPC).
const ms = (v) => (v === null || Number.isNaN(v) ? '—' : v.toFixed(0));
console.log('| backend | pollInterval | watch limit warning | idle CPU (ms/s) | create in an unwatched dir → event: median / max (ms) | missed |');
console.log('| --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  console.log(
    `| ${r.backend} | ${r.pollInterval} | ${r.limitWarning ? 'yes' : 'no'} | ${r.idleCpuMsPerS.toFixed(1)} | ${ms(r.latencyMedian)} / ${ms(r.latencyMax)} | ${r.missed} |`,
  );
}
