#!/usr/bin/env node
// One step that makes a fresh clone usable: installs dependencies with pnpm,
// builds the native addons with node-gyp against the installed Node headers,
// and builds every TypeScript package with tsup. Each step is skipped when its
// output is newer than its inputs, so running it before every command is cheap.
//
//   node scripts/setup.mjs               install + native + TypeScript
//   node scripts/setup.mjs --build-only  skip the install
//   node scripts/setup.mjs --win32       also the win32-x64 prebuilt addons (mingw-w64; for tests/wine)
//   node scripts/setup.mjs --prebuild    also every target's prebuilt addons (as CI does)
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildAddon, newestMtime } from './build-addon.mjs';
import { runPnpm } from './pnpm.mjs';
import { hostTriple, root, targets } from './targets.mjs';

const strict = process.env.CI === 'true' || process.env.CI === '1';
const args = new Set(process.argv.slice(2));

function log(msg) {
  process.stderr.write(`[setup] ${msg}\n`);
}

function fail(msg) {
  log(`error: ${msg}`);
  process.exit(1);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) fail(`Node >= 20.19 is required, this is ${process.version}`);

// 1. Dependencies.
if (!args.has('--build-only')) {
  const stamp = path.join(root, 'node_modules', '.modules.yaml');
  const inputs = [path.join(root, 'pnpm-lock.yaml'), path.join(root, 'pnpm-workspace.yaml'), path.join(root, 'package.json')];
  for (const dir of ['packages', 'bench']) {
    const base = path.join(root, dir);
    if (!existsSync(base)) continue;
    if (existsSync(path.join(base, 'package.json'))) inputs.push(path.join(base, 'package.json'));
    for (const name of readdirSync(base)) inputs.push(path.join(base, name, 'package.json'));
  }
  const stale = !existsSync(stamp) || inputs.some((f) => existsSync(f) && statSync(f).mtimeMs > statSync(stamp).mtimeMs);
  if (stale) {
    log('installing dependencies (pnpm install)');
    const frozen = strict && existsSync(path.join(root, 'pnpm-lock.yaml')) ? ['--frozen-lockfile'] : [];
    if (runPnpm(['install', ...frozen], { cwd: root }) !== 0) fail('pnpm install failed');
  }
}

// 2. Native addons: every native/<name>/binding.gyp, built for this machine
// in place (scripts/build-addon.mjs; on Linux the rdcw addon builds as a stub
// that reports `unsupported`).
const host = targets.find((t) => t.triple === hostTriple()) ?? { triple: hostTriple(), os: process.platform, cpu: process.arch, toolchain: 'node-gyp' };
const nativeRoot = path.join(root, 'native');
const nativeFailures = [];
if (existsSync(nativeRoot)) {
  for (const name of readdirSync(nativeRoot)) {
    const dir = path.join(nativeRoot, name);
    if (!existsSync(path.join(dir, 'binding.gyp'))) continue;
    const release = path.join(dir, 'build', 'Release');
    const built = existsSync(release) ? readdirSync(release).filter((f) => f.endsWith('.node')) : [];
    const builtAt = built.length ? Math.min(...built.map((f) => statSync(path.join(release, f)).mtimeMs)) : 0;
    if (builtAt > newestMtime(dir)) continue;
    log(`building native/${name} for ${host.triple}`);
    const r = await buildAddon(host, name);
    if (!r.ok) {
      // node-gyp is chatty; show its output only when it failed.
      process.stderr.write(`${r.output}\n`);
      nativeFailures.push(`${name}: ${r.error}`);
    }
  }
  // The per-platform package of this machine gets the fresh build, so the
  // workspace loads addons the way an installed vigil does (the prebuilt
  // package first; see packages/native-loader).
  for (const name of readdirSync(nativeRoot)) {
    const release = path.join(nativeRoot, name, 'build', 'Release');
    const pkg = path.join(root, 'packages', 'prebuilt', `${name}-${hostTriple()}`);
    if (!existsSync(path.join(pkg, 'package.json')) || !existsSync(release)) continue;
    for (const f of readdirSync(release).filter((f) => f.endsWith('.node'))) {
      const from = path.join(release, f);
      const to = path.join(pkg, f);
      if (!existsSync(to) || statSync(to).mtimeMs < statSync(from).mtimeMs) copyFileSync(from, to);
    }
  }
}
if (nativeFailures.length) {
  const msg =
    `native build failed:\n  ${nativeFailures.join('\n  ')}\n` +
    'The backends that need these addons will report BACKEND_UNAVAILABLE; vigil falls back to polling.';
  if (strict) fail(msg);
  log(`warning: ${msg}`);
}

// 2b. The prebuilt binaries of other targets (scripts/prebuild.mjs). In CI,
// every target this machine can build (linux-x64-glibc; linux-arm64-glibc with
// the aarch64 cross compiler; win32-x64 with mingw-w64, ~8 s), which the
// install smoke (tests/install) and the Wine tests (tests/wine) load; a
// missing cross toolchain fails CI. Elsewhere only when asked: `--win32`
// builds the win32-x64 ones (for the Wine tests), `--prebuild` all of them.
const prebuildArgs = strict || args.has('--prebuild') ? [] : args.has('--win32') ? ['win32-x64'] : undefined;
if (prebuildArgs) {
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'prebuild.mjs'), ...prebuildArgs], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) fail('building the prebuilt binaries failed (scripts/prebuild.mjs)');
}

// 3. TypeScript packages, dependencies first.
const pkgsRoot = path.join(root, 'packages');
const pkgs = new Map();
for (const name of existsSync(pkgsRoot) ? readdirSync(pkgsRoot) : []) {
  const manifest = path.join(pkgsRoot, name, 'package.json');
  if (!existsSync(manifest)) continue;
  const json = JSON.parse(readFileSync(manifest, 'utf8'));
  pkgs.set(json.name, { dir: path.join(pkgsRoot, name), json });
}
const order = [];
const seen = new Set();
function visit(pkgName) {
  if (seen.has(pkgName)) return;
  seen.add(pkgName);
  const { json } = pkgs.get(pkgName);
  for (const dep of Object.keys({ ...json.dependencies, ...json.optionalDependencies, ...json.devDependencies })) {
    if (pkgs.has(dep)) visit(dep);
  }
  order.push(pkgName);
}
for (const pkgName of [...pkgs.keys()].sort()) visit(pkgName);

const tsup = path.join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js');
const tsSkip = ['node_modules', 'build', 'dist'];
for (const pkgName of order) {
  const { dir, json } = pkgs.get(pkgName);
  if (!json.scripts?.build || !existsSync(path.join(dir, 'tsup.config.ts'))) continue;
  const stampFile = path.join(dir, 'dist', '.build-stamp');
  const inputs = Math.max(
    newestMtime(path.join(dir, 'src'), tsSkip),
    newestMtime(path.join(dir, 'package.json'), tsSkip),
    newestMtime(path.join(dir, 'tsup.config.ts'), tsSkip),
    newestMtime(path.join(root, 'tsup.shared.ts'), tsSkip),
  );
  if (existsSync(stampFile) && statSync(stampFile).mtimeMs > inputs) continue;
  log(`building ${pkgName}`);
  const r = spawnSync(process.execPath, [tsup, '--silent'], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) fail(`building ${pkgName} failed`);
  writeFileSync(stampFile, '');
}
log('ready');
