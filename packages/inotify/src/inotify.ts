/**
 * `Inotify`: one inotify instance for people who want inotify itself
 * (pyinotify/butter style), and the building block of vigil's inotify backend.
 * Raw records in, raw records out: no pairing, no recursion, no meaning.
 */
import { EventEmitter } from 'node:events';
import { ErrorCode, type EntryKind, VigilError, decodeName, hasEscapedBytes, joinPath, toFsPath } from '@vigilfs/core';
import { requireInotifyAddon, type InotifyAddon, type NativeInotifyReader, type SysErrorData } from './addon.js';
import { WALK_STATS, WalkChunk, decodeBatch, type RawInotifyEvent } from './batch.js';
import { IN, kindFromDType } from './constants.js';
import { BACKEND, inotifyError } from './errors.js';

/** The wd of the record that says the mount table changed (see InotifyOptions.watchMountTable). */
export const MOUNTS_CHANGED_WD = -2;

/** One inotify record with the path of its watch. */
export interface InotifyEvent extends RawInotifyEvent {
  /** The path the watch was added with; undefined for `IN_Q_OVERFLOW` (wd -1) or a wd this instance does not know. */
  watchPath: string | undefined;
  /** `watchPath` joined with `name` (`watchPath` itself when `name` is `''`); undefined when `watchPath` is. */
  path: string | undefined;
}

/** Options of {@link Inotify}. */
export interface InotifyOptions {
  /**
   * Start the reader thread at once (default `true`). With `false`, events wait
   * in the kernel queue until {@link Inotify.start}: that makes `IN_Q_OVERFLOW`
   * reproducible (fill the queue, then start), and lets a caller add its first
   * watches before any batch arrives.
   */
  start?: boolean;
  /** Keep the event loop alive while started (default `true`), like `fs.watch`'s `persistent`. */
  persistent?: boolean;
  /** read(2) buffer in bytes (default 256 KiB, at least 64 KiB): the most one read takes from the kernel. */
  bufferSize?: number;
  /**
   * How many bytes of batches may wait for the JS thread before the reader
   * stops reading (default 16 MiB, about half a million records). Memory stays
   * bounded: if JS stays busy, records wait in the kernel queue, and past its
   * limit (fs.inotify.max_queued_events) the kernel reports IN_Q_OVERFLOW.
   */
  maxBytesInFlight?: number;
  /**
   * Also tell when the mount table changes (a mount or unmount anywhere): the
   * reader thread waits for /proc/self/mountinfo's POLLPRI, and a record with
   * wd {@link MOUNTS_CHANGED_WD} (mask 0, no name) arrives. No timer involved.
   */
  watchMountTable?: boolean;
  /** Called with every batch, before the `'events'` listeners. */
  onEvents?: (events: InotifyEvent[]) => void;
}

/** One directory entry from {@link Inotify.walk}. */
export interface WalkEntry {
  /** The entry's name, decoded losslessly (R12; `toFsPath(joinPath(dir, name))` gives the exact bytes). */
  name: string;
  /** `'file' | 'directory' | 'symlink' | 'other' | 'unknown'`, from d_type (lstat where d_type was DT_UNKNOWN). */
  kind: EntryKind;
  /** The raw `DT_*` value. */
  dType: number;
}

/**
 * One directory's outcome from {@link Inotify.walk}: watched first, then
 * listed. Entries come columnar (`names[i]` has `dTypes[i]`), which is what the
 * ready-time path should read; `entries` builds objects on first access.
 */
export interface WalkResult {
  /** The directory, as passed in. */
  path: string;
  /** Its watch descriptor; undefined when the watch failed (see `watchError`). */
  wd: number | undefined;
  /** Why inotify_add_watch failed (e.g. WATCH_LIMIT: poll this directory instead). */
  watchError?: VigilError;
  /** Why the listing failed (e.g. PATH_NOT_FOUND when the directory vanished). Entries are then empty or partial. */
  readError?: VigilError;
  /** Entry names in directory order, decoded losslessly; `.` and `..` omitted. Decoded on first access. */
  readonly names: string[];
  /** Number of entries (without decoding their names). */
  readonly count: number;
  /** `DT_*` of each entry (see {@link DT}; {@link kindFromDType} maps it). */
  dTypes: Uint8Array;
  /** The same entries as objects, built lazily on first access. */
  readonly entries: WalkEntry[];
}

