// Runs native/rdcw/test/wine-smoke.cjs in a Windows node.exe under Wine
// (scripts/wine/node.mjs), answering its requests for changes made from the
// Linux side. Shared by the Wine tests in this folder.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const wineScript = path.join(root, 'scripts', 'wine', 'node.mjs');
export const addon = path.join(root, 'packages', 'prebuilt', 'rdcw-win32-x64', 'vigil_rdcw.node');
export const smokeScript = path.join(root, 'native', 'rdcw', 'test', 'wine-smoke.cjs');
export const strict = process.env.CI === 'true' || process.env.CI === '1';

/** /a/b on Linux is Z:\a\b in Wine. */
export function toWinePath(p: string): string {
  return `Z:${path.resolve(p).replaceAll('/', '\\')}`;
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, cmd)));
}

/**
 * Why the Wine tests cannot run here, or undefined when they can. Under CI
 * nothing is a reason: a missing Wine or compiler fails the tests instead.
 */
export function wineSkipReason(): string | undefined {
  if (strict) return undefined;
  if (process.platform !== 'linux' || process.arch !== 'x64') return `Wine tests run on linux-x64 only (this is ${process.platform}-${process.arch})`;
  if (!onPath('wine')) return 'wine is not installed (apt-get install wine wine64 g++-mingw-w64-x86-64-posix)';
  if (!fs.existsSync(addon) && !onPath('x86_64-w64-mingw32-g++-posix')) return 'no win32 rdcw addon and no mingw-w64 to build one';
  return undefined;
}

/**
 * Runs `fn` holding a lock shared by every test file here (vitest runs two
 * files at once): two builds in the same scratch directory, or two
 * `wineboot --init` on one prefix, would break each other.
 */
function withLock<T>(fn: () => T): T {
  const lock = path.join(root, 'node_modules', '.cache', 'vigil-wine.lock');
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  const deadline = Date.now() + 180_000;
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // A lock left by a killed run is older than any real build + prefix (~40 s).
      if (Date.now() - fs.statSync(lock).mtimeMs > 120_000) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`${lock} held for 180 s`);
      Atomics.wait(nap, 0, 0, 200);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds the win32 addon if it is missing or stale (scripts/prebuild.mjs), fetches node.exe, makes the Wine prefix. */
export function prepareWine(): void {
  withLock(prepareWineNow);
}

function prepareWineNow(): void {
  const b = spawnSync(process.execPath, [path.join(root, 'scripts', 'prebuild.mjs'), 'win32-x64'], { cwd: root, encoding: 'utf8' });
  if (b.status !== 0) throw new Error(`building the win32 rdcw addon failed:\n${b.stderr}`);
  const s = spawnSync(process.execPath, [wineScript, '--setup'], { cwd: root, encoding: 'utf8' });
  if (s.status !== 0) throw new Error(`setting up Wine failed:\n${s.stderr}`);
}

