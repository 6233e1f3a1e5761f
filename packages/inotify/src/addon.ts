/**
 * Finds and loads the native addon (`vigil_inotify.node`). Looks, in order:
 *
 * 1. `$VIGIL_INOTIFY_ADDON`, when set (an explicit file; for debugging builds),
 * 2. `<package>/prebuilds/<platform>-<arch>-<libc>/vigil_inotify.node`
 *    (libc is `glibc` or `musl`; made by `scripts/prebuild.mjs`),
 * 3. `<repo>/native/inotify/build/Release/vigil_inotify.node` (the local
 *    node-gyp build of a workspace checkout).
 *
 * `<package>` is found from this module's URL, which works from `src/` (tests)
 * and `dist/` (built, ESM and CJS) alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, VigilError } from '@vigilfs/core';

/** An OS error as the addon returns it: data, never thrown. */
export interface SysErrorData {
  /** Symbolic errno, e.g. `'ENOSPC'`. */
  errno: string;
  /** The failing call, e.g. `'inotify_add_watch'`. */
  syscall: string;
}

/** The addon's `InotifyReader`: one inotify fd and its reader thread (see native/inotify/src/inotify_reader.h). */
export interface NativeInotifyReader {
  /** inotify_init1(IN_NONBLOCK|IN_CLOEXEC). */
  open(): SysErrorData | undefined;
  /** inotify_add_watch; the mask is passed through unchanged. */
  addWatch(path: Buffer, mask: number): number | SysErrorData;
  /** inotify_rm_watch. */
  removeWatch(wd: number): SysErrorData | undefined;
  /**
   * Starts the reader thread; `onBatch(batch)` with the records of one or more
   * read(2)s (those made while JS was busy are joined) in the layout that
   * {@link decodeBatch} reads, or `onBatch(null, error)` once if reading fails.
   */
  start(
    onBatch: (batch: Buffer | null, error?: SysErrorData) => void,
    bufferSize?: number,
    maxBytesInFlight?: number,
    watchMounts?: boolean,
  ): SysErrorData | undefined;
  /** The started reader keeps the event loop alive (the default). */
  ref(): void;
  /** The started reader does not keep the event loop alive. */
  unref(): void;
  /** Stops and joins the thread, closes the fd. No onBatch call runs after it returns. */
  close(): void;
  /** Bytes read but not yet handed to onBatch, plus bytes the kernel holds unread (FIONREAD), plus 1 during a read: 0 only when nothing is on its way. */
  pendingBytes(): number;
  /** Test hook: watches whose wd would exceed `maxWd` fail with ENOSPC, as at fs.inotify.max_user_watches. */
  setWatchLimit(maxWd: number): void;
  /** The inotify descriptor, -1 when not open. */
  readonly fd: number;
}

/** What `vigil_inotify.node` exports. */
export interface InotifyAddon {
  /** One inotify instance. */
  InotifyReader: new () => NativeInotifyReader;
  /** One watch-then-list level on the thread pool; `packed` is read by {@link decodeWalk}. */
  walk(
    reader: NativeInotifyReader,
    /** Paths: a string for a valid UTF-8 path, a Buffer for exact bytes. */
    dirs: readonly (string | Buffer)[],
    mask: number,
    /** WALK_STATS (1): lstat every entry and fstat each directory (a rescan's identities). */
    flags: number,
    cb: (error: Error | null, packed: Buffer) => void,
  ): void;
  /** `'ENOENT'` for 2. */
  errnoName(errno: number): string;
  /** One `DT_*` per path (`DT_UNKNOWN` where lstat fails); `paths` holds `count` NUL-terminated paths. Synchronous. */
  lstatTypes(paths: Buffer, count: number): Uint8Array;
  /** The `IN_*` and `DT_*` values from the C headers the addon was built with. */
  constants: Readonly<Record<string, number>>;
  /** Layout version of the addon's buffers and functions (4). */
  abiVersion: number;
}

/** Result of {@link loadInotifyAddon}: the addon, or why there is none. */
export type AddonLoadResult = { ok: true; addon: InotifyAddon; file: string } | { ok: false; reason: string };

