#!/usr/bin/env node
// Builds the inotify addon with node-gyp (against the installed Node headers,
// never downloaded ones) and copies it to the layout the loader reads first:
//   packages/inotify/prebuilds/<platform>-<arch>-<libc>/vigil_inotify.node
// e.g. prebuilds/linux-x64-glibc/. N-API 8, so one binary serves every Node >= 20.
//
//   node packages/inotify/scripts/prebuild.mjs
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(pkg, '..', '..');
const native = path.join(repo, 'native', 'inotify');

if (process.platform !== 'linux') {
  console.error(`prebuild: inotify exists only on Linux; this is ${process.platform}`);
  process.exit(1);
}
let libc = 'glibc';
try {
  if (/\/ld-musl-|\/libc\.musl-/.test(readFileSync('/proc/self/maps', 'utf8'))) libc = 'musl';
} catch {}
const target = `${process.platform}-${process.arch}-${libc}`;

const headers = [path.resolve(process.execPath, '..', '..'), '/usr', '/usr/local']
  .find((p) => existsSync(path.join(p, 'include', 'node', 'node_api.h')));
const nodeGyp = path.join(repo, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const r = spawnSync(process.execPath, [nodeGyp, 'rebuild', '--jobs', 'max', ...(headers ? [`--nodedir=${headers}`] : [])],
  { cwd: native, stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

const outDir = path.join(pkg, 'prebuilds', target);
mkdirSync(outDir, { recursive: true });
const out = path.join(outDir, 'vigil_inotify.node');
copyFileSync(path.join(native, 'build', 'Release', 'vigil_inotify.node'), out);
console.log(`prebuild: ${path.relative(repo, out)}`);
