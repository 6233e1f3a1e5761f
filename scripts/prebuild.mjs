#!/usr/bin/env node
// Builds the prebuilt addons that ship in the per-platform packages
// (packages/prebuilt/<addon>-<triple>/), for every target in scripts/targets.mjs
// this machine can build: linux-x64-glibc natively, linux-arm64-glibc with
// Debian's aarch64-linux-gnu cross compiler (both node-gyp against the same
// Node headers: N-API, one binary serves every Node version), and win32-x64
// with mingw-w64 (scripts/build-addon.mjs says how).
//
// Each build runs in .prebuild/<addon>-<triple>/ (a copy of native/<addon>), so
// the workspace's own build in native/<addon>/build is left alone. Release
// binaries are stripped; on Linux they link libstdc++ dynamically, as Node
// itself does (linking it statically would pull in glibc 2.35/2.36 symbols,
// raising the glibc a target needs from 2.34 to 2.36). A binary newer than its
// sources is kept.
//
//   node scripts/prebuild.mjs                       every target whose toolchain is installed
//   node scripts/prebuild.mjs win32-x64             those targets; a missing toolchain is an error
//   CI=true node scripts/prebuild.mjs               every target; a missing toolchain is an error
import { copyFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildAddon, newestMtime } from './build-addon.mjs';
import { binaryKind, onPath, prebuiltPackages, root, targets } from './targets.mjs';

const strict = process.env.CI === 'true' || process.env.CI === '1';
const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const force = process.argv.includes('--force');

function log(msg) {
  process.stderr.write(`[prebuild] ${msg}\n`);
}

const unknown = asked.filter((t) => !targets.some((x) => x.triple === t));
if (unknown.length) {
  log(`error: unknown target ${unknown.join(', ')}; known: ${targets.map((t) => t.triple).join(', ')}`);
  process.exit(2);
}

const started = Date.now();
const failures = [];
const built = [];
const scripts = ['prebuild.mjs', 'targets.mjs', 'build-addon.mjs'].map((f) => statSync(path.join(root, 'scripts', f)).mtimeMs);
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
    const inputs = Math.max(newestMtime(src), ...scripts);
    const kind = existsSync(out) ? binaryKind(out) : undefined;
    if (!force && kind && statSync(out).mtimeMs > inputs && kind.format === target.binary.format && kind.machine === target.binary.machine) {
      log(`${pkg.name}: up to date`);
      continue;
    }
    const r = await buildAddon(target, pkg.addon, { work: path.join(root, '.prebuild', `${pkg.addon}-${target.triple}`) });
    if (!r.ok) {
      process.stderr.write(`${r.output}\n`);
      failures.push(`${pkg.name}: ${r.error}`);
      continue;
    }
    copyFileSync(r.binary, out);
    built.push(pkg.name);
    log(`${pkg.name}: built ${pkg.file} (${(statSync(out).size / 1024).toFixed(0)} KiB) in ${(r.ms / 1000).toFixed(1)} s`);
  }
}
if (failures.length) {
  log(`error:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s (${built.length} built)`);
