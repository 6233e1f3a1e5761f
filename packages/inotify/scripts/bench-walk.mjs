#!/usr/bin/env node
// Ready-time benchmark: vigil's native watch-then-list walker (watchTree)
// against the C floor (bench/floor/inotify-walk.c) on the same tree.
//
//   node packages/inotify/scripts/bench-walk.mjs [--runs 7] [--tree DIR]
//
// Without --tree it generates 2,221 directories / 100,000 files on /dev/shm
// (tmpfs: see environment.md on ext4 after mass deletions) and deletes them
// afterwards. Each run is a fresh process and a fresh inotify instance; runs
// alternate floor/vigil so cache effects hit both alike. Needs the package
// built (dist/) and a C compiler.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(pkg, '..', '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const runs = Number(opt('runs', '7'));
let tree = opt('tree');
const generated = !tree;

if (generated) {
  tree = path.join(existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), `vigil-walk-bench-${process.pid}`);
  mkdirSync(tree);
  let files = 0;
  for (let a = 0; a < 20; a++) {
    for (let b = 0; b < 10; b++) {
      for (let c = 0; c < 10; c++) {
        const dir = path.join(tree, `a${a}`, `b${b}`, `c${c}`);
        mkdirSync(dir, { recursive: true });
        for (let f = 0; f < 50; f++, files++) closeSync(openSync(path.join(dir, `file${f}.txt`), 'w'));
      }
    }
  }
  process.stderr.write(`generated ${tree}: 2221 directories, ${files} files\n`);
}

const floorBin = path.join(os.tmpdir(), 'vigil-inotify-walk-floor');
execFileSync('cc', ['-O2', '-Wall', '-o', floorBin, path.join(repo, 'bench', 'floor', 'inotify-walk.c')]);

const vigilScript = `
const { Inotify, IN, watchTree, requireInotifyAddon } = await import(${JSON.stringify(path.join(pkg, 'dist', 'index.js'))});
requireInotifyAddon(); // dlopen is process start-up, as exec is for the C floor; timed from inotify_init1 on
const MASK = IN.IN_CREATE | IN.IN_DELETE | IN.IN_MOVE | IN.IN_MODIFY | IN.IN_CLOSE_WRITE | IN.IN_ATTRIB |
  IN.IN_DELETE_SELF | IN.IN_MOVE_SELF | IN.IN_ONLYDIR | IN.IN_DONT_FOLLOW | IN.IN_EXCL_UNLINK;
const t0 = performance.now();
const ino = new Inotify();
const s = await watchTree(ino, [process.argv[1]], MASK, { concurrency: Number(process.argv[2]) });
const ms = performance.now() - t0;
console.log(JSON.stringify({ dirs: s.directories, entries: s.entries, ms: +ms.toFixed(2), failed: s.failed.length }));
await ino.close();
`;

function runFloor() {
  return JSON.parse(execFileSync(floorBin, [tree], { encoding: 'utf8' }));
}
function runVigil(concurrency) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', vigilScript, tree, String(concurrency)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs) => Math.min(...xs);

try {
  runFloor(); // warm the dentry cache once, for both
  const floor = [];
  const vigil1 = [];
  const vigil2 = [];
  let shape;
  for (let i = 0; i < runs; i++) {
    const f = runFloor();
    floor.push(f.ms);
    const v1 = runVigil(1);
    vigil1.push(v1.ms);
    const v2 = runVigil(2);
    vigil2.push(v2.ms);
    shape = { floor: f, vigil: v2 };
  }
  const fs = statfsSync(tree);
  const fsName = fs.type === 0x01021994 ? 'tmpfs' : `fs type 0x${fs.type.toString(16)}`;
  const fm = median(floor);
  console.log(`tree: ${tree} (${fsName}); ${shape.floor.dirs} dirs, ${shape.floor.entries} entries; ${runs} runs, median ms`);
  const line = (label, xs) =>
    `${label} median ${median(xs).toFixed(1)} ms (${(median(xs) / fm).toFixed(2)}x), ` +
    `min ${min(xs).toFixed(1)} ms (${(min(xs) / min(floor)).toFixed(2)}x)   [${xs.join(', ')}]`;
  console.log(`C floor (opendir/readdir + inotify_add_watch): median ${fm.toFixed(1)} ms, min ${min(floor).toFixed(1)} ms   [${floor.join(', ')}]`);
  console.log(line('vigil watchTree, concurrency 1:          ', vigil1));
  console.log(line('vigil watchTree, concurrency 2 (default):', vigil2));
  console.log(
    `load average during the run: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} on ${os.cpus().length} CPUs`,
  );
  if (shape.vigil.dirs !== shape.floor.dirs || shape.vigil.entries !== shape.floor.entries) {
    console.log(`MISMATCH: vigil saw ${shape.vigil.dirs} dirs / ${shape.vigil.entries} entries`);
    process.exitCode = 1;
  }
} finally {
  if (generated) rmSync(tree, { recursive: true, force: true });
}
