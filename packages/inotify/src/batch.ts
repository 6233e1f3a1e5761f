/**
 * Decoders for the addon's two packed buffers (layouts in
 * docs/inotify-binding.md and native/inotify/src/{batch_packer,dir_walker}.h).
 * Host byte order; vigil builds only for little-endian machines.
 */
import { decodeName } from '@vigil/core';
import type { InotifyAddon } from './addon.js';

/** One inotify record as the kernel reported it; `name` is decoded losslessly (R12). */
export interface RawInotifyEvent {
  /** Watch descriptor; -1 for `IN_Q_OVERFLOW`. */
  wd: number;
  /** The event's mask (unsigned); see `maskToNames`. */
  mask: number;
  /** Links an `IN_MOVED_FROM` to its `IN_MOVED_TO`; 0 otherwise. */
  cookie: number;
  /** The entry's name inside the watched directory; `''` for events on the watch itself. Round-trips with `toFsPath`. */
  name: string;
}

const RECORD_HEADER = 16;

/** decodeName for a slice, without creating a Buffer view unless the name is not plain UTF-8. */
function nameAt(buf: Buffer, start: number, end: number): string {
  const fast = buf.toString('utf8', start, end);
  return fast.includes('\uFFFD') ? decodeName(buf.subarray(start, end)) : fast;
}

/** Decodes one reader batch (one read(2)) into records, in kernel order. */
export function decodeBatch(batch: Buffer): RawInotifyEvent[] {
  const events: RawInotifyEvent[] = [];
  let off = 0;
  while (off + RECORD_HEADER <= batch.length) {
    const nameLen = batch.readUInt32LE(off + 12);
    const start = off + RECORD_HEADER;
    events.push({
      wd: batch.readInt32LE(off),
      mask: batch.readUInt32LE(off + 4),
      cookie: batch.readUInt32LE(off + 8),
      name: nameLen === 0 ? '' : nameAt(batch, start, start + nameLen),
    });
    off = start + ((nameLen + 3) & ~3);
  }
  return events;
}

/** One directory's record from the walker, before errors are mapped. Columnar: `names[i]` has type `dTypes[i]`. */
export interface PackedWalkDir {
  /** The watch descriptor, or -1 when inotify_add_watch failed. */
  wd: number;
  /** errno name of inotify_add_watch, when it failed. */
  watchErrno?: string;
  /** errno name of open/getdents64, when listing failed. */
  readErrno?: string;
  /** `'open'` or `'getdents64'` when listing failed. */
  readSyscall?: string;
  /** Entry names, decoded losslessly, in getdents order; `.` and `..` omitted. Decoded when called. */
  names: () => string[];
  /** Number of entries. */
  count: number;
  /** `DT_*` per entry (a view into the packed buffer). */
  dTypes: Uint8Array;
}

const WALK_HEADER = 20;
const DIR_RECORD = 32;
const SLASH = 0x2f;
const READ_SYSCALLS = ['', 'open', 'getdents64'] as const;

/** The names in `packed[start, start + bytes)`, each followed by '/'. */
function decodeNames(packed: Buffer, start: number, bytes: number, count: number): string[] {
  if (count === 0) return [];
  // One decode and one split for the directory; '/' never occurs inside a name.
  const all = packed.toString('utf8', start, start + bytes - 1);
  if (!all.includes('\uFFFD')) return all.split('/');
  // Some name is not valid UTF-8 (or holds a real U+FFFD): decode name by name.
  const names: string[] = new Array(count);
  let from = start;
  for (let i = 0; i < count; i++) {
    const end = packed.indexOf(SLASH, from);
    names[i] = nameAt(packed, from, end);
    from = end + 1;
  }
  return names;
}

/**
 * Decodes the walker's packed buffer: one record per directory passed in, same
 * order. Names are decoded per directory on first use: a walk reads the names
 * of directories that have subdirectories, and most never need the rest.
 */
export function decodeWalk(packed: Buffer, errnoName: InotifyAddon['errnoName']): PackedWalkDir[] {
  const version = packed.readUInt32LE(0);
  if (version !== 3) throw new Error(`walk buffer version ${version}, expected 3`);
  const count = packed.readUInt32LE(4);
  const typesOffset = WALK_HEADER + DIR_RECORD * count;
  const namesOffset = packed.readUInt32LE(12);
  const dirs: PackedWalkDir[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const rec = WALK_HEADER + DIR_RECORD * i;
    const watchErr = packed.readInt32LE(rec + 4);
    const readErr = packed.readInt32LE(rec + 8);
    const first = packed.readUInt32LE(rec + 16);
    const n = packed.readUInt32LE(rec + 20);
    const nameStart = namesOffset + packed.readUInt32LE(rec + 24);
    const nameBytes = packed.readUInt32LE(rec + 28);
    const dir: PackedWalkDir = {
      wd: packed.readInt32LE(rec),
      names: () => decodeNames(packed, nameStart, nameBytes, n),
      count: n,
      // A plain view: cheaper than Buffer#subarray, and this runs once per directory of a walk.
      dTypes: new Uint8Array(packed.buffer, packed.byteOffset + typesOffset + first, n),
    };
    if (watchErr !== 0) dir.watchErrno = errnoName(watchErr);
    if (readErr !== 0) {
      dir.readErrno = errnoName(readErr);
      dir.readSyscall = READ_SYSCALLS[packed.readUInt32LE(rec + 12)] ?? 'getdents64';
    }
    dirs[i] = dir;
  }
  return dirs;
}
