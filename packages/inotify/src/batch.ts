/**
 * Decoders for the addon's two packed buffers (layouts in
 * packages/inotify/README.md and native/inotify/src/{batch_packer,dir_walker}.h).
 * Host byte order; vigil builds only for little-endian machines.
 */
import { decodeName, type IndexEntry } from '@vigilfs/core';
import { DT, kindFromDType } from './constants.js';
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

/** Decodes one reader batch (one or more read(2)s) into records, in kernel order. */
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

const WALK_VERSION = 4;
const WALK_HEADER = 24;
const DIR_RECORD = 32;
/** f64s per stat record: dev, ino, size, mtime seconds, mtime nanoseconds. */
const STAT_DOUBLES = 5;
/** The walker's flags (native DirWalker::Flags). */
export const WALK_STATS = 1;
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
 * One walker call's result (one chunk of a level): the directories passed in,
 * in the same order, read straight from the packed buffer by position. Nothing
 * is made per directory until asked for, so a level of a large tree costs a
 * handful of JS calls per chunk, not per directory; names are decoded per
 * directory on first use (a walk needs those of directories with
 * subdirectories, and most never need the rest).
 */
export class WalkChunk {
  /** The directories, as passed to the walker. */
  readonly dirs: readonly string[];
  /** Number of directories. */
  readonly length: number;
  /** `DT_*` of every entry of every directory, directory by directory (see {@link first}). */
  readonly types: Uint8Array;
  /** True when some directory's watch or listing failed (see {@link watchErrno}, {@link readErrno}). */
  readonly anyFailed: boolean;
  readonly #packed: Buffer;
  /** The dir table as 32-bit words, 8 per directory. */
  readonly #table: Int32Array;
  readonly #namesOffset: number;
  readonly #errnoName: InotifyAddon['errnoName'];
  /** With WALK_STATS: the stat records, directories' first (see dir_walker.h). */
  readonly #stats: Float64Array | undefined;
  #names: (string[] | undefined)[] | undefined;

  constructor(packed: Buffer, dirs: readonly string[], errnoName: InotifyAddon['errnoName']) {
    const version = packed.readUInt32LE(0);
    if (version !== WALK_VERSION) throw new Error(`walk buffer version ${version}, expected ${WALK_VERSION}`);
    const count = packed.readUInt32LE(4);
    if (count !== dirs.length) throw new Error(`walk buffer holds ${count} directories, expected ${dirs.length}`);
    // Word access needs 4-byte (doubles: 8-byte) alignment; the addon's buffers have it, a copy makes sure.
    if ((packed.byteOffset & 7) !== 0) packed = copyAligned(packed);
    this.#packed = packed;
    this.dirs = dirs;
    this.length = count;
    this.#table = new Int32Array(packed.buffer, packed.byteOffset + WALK_HEADER, count * (DIR_RECORD / 4));
    this.types = new Uint8Array(packed.buffer, packed.byteOffset + WALK_HEADER + DIR_RECORD * count, packed.readUInt32LE(8));
    this.#namesOffset = packed.readUInt32LE(12);
    const statsOffset = packed.readUInt32LE(20);
    if (statsOffset !== 0) {
      this.#stats = new Float64Array(packed.buffer, packed.byteOffset + statsOffset, (count + this.types.length) * STAT_DOUBLES);
    }
    this.#errnoName = errnoName;
    let failed = false;
    const t = this.#table;
    for (let w = 1; w < t.length; w += 8) if (t[w] !== 0 || t[w + 1] !== 0) failed = true;
    this.anyFailed = failed;
  }

  /** Watch descriptor of directory `i`, or -1 when inotify_add_watch failed. */
  wd(i: number): number {
    return this.#table[i * 8]!;
  }

  /** errno name of inotify_add_watch for directory `i`, when it failed. */
  watchErrno(i: number): string | undefined {
    const e = this.#table[i * 8 + 1]!;
    return e === 0 ? undefined : this.#errnoName(e);
  }

  /** errno name of open/getdents64 for directory `i`, when listing it failed (entries are then empty or partial). */
  readErrno(i: number): string | undefined {
    const e = this.#table[i * 8 + 2]!;
    return e === 0 ? undefined : this.#errnoName(e);
  }

