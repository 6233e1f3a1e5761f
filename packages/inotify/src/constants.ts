/**
 * inotify's mask bits, exactly as `<sys/inotify.h>` defines them (the tests
 * check every value against the compiled addon), and the one table that turns
 * a mask into names. Meaning lives here, not in C++ (style.md "Thin C++").
 */
import { EntryKind } from '@vigilfs/core';

/**
 * Every `IN_*` constant. Event bits (what happened), flags the kernel adds to
 * events (`IN_ISDIR`, `IN_Q_OVERFLOW`, `IN_IGNORED`, `IN_UNMOUNT`), flags that
 * only `addWatch` accepts (`IN_ONLYDIR` … `IN_ONESHOT`), composites
 * (`IN_CLOSE`, `IN_MOVE`, `IN_ALL_EVENTS`) and the `inotify_init1` flags.
 */
export const IN = {
  /** File was read (read, execve). */
  IN_ACCESS: 0x00000001,
  /** File content was modified (write, truncate). */
  IN_MODIFY: 0x00000002,
  /** Metadata changed: permissions, timestamps, xattrs, link count, owner. */
  IN_ATTRIB: 0x00000004,
  /** A file opened for writing was closed. */
  IN_CLOSE_WRITE: 0x00000008,
  /** A file or directory not opened for writing was closed. */
  IN_CLOSE_NOWRITE: 0x00000010,
  /** A file or directory was opened. */
  IN_OPEN: 0x00000020,
  /** An entry was renamed away from the watched directory (pair by `cookie`). */
  IN_MOVED_FROM: 0x00000040,
  /** An entry was renamed into the watched directory (pair by `cookie`). */
  IN_MOVED_TO: 0x00000080,
  /** An entry was created in the watched directory. */
  IN_CREATE: 0x00000100,
  /** An entry was deleted from the watched directory. */
  IN_DELETE: 0x00000200,
  /** The watched file or directory itself was deleted. */
  IN_DELETE_SELF: 0x00000400,
  /** The watched file or directory itself was moved. */
  IN_MOVE_SELF: 0x00000800,
  /** The filesystem holding the watched object was unmounted (an `IN_IGNORED` follows). */
  IN_UNMOUNT: 0x00002000,
  /** The event queue overflowed (wd is -1): events were lost. */
  IN_Q_OVERFLOW: 0x00004000,
  /** The watch was removed (rm_watch, deleted file, unmount); its wd is free. */
  IN_IGNORED: 0x00008000,
  /** `IN_CLOSE_WRITE | IN_CLOSE_NOWRITE`. */
  IN_CLOSE: 0x00000018,
  /** `IN_MOVED_FROM | IN_MOVED_TO`. */
  IN_MOVE: 0x000000c0,
  /** addWatch only: fail with ENOTDIR unless the path is a directory. */
  IN_ONLYDIR: 0x01000000,
  /** addWatch only: do not follow a final symlink (watch the link itself). */
  IN_DONT_FOLLOW: 0x02000000,
  /** addWatch only: no events for children after they were unlinked. */
  IN_EXCL_UNLINK: 0x04000000,
  /** addWatch only: fail with EEXIST if the inode is already watched (Linux 4.18). */
  IN_MASK_CREATE: 0x10000000,
  /** addWatch only: add to the existing watch's mask instead of replacing it. */
  IN_MASK_ADD: 0x20000000,
  /** On events: the subject is a directory. */
  IN_ISDIR: 0x40000000,
  /** addWatch only: report one event, then remove the watch. */
  IN_ONESHOT: 0x80000000,
  /** Every event bit (`IN_ACCESS` … `IN_MOVE_SELF`). */
  IN_ALL_EVENTS: 0x00000fff,
  /** inotify_init1 flag (the addon always sets it). */
  IN_NONBLOCK: 0x00000800,
  /** inotify_init1 flag (the addon always sets it). */
  IN_CLOEXEC: 0x00080000,
} as const;

/** The name of any {@link IN} constant. */
export type InotifyConstantName = keyof typeof IN;

/**
 * The single-bit names {@link maskToNames} uses, lowest bit first. Composites
 * and the `inotify_init1` flags (which share bits with events) are left out.
 */
const MASK_BITS: ReadonlyArray<readonly [number, InotifyConstantName]> = (
  [
    'IN_ACCESS',
    'IN_MODIFY',
    'IN_ATTRIB',
    'IN_CLOSE_WRITE',
    'IN_CLOSE_NOWRITE',
    'IN_OPEN',
    'IN_MOVED_FROM',
    'IN_MOVED_TO',
    'IN_CREATE',
    'IN_DELETE',
    'IN_DELETE_SELF',
    'IN_MOVE_SELF',
    'IN_UNMOUNT',
    'IN_Q_OVERFLOW',
    'IN_IGNORED',
    'IN_ONLYDIR',
    'IN_DONT_FOLLOW',
    'IN_EXCL_UNLINK',
    'IN_MASK_CREATE',
    'IN_MASK_ADD',
    'IN_ISDIR',
    'IN_ONESHOT',
  ] as const
).map((name) => [IN[name], name] as const);

/**
 * The names of the bits set in `mask`, lowest first: `maskToNames(0x40000100)`
 * is `['IN_CREATE', 'IN_ISDIR']`. A bit with no name appears as hex
 * (`'0x1000'`). Never throws; a negative number (from JS `|` on IN_ONESHOT) is
 * read as its unsigned 32-bit value.
 */
export function maskToNames(mask: number): string[] {
  let rest = mask >>> 0;
  const names: string[] = [];
  for (const [bit, name] of MASK_BITS) {
    if ((rest & bit) !== 0) {
      names.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  for (let bit = 0; bit < 32 && rest !== 0; bit++) {
    const value = 2 ** bit;
    if ((rest & value) !== 0) {
      names.push(`0x${value.toString(16)}`);
      rest = (rest & ~value) >>> 0;
    }
  }
  return names;
}

/** `getdents` entry types (`DT_*` from `<dirent.h>`), as the walker reports them. */
export const DT = {
  DT_UNKNOWN: 0,
  DT_FIFO: 1,
  DT_CHR: 2,
  DT_DIR: 4,
  DT_BLK: 6,
  DT_REG: 8,
  DT_LNK: 10,
  DT_SOCK: 12,
} as const;

const KIND_BY_DTYPE: Readonly<Record<number, EntryKind>> = {
  [DT.DT_REG]: EntryKind.FILE,
  [DT.DT_DIR]: EntryKind.DIRECTORY,
  [DT.DT_LNK]: EntryKind.SYMLINK,
  [DT.DT_FIFO]: EntryKind.OTHER,
  [DT.DT_CHR]: EntryKind.OTHER,
  [DT.DT_BLK]: EntryKind.OTHER,
  [DT.DT_SOCK]: EntryKind.OTHER,
  [DT.DT_UNKNOWN]: EntryKind.UNKNOWN,
};

/** vigil's entry kind for a `DT_*` value; anything unexpected is `'unknown'`. */
export function kindFromDType(dType: number): EntryKind {
  return KIND_BY_DTYPE[dType] ?? EntryKind.UNKNOWN;
}