/** Directory `i` of a walk chunk as a {@link WalkResult}. */
export function walkResultOf(chunk: WalkChunk, i: number): WalkResult {
  return new WalkResultImpl(chunk, i);
}

class WalkResultImpl implements WalkResult {
  readonly path: string;
  readonly wd: number | undefined;
  readonly count: number;
  readonly dTypes: Uint8Array;
  watchError?: VigilError;
  readError?: VigilError;
  #entries: WalkEntry[] | undefined;
  readonly #chunk: WalkChunk;
  readonly #i: number;

  constructor(chunk: WalkChunk, i: number) {
    this.#chunk = chunk;
    this.#i = i;
    this.path = chunk.dirs[i]!;
    const wd = chunk.wd(i);
    this.wd = wd >= 0 ? wd : undefined;
    this.count = chunk.count(i);
    this.dTypes = chunk.dTypes(i);
    if (chunk.anyFailed) {
      const watchErrno = chunk.watchErrno(i);
      if (watchErrno) this.watchError = inotifyError({ errno: watchErrno, syscall: 'inotify_add_watch' }, this.path);
      const readErrno = chunk.readErrno(i);
      if (readErrno) this.readError = inotifyError({ errno: readErrno, syscall: chunk.readSyscall(i) }, this.path);
    }
  }

  get names(): string[] {
    return this.#chunk.names(this.#i);
  }

  get entries(): WalkEntry[] {
    if (!this.#entries) {
      const names = this.names;
      const entries: WalkEntry[] = new Array(names.length);
      for (let i = 0; i < entries.length; i++) {
        const dType = this.dTypes[i]!;
        entries[i] = { name: names[i]!, kind: kindFromDType(dType), dType };
      }
      this.#entries = entries;
    }
    return this.#entries;
  }
}

/** The events an {@link Inotify} emits. */
export interface InotifyEmitterEvents {
  /** One batch, in kernel order: the records of one read(2), or of several when they were read while JS was busy. */
  events: [events: InotifyEvent[]];
  /** Reading failed (never seen in practice); the instance reads no more. */
  error: [error: VigilError];
}

class BatchQueue {
  readonly items: InotifyEvent[][] = [];
  ended = false;
  error: VigilError | undefined;
  #wake: (() => void) | undefined;

  push(batch: InotifyEvent[]): void {
    this.items.push(batch);
    this.#notify();
  }

  end(error?: VigilError): void {
    this.ended = true;
    this.error ??= error;
    this.#notify();
  }

  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/**
 * One inotify instance: `addWatch`/`removeWatch` on the calling thread, events
 * read by a native thread and delivered in batches, through `on('events')`,
 * the `onEvents` option, `for await (const event of inotify)` or
 * `inotify.batches()`. All failures are {@link VigilError}s with backend
 * `'inotify'`, errno and syscall.
 *
 * @throws VigilError BACKEND_UNAVAILABLE (no addon, not Linux), INSTANCE_LIMIT
 *   (EMFILE: fs.inotify.max_user_instances) or IO_ERROR from the constructor.
 */
export class Inotify extends EventEmitter<InotifyEmitterEvents> {
  readonly #addon: InotifyAddon;
  readonly #reader: NativeInotifyReader;
  readonly #options: InotifyOptions;
  readonly #watches = new Map<number, string>();
  readonly #queues = new Set<BatchQueue>();
  #started = false;
  #closed = false;

  constructor(options: InotifyOptions = {}) {
    super();
    this.#options = options;
    this.#addon = requireInotifyAddon();
    this.#reader = new this.#addon.InotifyReader();
    const error = this.#reader.open();
    if (error) throw inotifyError(error);
    if (options.start !== false) this.start();
  }

  /** The inotify file descriptor; -1 after close. */
  get fd(): number {
    return this.#reader.fd;
  }

  /**
   * Bytes of events that exist but have not reached an `events` listener yet:
   * read by the reader thread and waiting for the JS thread, or still in the
   * kernel's queue. 0 means every event queued so far has been delivered.
   */
  pendingBytes(): number {
    return this.#closed ? 0 : this.#reader.pendingBytes();
  }