/** The addon ABI this package reads. */
const ABI_VERSION = 4;
const FILE_NAME = 'vigil_inotify.node';

/** This package's root directory (`packages/inotify` in the workspace). */
function packageDir(): string {
  // src/addon.ts and dist/index.{js,cjs} both sit one level below the package.
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
}

/** `glibc` or `musl`, as the prebuild directory names it. */
export function detectLibc(): 'glibc' | 'musl' {
  // The libraries mapped into this process name the libc; reading them costs
  // ~1 ms where process.report.getReport() costs 10-20 ms.
  try {
    return /\/ld-musl-|\/libc\.musl-/.test(readFileSync('/proc/self/maps', 'utf8')) ? 'musl' : 'glibc';
  } catch {
    const report = process.report?.getReport?.() as { header?: { glibcVersionRuntime?: string } } | undefined;
    return report?.header?.glibcVersionRuntime ? 'glibc' : 'musl';
  }
}

/** The prebuild directory name for this machine, e.g. `linux-x64-glibc`. */
export function prebuildTarget(): string {
  return `${process.platform}-${process.arch}-${detectLibc()}`;
}

/** Every file the loader tries, in order (see the module doc). */
export function addonCandidates(): string[] {
  const pkg = packageDir();
  const list: string[] = [];
  const override = process.env['VIGIL_INOTIFY_ADDON'];
  if (override) list.push(path.resolve(override));
  list.push(path.join(pkg, 'prebuilds', prebuildTarget(), FILE_NAME));
  list.push(path.resolve(pkg, '..', '..', 'native', 'inotify', 'build', 'Release', FILE_NAME));
  return list;
}

let cached: AddonLoadResult | undefined;

/**
 * Loads the addon without throwing: `{ok: true, addon, file}` or `{ok: false,
 * reason}` naming every place looked at and why each failed. For backend
 * probes. The result is cached for the process.
 */
export function loadInotifyAddon(): AddonLoadResult {
  cached ??= loadFrom(addonCandidates(), process.platform);
  return cached;
}

/**
 * The loading logic with its inputs exposed, for tests: tries `candidates` in
 * order as if running on `platform`.
 */
export function loadFrom(candidates: readonly string[], platform: NodeJS.Platform): AddonLoadResult {
  if (platform !== 'linux') return { ok: false, reason: `inotify exists only on Linux; this is ${platform}` };
  const require = createRequire(import.meta.url);
  const failures: string[] = [];
  for (const file of candidates) {
    if (!existsSync(file)) {
      failures.push(`${file}: not found`);
      continue;
    }
    let addon: Partial<InotifyAddon> & { unsupported?: string };
    try {
      addon = require(file) as Partial<InotifyAddon> & { unsupported?: string };
    } catch (error) {
      failures.push(`${file}: could not be loaded (${(error as Error).message.split('\n')[0]})`);
      continue;
    }
    if (addon.unsupported) {
      failures.push(`${file}: ${addon.unsupported}`);
    } else if (addon.abiVersion !== ABI_VERSION || typeof addon.InotifyReader !== 'function') {
      failures.push(`${file}: built for ABI ${String(addon.abiVersion)}, this package reads ${ABI_VERSION} (rebuild it)`);
    } else {
      return { ok: true, addon: addon as InotifyAddon, file };
    }
  }
  return {
    ok: false,
    reason: `the inotify addon could not be loaded; looked at:\n  ${failures.join('\n  ')}\n` +
      'Build it with `node scripts/setup.mjs --build-only` (workspace) or `node packages/inotify/scripts/prebuild.mjs`.',
  };
}

/** The addon, or a `BACKEND_UNAVAILABLE` VigilError whose message lists every place looked at. */
export function requireInotifyAddon(): InotifyAddon {
  const result = loadInotifyAddon();
  if (result.ok) return result.addon;
  throw new VigilError(ErrorCode.BACKEND_UNAVAILABLE, result.reason, { backend: 'inotify' });
}
