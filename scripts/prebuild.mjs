#!/usr/bin/env node
// Builds the prebuilt addons that ship in the per-platform packages
// (packages/prebuilt/<addon>-<triple>/), for every target in scripts/targets.mjs
// this machine can build: linux-x64-glibc natively, linux-arm64-glibc with
// Debian's aarch64-linux-gnu cross compiler, both with node-gyp against the
// same Node headers (N-API: one binary serves every Node version).
//
// Each build runs in .prebuild/<addon>-<triple>/ (a copy of native/<addon>), so
// the workspace's own build in native/<addon>/build is left alone. Release
// binaries are stripped; they link libstdc++ dynamically, as Node itself does
// (linking it statically would pull in glibc 2.35/2.36 symbols, raising the
// glibc a target needs from 2.34 to 2.36). A binary newer than its sources is
// kept.
//
//   node scripts/prebuild.mjs                       every target whose toolchain is installed
//   node scripts/prebuild.mjs linux-arm64-glibc     those targets; a missing toolchain is an error
//   CI=true node scripts/prebuild.mjs               every target; a missing toolchain is an error
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { elfMachine, onPath, prebuiltPackages, root, targets } from './targets.mjs';

const strict = process.env.CI === 'true' || process.env.CI === '1';
const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const force = process.argv.includes('--force');

function log(msg) {
  process.stderr.write(`[prebuild] ${msg}\n`);
}

function newestMtime(p) {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(p)) {
    if (name === 'build' || name === 'node_modules' || name === 'test') continue;
    newest = Math.max(newest, newestMtime(path.join(p, name)));
  }
  return newest;
}

function nodeHeadersDir() {
  for (const prefix of [path.resolve(process.execPath, '..', '..'), '/usr', '/usr/local']) {
    if (existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  }
  return undefined;
}

const unknown = asked.filter((t) => !targets.some((x) => x.triple === t));
if (unknown.length) {
  log(`error: unknown target ${unknown.join(', ')}; known: ${targets.map((t) => t.triple).join(', ')}`);
  process.exit(2);
}
const nodeGyp = path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const headers = nodeHeadersDir();
if (!existsSync(nodeGyp) || !headers) {
  log(`error: ${!existsSync(nodeGyp) ? 'node-gyp is not installed (run node scripts/setup.mjs)' : 'no Node headers (include/node/node_api.h) found'}`);
  process.exit(1);
}

const started = Date.now();
const failures = [];
const built = [];
for (const target of targets) {
  if (asked.length && !asked.includes(target.triple)) continue;
  const missing = target.tools.filter((t) => !onPath(t));
  if (missing.length) {
    const msg = `${target.triple}: cannot build here, missing ${missing.join(', ')}${target.foreign ? ` (apt-get install ${target.foreign.apt.join(' ')})` : ''}`;
    if (strict || asked.length) failures.push(msg);
    else log(`skipping ${msg}`);
    continue;
  }
  for (const pkg of prebuiltPackages(target.triple)) {
    const src = path.join(root, 'native', pkg.addon);
    if (!existsSync(path.join(src, 'binding.gyp'))) {
      failures.push(`${pkg.name}: no native/${pkg.addon}/binding.gyp to build it from`);
      continue;
    }
    const out = path.join(pkg.dir, pkg.file);
    const inputs = Math.max(newestMtime(src), statSync(new URL(import.meta.url)).mtimeMs, statSync(path.join(root, 'scripts', 'targets.mjs')).mtimeMs);
    if (!force && existsSync(out) && statSync(out).mtimeMs > inputs && elfMachine(out) === target.elfMachine) {
      log(`${pkg.name}: up to date`);
      continue;
    }
    const t0 = Date.now();
    const work = path.join(root, '.prebuild', `${pkg.addon}-${target.triple}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    for (const name of readdirSync(src)) {
      if (name !== 'build' && name !== 'test') cpSync(path.join(src, name), path.join(work, name), { recursive: true });
    }
    const env = { ...process.env, ...target.env };
    const r = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--arch=${target.cpu}`, `--nodedir=${headers}`, '--jobs', 'max'], {
      cwd: work,
      env,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const binary = path.join(work, 'build', 'Release', pkg.file);
    if (r.status !== 0 || !existsSync(binary)) {
      process.stderr.write(`${r.stdout}\n${r.stderr}\n`);
      failures.push(`${pkg.name}: node-gyp exited with ${r.status}`);
      continue;
    }
    const s = spawnSync(target.strip, ['--strip-unneeded', binary], { encoding: 'utf8' });
    if (s.status !== 0) {
      failures.push(`${pkg.name}: ${target.strip} failed: ${s.stderr}`);
      continue;
    }
    const machine = elfMachine(binary);
    if (machine !== target.elfMachine) {
      failures.push(`${pkg.name}: built an ELF for machine ${machine}, expected ${target.elfMachine}`);
      continue;
    }
    copyFileSync(binary, out);
    built.push(pkg.name);
    log(`${pkg.name}: built ${pkg.file} (${(statSync(out).size / 1024).toFixed(0)} KiB) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
}
if (failures.length) {
  log(`error:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s (${built.length} built)`);