  /** `'open'` or `'getdents64'`: which call failed when {@link readErrno} is set. */
  readSyscall(i: number): string {
    return READ_SYSCALLS[this.#table[i * 8 + 3]!] || 'getdents64';
  }

  /** Position in {@link types} of directory `i`'s first entry. */
  first(i: number): number {
    return this.#table[i * 8 + 4]!;
  }

  /** Number of entries of directory `i`. */
  count(i: number): number {
    return this.#table[i * 8 + 5]!;
  }

  /** `DT_*` of directory `i`'s entries (a view: no copy). */
  dTypes(i: number): Uint8Array {
    const first = this.#table[i * 8 + 4]!;
    return this.types.subarray(first, first + this.#table[i * 8 + 5]!);
  }

  /** Names of directory `i`'s entries, decoded losslessly (R12) on first use; the same array after. */
  names(i: number): string[] {
    const cache = (this.#names ??= new Array<string[] | undefined>(this.length));
    let names = cache[i];
    if (names === undefined) {
      const t = this.#table;
      names = decodeNames(this.#packed, this.#namesOffset + t[i * 8 + 6]!, t[i * 8 + 7]!, t[i * 8 + 5]!);
      cache[i] = names;
    }
    return names;
  }

  /** True when the walk was asked for stats (WALK_STATS). */
  get hasStats(): boolean {
    return this.#stats !== undefined;
  }

  /** Directory `i`'s own identity (WALK_STATS only); undefined if it could not be opened. */
  dirStat(i: number): IndexEntry | undefined {
    return this.#statAt(i, DT.DT_DIR);
  }

  /** The identity of entry `k` of directory `i` (WALK_STATS only); undefined if it was gone by then. */
  entryStat(i: number, k: number): IndexEntry | undefined {
    const at = this.#table[i * 8 + 4]! + k;
    return this.#statAt(this.length + at, this.types[at]!);
  }

  /** Why entry `k` of directory `i` has no {@link entryStat}: the errno name of its lstat (WALK_STATS only). */
  entryStatErrno(i: number, k: number): string | undefined {
    const s = this.#stats;
    if (s === undefined) return undefined;
    const o = (this.length + this.#table[i * 8 + 4]! + k) * STAT_DOUBLES;
    return Number.isNaN(s[o + 3]!) && s[o]! !== 0 ? this.#errnoName(s[o]!) : undefined;
  }

  #statAt(record: number, dType: number): IndexEntry | undefined {
    const s = this.#stats;
    if (s === undefined) return undefined;
    const o = record * STAT_DOUBLES;
    const sec = s[o + 3]!;
    if (Number.isNaN(sec)) return undefined;
    // As node derives Stats#mtimeMs, so a stat from here equals one from fs.lstat.
    return { kind: kindFromDType(dType), dev: s[o]!, ino: s[o + 1]!, size: s[o + 2]!, mtimeMs: sec * 1e3 + s[o + 4]! / 1e6 };
  }

  /**
   * Calls `fn(i, k)` for every entry of type `dType`, with `i` its directory
   * and `k` its position among that directory's entries. One native search
   * (indexOf) jumps over a whole chunk where no entry matches, so a level of
   * leaf directories costs nothing here.
   */
  forEachOfType(dType: number, fn: (i: number, k: number) => void): void {
    const types = this.types;
    const t = this.#table;
    let i = 0;
    for (let at = types.indexOf(dType); at >= 0; at = types.indexOf(dType, at + 1)) {
      while (t[i * 8 + 4]! + t[i * 8 + 5]! <= at) i++;
      fn(i, at - t[i * 8 + 4]!);
    }
  }
}

function copyAligned(packed: Buffer): Buffer {
  const copy = Buffer.from(new ArrayBuffer(packed.length));
  packed.copy(copy);
  return copy;
}

/**
 * Decodes the walker's packed buffer for `dirs` (the directories passed to
 * the walker, in order).
 */
export function decodeWalk(packed: Buffer, dirs: readonly string[], errnoName: InotifyAddon['errnoName']): WalkChunk {
  return new WalkChunk(packed, dirs, errnoName);
}