  /** True once {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Number of watches this instance believes are live (removed on `IN_IGNORED`). */
  get watchCount(): number {
    return this.#watches.size;
  }

  /** The path a watch was added with, or undefined. */
  pathOf(wd: number): string | undefined {
    return this.#watches.get(wd);
  }

  /**
   * A test hook: act as if `fs.inotify.max_user_watches` allowed this instance
   * no watch whose wd exceeds `maxWd` (addWatch and walks then fail with
   * ENOSPC, WATCH_LIMIT). Runs a program out of watches without lowering the
   * sysctl, which would hit every process of the user. Negative: no limit.
   */
  setWatchLimit(maxWd: number): void {
    this.#assertOpen('setWatchLimit');
    this.#reader.setWatchLimit(maxWd);
  }

  /** Starts the reader thread (only needed with `{start: false}`). Idempotent. */
  start(): void {
    if (this.#started || this.#closed) return;
    const error = this.#reader.start(
      (batch, err) => this.#onBatch(batch, err),
      this.#options.bufferSize,
      this.#options.maxBytesInFlight,
      this.#options.watchMountTable ?? false,
    );
    if (error) throw inotifyError(error);
    this.#started = true;
    if (this.#options.persistent === false) this.#reader.unref();
  }

  /** The started reader keeps the event loop alive. */
  ref(): this {
    this.#reader.ref();
    return this;
  }

  /** The started reader no longer keeps the event loop alive. */
  unref(): this {
    this.#reader.unref();
    return this;
  }

  /**
   * `inotify_add_watch(path, mask)`: the watch descriptor. `mask` is passed to
   * the kernel unchanged (use {@link IN}; `IN_ONLYDIR`, `IN_DONT_FOLLOW`,
   * `IN_EXCL_UNLINK`, `IN_MASK_ADD`, `IN_MASK_CREATE` are yours to choose).
   * Adding a path that is already watched returns the same wd. `path` may be a
   * Buffer or a string from `decodeName` (exact bytes either way).
   *
   * @throws VigilError PATH_NOT_FOUND (ENOENT), NOT_A_DIRECTORY (ENOTDIR),
   *   PERMISSION_DENIED (EACCES), WATCH_LIMIT (ENOSPC, names
   *   fs.inotify.max_user_watches and its value), INVALID_ARGUMENT (EINVAL),
   *   CLOSED, IO_ERROR (anything else, e.g. EEXIST with IN_MASK_CREATE).
   */
  addWatch(path: string | Buffer, mask: number): number {
    const display = typeof path === 'string' ? path : decodeName(path);
    const bytes = this.#pathBytes(path, display, 'inotify_add_watch');
    const result = this.#reader.addWatch(bytes, mask >>> 0);
    if (typeof result !== 'number') throw inotifyError(result, display);
    this.#watches.set(result, display);
    return result;
  }

  /**
   * `inotify_rm_watch(wd)`. The kernel then sends `IN_IGNORED` for it; the
   * wd→path entry is dropped when that arrives, so the event still has a path.
   *
   * @throws VigilError INVALID_ARGUMENT (EINVAL: not a live watch), CLOSED.
   */
  removeWatch(wd: number): void {
    this.#assertOpen('inotify_rm_watch');
    const error = this.#reader.removeWatch(wd);
    if (error) throw inotifyError(error, this.#watches.get(wd));
  }

  /**
   * One level of the watch-then-list walk, on the libuv thread pool: for each
   * directory, `inotify_add_watch(dir, mask)` first, then its entries. Per
   * directory errors are data (`watchError`, `readError`); the promise only
   * rejects if the instance is closed. Decide in JS which entries to descend
   * into and call again with the next level (see `watchTree`).
   */
  async walk(dirs: readonly string[], mask: number): Promise<WalkResult[]> {
    const chunk = await this.walkChunk(dirs, mask);
    const results: WalkResult[] = new Array(chunk.length);
    for (let i = 0; i < chunk.length; i++) results[i] = new WalkResultImpl(chunk, i);
    return results;
  }

  /**
   * {@link walk} without an object per directory: the same outcome as one
   * {@link WalkChunk}, read by position. What `watchTree` and vigil's backend
   * use, since a level of a large tree is thousands of directories. With
   * `stats`, every entry is lstat'ed and every directory fstat'ed on the pool
   * thread as well (`chunk.entryStat`, `chunk.dirStat`): what a rescan needs.
   */
  async walkChunk(dirs: readonly string[], mask: number, options: { stats?: boolean } = {}): Promise<WalkChunk> {
    this.#assertOpen('walk');
    // Plain strings go to the addon as they are; only names with escaped bytes need a Buffer.
    let bytes: readonly (string | Buffer)[] = dirs;
    for (let i = 0; i < dirs.length; i++) {
      const dir = dirs[i]!;
      if (dir.includes('\0') || hasEscapedBytes(dir)) {
        bytes = dirs.map((d) => (d.includes('\0') || hasEscapedBytes(d) ? this.#pathBytes(d, d, 'walk') : d));
        break;
      }
    }
    const packed = await new Promise<Buffer>((resolve, reject) => {
      const flags = options.stats ? WALK_STATS : 0;
      this.#addon.walk(this.#reader, bytes, mask >>> 0, flags, (error, buffer) => (error ? reject(error) : resolve(buffer)));
    });
    const chunk = new WalkChunk(packed, dirs, this.#addon.errnoName);
    if (!this.#closed) {
      const watches = this.#watches;
      for (let i = 0; i < chunk.length; i++) {
        const wd = chunk.wd(i);
        if (wd >= 0) watches.set(wd, dirs[i]!);
      }
    }
    return chunk;
  }

  /**
   * Stops the reader thread, closes the fd and ends every iterator. Once the
   * promise resolves (in fact once `close()` returns) no listener or callback
   * runs again. Idempotent.
   */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#reader.close();
      for (const q of this.#queues) q.end();
      this.#queues.clear();
    }
    return Promise.resolve();
  }

  /** Every event, one at a time, until {@link close}. Events that arrive before iteration starts are not replayed. */
  async *[Symbol.asyncIterator](): AsyncGenerator<InotifyEvent, void, undefined> {
    for await (const batch of this.batches()) yield* batch;
  }

  /** Every batch (see the `events` event), until {@link close}. */
  async *batches(): AsyncGenerator<InotifyEvent[], void, undefined> {
    if (this.#closed) return;
    const queue = new BatchQueue();
    this.#queues.add(queue);
    try {
      for (;;) {
        const batch = queue.items.shift();
        if (batch) {
          yield batch;
          continue;
        }
        if (queue.ended) {
          if (queue.error) throw queue.error;
          return;
        }
        await queue.wait();
      }
    } finally {
      this.#queues.delete(queue);
    }
  }

  #onBatch(batch: Buffer | null, error?: SysErrorData): void {
    if (this.#closed) return;
    if (!batch) {
      const e = inotifyError(error ?? { errno: 'EIO', syscall: 'read' });
      for (const q of this.#queues) q.end(e);
      if (this.listenerCount('error') > 0) this.emit('error', e);
      return;
    }
    const raw = decodeBatch(batch);
    const events: InotifyEvent[] = new Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const r = raw[i]!;
      const watchPath = r.wd >= 0 ? this.#watches.get(r.wd) : undefined;
      const path = watchPath === undefined ? undefined : r.name === '' ? watchPath : joinPath(watchPath, r.name);
      events[i] = { wd: r.wd, mask: r.mask, cookie: r.cookie, name: r.name, watchPath, path };
      if ((r.mask & IN.IN_IGNORED) !== 0) this.#watches.delete(r.wd);
    }
    this.#options.onEvents?.(events);
    this.emit('events', events);
    for (const q of this.#queues) q.push(events);
  }

  #assertOpen(syscall: string): void {
    if (this.#closed) {
      throw new VigilError(ErrorCode.CLOSED, `${syscall}: the inotify instance is closed`, { backend: BACKEND, syscall });
    }
  }

  #pathBytes(path: string | Buffer, display: string, syscall: string): Buffer {
    this.#assertOpen(syscall);
    const raw = typeof path === 'string' ? toFsPath(path) : path;
    const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    if (bytes.includes(0)) {
      throw new VigilError(ErrorCode.INVALID_ARGUMENT, `${syscall}: path contains a NUL byte: ${JSON.stringify(display)}`, {
        backend: BACKEND,
        syscall,
        path: display,
        errno: 'EINVAL',
      });
    }
    return bytes;
  }
}
