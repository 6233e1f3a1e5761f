#!/usr/bin/env node
// The "build in a staging directory, then publish" pattern, as fast as a
// program does it: mkdir staging-i, write 10 files into it, rename it to
// published-i, for 50 directories; one empty directory renamed at once; then
// one more file written into each published directory (were the renamed
// directories watched?). Counts the paths vigil never reported and never knew
// (knownPaths()), over several runs, each in a fresh tree on /dev/shm.
//
//   node bench/publish-dirs.mjs [--vigil path/to/vigilfs/dist/index.js] [--runs 3] [--backend inotify]
//
// `--vigil` points at another build of vigil (an older commit), so the same
// command measures before and after a change (issue #9, item 1).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const arg = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const vigil = path.resolve(arg('--vigil', path.join(here, '..', 'packages', 'vigilfs', 'dist', 'index.js')));
const runs = Number(arg('--runs', 3));
const backend = arg('--backend', 'inotify');
const DIRS = 50;
const FILES = 10;
const QUIET_MS = 2000; // a run ends when every expected path is reported, or after this long with no event
const { watch } = await import(pathToFileURL(vigil).href);

async function oneRun() {
  const root = fs.mkdtempSync('/dev/shm/vigil-publish-dirs-');
  const watcher = await watch(root, { backend });
  const reported = new Set();
  let lastEvent = performance.now();
  watcher.on('events', (batch) => {
    lastEvent = performance.now();
    for (const e of batch) if (e.type !== 'delete') reported.add(e.path);
  });
  const expected = [];
  for (let i = 0; i < DIRS; i++) {
    const staging = path.join(root, `staging-${i}`);
    const published = path.join(root, `published-${i}`);
    fs.mkdirSync(staging);
    for (let f = 0; f < FILES; f++) fs.writeFileSync(path.join(staging, `f${f}`), 'data');
    fs.renameSync(staging, published);
    expected.push(published, ...Array.from({ length: FILES }, (_, f) => path.join(published, `f${f}`)));
  }
  fs.mkdirSync(path.join(root, 'empty-staging'));
  fs.renameSync(path.join(root, 'empty-staging'), path.join(root, 'empty-published'));
  expected.push(path.join(root, 'empty-published'));
  // Written after the renames: reported only if the renamed directories are watched.
  for (let i = 0; i < DIRS; i++) {
    const later = path.join(root, `published-${i}`, 'later');
    fs.writeFileSync(later, 'later');
    expected.push(later);
  }
  fs.writeFileSync(path.join(root, 'empty-published', 'later'), 'later');
  expected.push(path.join(root, 'empty-published', 'later'));
  const started = performance.now();
  lastEvent = started;
  await new Promise((resolve) => {
    const check = () => {
      if (expected.every((p) => reported.has(p)) || performance.now() - lastEvent > QUIET_MS) resolve();
      else setTimeout(check, 20);
    };
    check();
  });
  const known = new Set(watcher.knownPaths());
  await watcher.close();
  fs.rmSync(root, { recursive: true, force: true });
  return {
    expected: expected.length,
    notReported: expected.filter((p) => !reported.has(p)).length,
    neverKnown: expected.filter((p) => !reported.has(p) && !known.has(p)).length,
    ms: performance.now() - started,
  };
}

console.log(
  `publish-dirs: ${DIRS} directories of ${FILES} files created, filled and renamed at once, 1 empty one, then a file in each; backend ${backend}; vigil: ${vigil}`,
);
console.log('| run | expected paths | not reported | never known (not reported, not in knownPaths()) | time to last report (ms) |');
console.log('| --- | --- | --- | --- | --- |');
for (let r = 1; r <= runs; r++) {
  const x = await oneRun();
  console.log(`| ${r} | ${x.expected} | ${x.notReported} | ${x.neverKnown} | ${x.ms.toFixed(0)} |`);
}