/** Runs tests/wine/conformance-wine.mjs in node.exe with the win32 addon; resolves its stdout and status. */
export async function runConformanceUnderWine(
  ids: string[] = [],
  timeoutMs = 420_000,
): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = Date.now();
  const child = spawn(process.execPath, [wineScript, toWinePath(path.join(root, 'tests', 'wine', 'conformance-wine.mjs')), ...ids], {
    cwd: root,
    env: { ...process.env, VIGIL_WINE_TIMEOUT_MS: String(timeoutMs), VIGIL_RDCW_ADDON: toWinePath(addon) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { status, stdout, stderr, ms: Date.now() - t0 };
}

/** Changes the Linux side makes when the smoke script asks for the step of that name. */
export type LinuxSteps = Record<string, (dir: string) => void>;

export interface SmokeRun {
  status: number | null;
  /** The RESULT line's JSON, or undefined when there was none. */
  result: Record<string, unknown> | undefined;
  stdout: string;
  stderr: string;
  ms: number;
  dir: string;
  control: string;
}

/** How to run a scenario: the Linux side's steps, a deadline, node.exe's own flags, extra environment. */
export interface SmokeOptions {
  linux?: LinuxSteps;
  timeoutMs?: number;
  nodeArgs?: string[];
  env?: Record<string, string>;
  /**
   * Called with the name of every other file node.exe writes into the control directory (e.g. `cycle-50`);
   * node.exe waits until it has returned (the harness then writes `ack-<name>`).
   */
  onControl?: (name: string) => void;
}

/** Runs one scenario of wine-smoke.cjs; resolves when node.exe has exited (killed after `timeoutMs`). */
export async function runSmoke(scenario: string, opts: SmokeOptions = {}): Promise<SmokeRun> {
  const { linux = {}, timeoutMs = 60_000, nodeArgs = [], env = {}, onControl } = opts;
  const seen = new Set<string>();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `vigil-wine-${scenario}-`));
  const dir = path.join(scratch, 'w');
  const control = path.join(scratch, 'c');
  fs.mkdirSync(dir);
  fs.mkdirSync(control);
  const t0 = Date.now();
  const child = spawn(process.execPath, [wineScript, ...nodeArgs, toWinePath(smokeScript), toWinePath(addon), scenario, toWinePath(dir), toWinePath(control)], {
    cwd: root,
    env: { ...process.env, VIGIL_WINE_TIMEOUT_MS: String(timeoutMs), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // Answer "want-<step>" files: do the Linux side's changes, then make the cookie it names. Any other file
  // node.exe writes is a handshake: look (onControl), then say so with ack-<name>, which node.exe waits for.
  const poll = setInterval(() => {
    for (const f of fs.readdirSync(control)) {
      if (f.startsWith('ack-')) continue; // ours
      if (!f.startsWith('want-')) {
        if (seen.has(f)) continue;
        seen.add(f);
        try {
          onControl?.(f);
        } finally {
          fs.writeFileSync(path.join(control, `ack-${f}`), '');
        }
        continue;
      }
      const want = path.join(control, f);
      const cookie = fs.readFileSync(want, 'utf8');
      if (!cookie) continue; // written but not yet filled
      fs.rmSync(want);
      const step = f.slice('want-'.length);
      const ops = linux[step];
      if (!ops) {
        stderr += `harness: no Linux step ${step}\n`;
      } else {
        try {
          ops(dir);
        } catch (e) {
          stderr += `harness: Linux step ${step} threw ${String(e)}\n`;
        }
      }
      fs.writeFileSync(path.join(dir, cookie), '');
    }
  }, 20);
  const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearInterval(poll);
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  const result = line ? (JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>) : undefined;
  return { status, result, stdout, stderr, ms: Date.now() - t0, dir, control };
}

/** The Linux steps of the `basic` scenario: a file made, renamed and deleted by a Linux process. */
export const basicLinuxSteps: LinuxSteps = {
  'linux-create': (dir) => fs.writeFileSync(path.join(dir, 'linux.txt'), 'from linux'),
  'linux-rename': (dir) => fs.renameSync(path.join(dir, 'linux.txt'), path.join(dir, 'linux2.txt')),
  'linux-delete': (dir) => fs.unlinkSync(path.join(dir, 'linux2.txt')),
};

/** The wineserver of our prefix (its cwd is /tmp/.wine-<uid>/server-<dev>-<inode> of the prefix), or undefined. */
export function wineserverPid(): number | undefined {
  const prefix = process.env.VIGIL_WINE_CACHE
    ? path.join(path.resolve(process.env.VIGIL_WINE_CACHE), 'prefix')
    : path.join(root, 'node_modules', '.cache', 'vigil-wine', 'prefix');
  if (!fs.existsSync(prefix)) return undefined;
  const st = fs.statSync(prefix);
  const serverDir = `server-${st.dev.toString(16)}-${st.ino.toString(16)}`;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/cwd`).endsWith(serverDir)) return Number(pid);
    } catch {}
  }
  return undefined;
}

/** Open fds of a process (a Windows handle to a file or directory is one in the wineserver), or undefined. */
export function fdCount(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** inotify watches the process holds (Wine's ReadDirectoryChangesW is built on them in the wineserver), or undefined. */
export function inotifyWatches(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    let n = 0;
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      let target = '';
      try {
        target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (target !== 'anon_inode:inotify') continue;
      n += fs
        .readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('inotify wd:')).length;
    }
    return n;
  } catch {
    return undefined;
  }
}
