/**
 * The directory-set scanner behind vigil's polling backend: it remembers the
 * listing of every tracked directory (non-recursively) and, on each scan,
 * reports only what changed. Two implementations share this interface: the
 * native one (native/poll, runs off the JS thread) and a pure-JS fallback.
 * Recursion, ignore filters, event meaning and loop detection belong to the
 * caller (the polling backend), never to the scanner.
 */
import type { EntryKind as CoreEntryKind } from '@vigilfs/core';

/** What one stat can say an entry is: core's kinds, less `unknown` (a stat always knows). */
export type EntryKind = Exclude<CoreEntryKind, 'unknown'>;

/** The calls whose failure a scan can report for a directory. */
export const ScanSyscall = {
  /** Opening the directory (ENOENT: gone, ENOTDIR: replaced by a file, EACCES…). */
  opendir: 'opendir',
  /** Reading entries from an opened directory. */
  readdir: 'readdir',
  /**
   * Stat of an entry failed with something other than ENOENT (an entry that
   * vanished after readdir is simply not listed), e.g. a directory with read
   * but no search permission. With `followSymlinks` a failed stat() falls back
   * to lstat(), so this is always the lstat that failed.
   */
  lstat: 'lstat',
} as const;

/** `'opendir' | 'readdir' | 'lstat'`. */
export type ScanSyscall = (typeof ScanSyscall)[keyof typeof ScanSyscall];

/** What one lstat (or stat, with `followSymlinks`) says about an entry: identity and content. */
export interface EntryStat {
  kind: EntryKind;
  /** Device id (`st_dev`), as a number like `fs.Stats.dev`. */
  dev: number;
  /** Inode number (`st_ino`), as a number like `fs.Stats.ino`. */
  ino: number;
  /** Size in bytes. */
  size: number;
  /** Modification time in ms with the sub-ms fraction from ns, computed exactly like `fs.Stats.mtimeMs`. */
  mtimeMs: number;
}

/** An entry of a directory listing. */
export interface ScannedEntry extends EntryStat {
  /** The entry's name, decoded losslessly with `decodeName()` from @vigilfs/core (`toFsPath()` gives the bytes back). */
  name: string;
}

/** Why a tracked directory could not be read: errors as data, never thrown. */
export interface ScanFailure {
  /** OS error name: `'ENOENT'`, `'EACCES'`, `'ENOTDIR'`, … */
  errno: string;
  /** The call that failed. */
  syscall: ScanSyscall;
}

/**
 * What changed in one tracked directory since its previous scan. The order of
 * entries within each array is unspecified.
 */
export interface DirChanges {
  /** The tracked directory, exactly as given to `track()`. */
  dir: string;
  /**
   * Names not in the previous listing, or whose dev/ino/kind changed (a
   * replacement, which is also listed in `removed`).
   */
  added: ScannedEntry[];
  /** Names gone since the previous listing, and replaced ones (see `added`). */
  removed: string[];
  /** Same dev, ino and kind, but size or mtime differ: a content change (or, for a directory, its listing changed). */
  changed: ScannedEntry[];
  /**
   * The directory could not be read; `removed` then lists every name it had
   * and its baseline becomes empty (when it is readable again, every entry is
   * `added`). A failure is reported once: while a directory keeps failing the
   * same way, later scans do not report it again.
   */
  error?: ScanFailure;
}

/** A set of directories whose listings are compared scan to scan. */
export interface DirSetScanner {
  /** Which implementation this is. */
  readonly kind: 'native' | 'js';
  /**
   * Why the native implementation is not in use, when `kind` is `'js'`
   * (`'js' was preferred` when asked for, otherwise the loader's reason).
   */
  readonly nativeUnavailableReason?: string;
  /**
   * Starts tracking these directories (not their subdirectories). A newly
   * tracked directory has an empty baseline, so its first scan reports all its
   * entries as added. Tracking a tracked directory does nothing. Takes effect
   * for the next scan, also when called while a scan is in flight.
   */
  track(dirs: readonly string[]): void;
  /**
   * Stops tracking exactly these directories and forgets their listings
   * (subdirectories are the caller's to untrack). Changes found for them by a
   * scan in flight are dropped. Unknown directories are ignored.
   */
  untrack(dirs: readonly string[]): void;
  /**
   * Reads every tracked directory, or only `dirs` (directories in `dirs` that
   * are not tracked are ignored), and resolves with those whose listing
   * changed, in tracking order (all) or in the order given (`dirs`).
   * Scans are serialized: a call made while another scan is in flight waits
   * for it and then runs; it never rejects for that reason.
   * Rejects with a `VigilError` `CLOSED` after `close()`.
   */
  scan(dirs?: readonly string[]): Promise<DirChanges[]>;
  /** Frees everything. Scans in flight or queued reject with `CLOSED`; later calls throw or reject `CLOSED`. */
  close(): void;
}

/** Options of {@link createDirSetScanner}. */
export interface DirSetScannerOptions {
  /**
   * stat() entries instead of lstat(): a symlink to a directory is then a
   * `'directory'` with the target's dev/ino; a dangling or looping link falls
   * back to lstat() and is a `'symlink'`. Loop detection is the caller's job.
   * Default false.
   */
  followSymlinks?: boolean;
  /** `'native'` (default): native when the addon loads, else JS. `'js'`: always JS. */
  prefer?: 'native' | 'js';
}
