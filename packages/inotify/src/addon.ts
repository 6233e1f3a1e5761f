/**
 * The native addon (`vigil_inotify.node`, native/inotify): its interface, and
 * its loading through @vigilfs/native-loader (the prebuilt package for this
 * platform first, then the local build).
 */
import { addonCandidates, loadAddon, type AddonLoad, type AddonSpec } from '@vigilfs/native-loader';
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

/** The addon ABI this package reads. */
const ABI_VERSION = 4;

/** What the loader is asked for (see @vigilfs/native-loader for where it looks). */
const SPEC = {
  name: 'inotify',
  file: 'vigil_inotify.node',
  from: import.meta.url,
  platforms: ['linux'],
  check: (addon: InotifyAddon) =>
    addon.abiVersion !== ABI_VERSION || typeof addon.InotifyReader !== 'function'
      ? `built for ABI ${String(addon.abiVersion)}, this package reads ${ABI_VERSION} (rebuild it)`
      : undefined,
} satisfies AddonSpec<InotifyAddon>;

let cached: AddonLoad<InotifyAddon> | undefined;

/**
 * Loads the addon without throwing: `{ok: true, addon, file}` or `{ok: false,
 * reason}` naming every place looked at and why each failed. For backend
 * probes. The result is cached for the process.
 */
export function loadInotifyAddon(): AddonLoad<InotifyAddon> {
  cached ??= loadAddon(SPEC);
  return cached;
}

/** Every file the loader tries, in order. */
export function inotifyAddonCandidates(): string[] {
  return addonCandidates(SPEC).map((c) => c.file);
}

/** The addon, or a `BACKEND_UNAVAILABLE` VigilError whose message lists every place looked at. */
export function requireInotifyAddon(): InotifyAddon {
  const result = loadInotifyAddon();
  if (result.ok) return result.addon;
  throw new VigilError(ErrorCode.BACKEND_UNAVAILABLE, result.reason, { backend: 'inotify' });
}
