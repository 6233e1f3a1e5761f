/**
 * vigil's inotify backend: one watch per directory, added before the
 * directory is read so nothing created in between is missed (R1); renames
 * paired by the kernel's cookies (R5); native close-write (R3); overflow
 * answered by a rescan (R7); and, when the per-user watch limit is reached,
 * the directories left without a watch are polled (R10).
 *
 * Raw records come from the native reader in batches (one per read(2), or
 * several reads joined while JS was busy);
 * their meaning is decided by mask-table.ts, and core does the rest.
 */
import { stat } from 'node:fs/promises';
import {
  ErrorCode,
  VigilError,
  baseName,
  entryFromStats,
  fromSystemError,
  isWithin,
  joinPath,
  kindOnly,
  parentPath,
  scanTree,
  statEntry,
  toFsPath,
  type Backend,
  type BackendScanOptions,
  type BackendSubscription,
  type IgnorePredicate,
  type IndexEntry,
  type Listing,
  type RawEvent,
  type ScanEntry,
  type SubscribeContext,
} from '@vigilfs/core';
import { loadInotifyAddon } from '../addon.js';
import { IN, kindFromDType } from '../constants.js';
import { inotifyError } from '../errors.js';
import type { WalkChunk } from '../batch.js';
import { Inotify, MOUNTS_CHANGED_WD, walkResultOf, type InotifyEvent } from '../inotify.js';
import { lstatKinds } from '../lstat-kinds.js';
import { watchTree } from '../walk.js';
import { Meaning, WATCH_MASK, isDirectoryEvent, meaningOf } from './mask-table.js';

/**
 * How long an `IN_MOVED_FROM` at the end of a read waits for its
 * `IN_MOVED_TO` in the next read before it counts as a move out of the tree.
 * The kernel queues the pair back to back (two queue insertions, so a read can
 * fall between them). The wait is extended for as long as events are pending
 * anywhere (kernel queue, reader, JS queue): a stalled JS thread runs this
 * timer before the batch that holds the other half, and must not decide then.
 */
const MOVE_PAIR_WAIT_MS = 20;

/** Gives the creates of kind `unknown` (inotify: "not a directory") their kind, one native lstat call for the lot. */
function refineCreateKinds(events: RawEvent[]): void {
  const unknown = events.filter((e) => e.type === 'create' && e.kind === 'unknown');
  if (unknown.length === 0) return;
  const kinds = lstatKinds(unknown.map((e) => e.path));
  unknown.forEach((e, i) => {
    e.kind = kinds[i]!;
  });
}

/**
 * How many bytes of read batches may wait for the JS thread
 * (VIGIL_INOTIFY_BYTES_IN_FLIGHT, default 16 MiB). Past it the reader stops
 * reading, the kernel queue takes the rest, and an overflow there is
 * recovered by a rescan (R7): memory stays bounded however long the JS thread
 * is stalled, and an ordinary burst never gets near it.
 */
function bytesInFlight(): number | undefined {
  const n = Number(process.env.VIGIL_INOTIFY_BYTES_IN_FLIGHT);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Index entries by d_type (what a listing tells), looked up once per entry of the initial walk. */
const ENTRY_BY_DTYPE: readonly IndexEntry[] = Array.from({ length: 16 }, (_, d) => kindOnly(kindFromDType(d)));
const UNKNOWN_ENTRY = kindOnly('unknown');

/** A walked directory's listing as the index reads it: straight from the chunk's columns. */
class ChunkListing implements Listing {
  readonly length: number;
  readonly #chunk: WalkChunk;
  readonly #i: number;
  readonly #first: number;

  constructor(chunk: WalkChunk, i: number) {
    this.#chunk = chunk;
    this.#i = i;
    this.#first = chunk.first(i);
    this.length = chunk.count(i);
  }

  names(): readonly string[] {
    return this.#chunk.names(this.#i);
  }

  at(j: number): IndexEntry {
    return ENTRY_BY_DTYPE[this.#chunk.types[this.#first + j]!] ?? UNKNOWN_ENTRY;
  }
}

// The addon is loaded with this module, as native packages do (parcel, nsfw), not
// on the first watch: watch() then starts walking at once. Never throws; where
// it cannot load, probe() says why.
if (process.platform === 'linux') loadInotifyAddon();

/** The inotify backend (Linux). */
export const inotifyBackend: Backend = {
  name: 'inotify',
  capabilities: { renamePairing: 'os', closeWrite: true, seesRemoteChanges: false, overflowSignal: true },
  async probe() {
    if (process.platform !== 'linux') return { ok: false, reason: `inotify exists only on Linux (this is ${process.platform})` };
    const loaded = loadInotifyAddon();
    return loaded.ok ? { ok: true } : { ok: false, reason: loaded.reason };
  },
  async subscribe(ctx) {
    const sub = new InotifySubscription(ctx);
    try {
      await sub.start();
    } catch (error) {
      await sub.close();
      throw error;
    }
    return sub;
  },
};

class InotifySubscription implements BackendSubscription {
  #ctx: SubscribeContext;
  #inotify: Inotify | undefined;
  #dirByWd = new Map<number, string>();
  #wdByDir = new Map<string, number>();
  #rootWd: number | undefined;
  /** For a single-file root: the name watched in its parent directory (R9). */
  #watchedName: string | undefined;
  /** Records held back at a read boundary while an IN_MOVED_FROM waits for its pair. */
  #held: InotifyEvent[] = [];
  #heldTimer: NodeJS.Timeout | undefined;
  /** Directories that could not get a watch (limit reached): polled instead, with when they were last in sync. */
  #unwatched = new Map<string, number>();
  #pollTimer: NodeJS.Timeout | undefined;
  #limitWarned = false;
  /**
   * Scans in progress (see scan()), and the reader's batches held back
   * meanwhile. The walker adds watches on a pool thread and JS learns their
   * wds only when the chunk comes back; a batch read in between may already
   * name a new wd. Holding batches until the wds are mapped keeps those
   * events (R1); core's queue is waiting for the scan anyway, so their order
   * relative to it does not change.
   */
  #scans = 0;
  #heldBatches: InotifyEvent[][] = [];
  /** When vigil last read the queue: after an overflow, files changed since then are reported as modified. */
  #lastRead = Date.now();
  #closed = false;

  constructor(ctx: SubscribeContext) {
    this.#ctx = ctx;
  }

  async start(): Promise<void> {
    const ctx = this.#ctx;
    // The reader starts only after the walk: what happens meanwhile waits in the
    // kernel queue and is read right after, so nothing between walk and ready is lost.
    const inotify = new Inotify({
      start: false,
      maxBytesInFlight: bytesInFlight(),
      // Mounts inside a watched tree change what its watches see: learn of it from the kernel, not a timer.
      watchMountTable: ctx.rootKind === 'directory',
      onEvents: (batch) => this.#onBatch(batch),
    });
    this.#inotify = inotify;
    inotify.on('error', (error) => {
      if (!this.#closed) ctx.sink.fatal(error);
    });
    if (ctx.rootKind === 'file') {
      const dir = parentPath(ctx.root);
      this.#watchedName = baseName(ctx.root);
      this.#rootWd = this.#addWatch(dir);
      const st = await statEntry(ctx.root, true);
      if (st) ctx.index.set(ctx.root, entryFromStats(st));
    } else {
      const st = await stat(toFsPath(ctx.root)).catch((e: unknown) => {
        throw fromSystemError(e, { path: ctx.root, backend: 'inotify', syscall: 'stat' });
      });
      ctx.index.set(ctx.root, entryFromStats(st));
      if (ctx.options.followSymlinks) {
        await this.#followingWalk();
        inotify.start();
        return;
      }
      let rootError: VigilError | undefined;
      await watchTree(inotify, [ctx.root], WATCH_MASK, {
        descend: ctx.ignore.ignoresNothing?.() ? undefined : (path) => !ctx.ignore(path, 'directory'),
        onChunk: (chunk) => {
          const error = this.#recordChunk(chunk);
          if (error) rootError = error;
        },
      });
      if (rootError) throw rootError;
      this.#rootWd = this.#wdByDir.get(ctx.root);
    }
    inotify.start();
  }

  /**
   * Following symlinks (R11): the native walker never follows links, so the
   * portable walker does the walk, with its loop detection, adding each watch
   * right before the directory is read.
   */
  async #followingWalk(): Promise<void> {
    const ctx = this.#ctx;
    let rootError: unknown;
    const scanned = await scanTree(ctx.root, {
      ignore: ctx.ignore,
      followSymlinks: true,
      backend: 'inotify',
      beforeRead: (dir) => {
        try {
          this.#addWatch(dir);
        } catch (error) {
          if (dir === ctx.root) rootError = error;
          else if (VigilError.isVigilError(error) && error.code === ErrorCode.WATCH_LIMIT) this.#watchLimit(dir, error);
          else if (VigilError.isVigilError(error) && error.code === ErrorCode.PERMISSION_DENIED) ctx.sink.warning(error);
        }
      },
      onWarning: (w) => ctx.sink.warning(w),
    });
    if (rootError) throw rootError;
    for (const e of scanned) if (e.path !== ctx.root) ctx.index.set(e.path, e.stat);
    this.#rootWd = this.#wdByDir.get(ctx.root);
  }

  describe(): string {
    const polled = this.#unwatched.size ? `, ${this.#unwatched.size} directories polled (watch limit)` : '';
    return `${this.#wdByDir.size} inotify watches${polled}`;
  }

  prepareDirectory(path: string): void {
    if (this.#closed || this.#wdByDir.has(path)) return;
    try {
      this.#addWatch(path);
    } catch (error) {
      if (VigilError.isVigilError(error) && error.code === ErrorCode.WATCH_LIMIT) this.#watchLimit(path, error);
      else if (VigilError.isVigilError(error) && error.code === ErrorCode.PERMISSION_DENIED) this.#ctx.sink.warning(error);
      // Gone or replaced by a file in the meantime: its parent's events say so.
    }
  }

  /**
   * core's scanTree done by the native walker: watch, list and lstat every
   * entry on the pool threads, level by level (a rescan of 100,000 entries in
   * a fraction of a second instead of seconds of fs.lstat calls). Each
   * directory gets its watch before it is listed, as prepareDirectory does.
   */
  async scan(start: string, options: BackendScanOptions): Promise<ScanEntry[]> {
    const inotify = this.#inotify;
    if (!inotify || this.#closed) return [];
    const { ignore, onWarning, onGone } = options;
    let startEntry: ScanEntry | undefined;
    const byDir = new Map<string, ScanEntry[]>();
    this.#scans++;
    try {
      await watchTree(inotify, [start], this.#addWatchMask(), {
        stats: true,
        descend: (path) => !ignore(path, 'directory'),
        onChunk: (chunk) => {
          for (let i = 0; i < chunk.length; i++) {
            const path = chunk.dirs[i]!;
            const wd = chunk.wd(i);
            if (wd >= 0 && !this.#closed) {
              this.#map(wd, path);
              this.#unwatched.delete(path);
            }
            if (path === start) {
              const self = chunk.dirStat(i);
              // Not a directory that opens (a file, gone, unreadable): scanTree takes over below.
              if (!self) continue;
              startEntry = { path, stat: self };
            }
            if (chunk.anyFailed) this.#scanFailure(chunk, i, onWarning, onGone);
            const entries = this.#scannedEntries(chunk, i, ignore, onWarning);
            if (entries.length) byDir.set(path, entries);
          }
        },
      });
    } finally {
      if (--this.#scans === 0 && this.#heldBatches.length) {
        const held = this.#heldBatches;
        this.#heldBatches = [];
        for (const batch of held) this.#onBatch(batch);
      }
    }
    if (!startEntry) {
      return scanTree(start, { ignore, backend: 'inotify', beforeRead: (dir) => this.prepareDirectory(dir), onWarning, onGone });
    }
    // scanTree's order, whatever order the chunks came back in: breadth first,
    // each level's directories in the order their parents listed them.
    const out: ScanEntry[] = [startEntry];
    let level = [start];
    while (level.length) {
      const next: string[] = [];
      for (const dir of level) {
        for (const e of byDir.get(dir) ?? []) {
          out.push(e);
          if (e.stat.kind === 'directory' && byDir.has(e.path)) next.push(e.path);
        }
      }
      level = next;
    }
    return out;
  }

  /** Directory `i`'s entries with their stats, as scanTree reports them: sorted by path, ignored ones left out. */
  #scannedEntries(chunk: WalkChunk, i: number, ignore: IgnorePredicate, onWarning: (error: VigilError) => void): ScanEntry[] {
    const count = chunk.count(i);
    if (count === 0) return [];
    const dir = chunk.dirs[i]!;
    const names = chunk.names(i);
    const entries: ScanEntry[] = [];
    for (let k = 0; k < count; k++) {
      const child = joinPath(dir, names[k]!);
      const stat = chunk.entryStat(i, k);
      if (!stat) {
        // Gone since the listing is no news; anything else (EACCES, EIO) is worth a warning, as in scanTree.
        const errno = chunk.entryStatErrno(i, k);
        if (errno !== undefined && errno !== 'ENOENT' && errno !== 'ENOTDIR') onWarning(inotifyError({ errno, syscall: 'lstat' }, child));
        continue;
      }
      if (ignore(child, stat.kind)) continue;
      entries.push({ path: child, stat });
    }
    // As scanTree: a directory's entries in path order, for reproducible events.
    entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return entries;
  }

  /** A directory of a rescan whose watch or listing failed: as prepareDirectory and scanTree report it. */
  #scanFailure(chunk: WalkChunk, i: number, onWarning: (error: VigilError) => void, onGone: (dir: string) => void): void {
    const { watchError, readError, path } = walkResultOf(chunk, i);
    if (watchError?.code === ErrorCode.WATCH_LIMIT) this.#watchLimit(path, watchError);
    else if (watchError?.code === ErrorCode.PERMISSION_DENIED) this.#ctx.sink.warning(watchError);
    // Gone or replaced by a file since its parent was listed: its contents are unknown, not empty.
    if (readError?.code === ErrorCode.PATH_NOT_FOUND || readError?.code === ErrorCode.NOT_A_DIRECTORY) {
      onGone(path);
    } else if (readError) onWarning(readError);
  }

  forgetDirectory(path: string): void {
    for (const [dir, wd] of [...this.#wdByDir]) {
      if (!isWithin(dir, path)) continue;
      this.#wdByDir.delete(dir);
      this.#dirByWd.delete(wd);
      try {
        this.#inotify?.removeWatch(wd);
      } catch {
        // Already gone (the directory was deleted): nothing to release.
      }
    }
    for (const dir of [...this.#unwatched.keys()]) if (isWithin(dir, path)) this.#unwatched.delete(dir);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#heldTimer) clearTimeout(this.#heldTimer);
    if (this.#pollTimer) clearInterval(this.#pollTimer);
    await this.#inotify?.close();
  }

  /** The mask watches are added with. Following symlinks, a link to a directory is watched through the link. */
  #addWatchMask(): number {
    return this.#ctx.options.followSymlinks ? WATCH_MASK & ~IN.IN_DONT_FOLLOW : WATCH_MASK;
  }

  /** Adds (or re-targets) a watch; throws the typed error for the caller to judge. */
  #addWatch(dir: string): number {
    const wd = this.#inotify!.addWatch(dir, this.#addWatchMask());
    this.#map(wd, dir);
    this.#unwatched.delete(dir);
    return wd;
  }

  #map(wd: number, dir: string): void {
    const previous = this.#dirByWd.get(wd);
    if (previous !== undefined && previous !== dir) this.#wdByDir.delete(previous);
    this.#dirByWd.set(wd, dir);
    this.#wdByDir.set(dir, wd);
  }

  /**
   * Records one chunk of the initial walk: each directory's watch and listing.
   * Runs once per chunk, not per directory, and makes one small object per
   * directory (its listing). Returns the error that ends start(): the root's.
   */
  #recordChunk(chunk: WalkChunk): VigilError | undefined {
    const ctx = this.#ctx;
    const filtered = !ctx.ignore.ignoresNothing?.();
    let rootError: VigilError | undefined;
    for (let i = 0; i < chunk.length; i++) {
      const path = chunk.dirs[i]!;
      const wd = chunk.wd(i);
      // #map, not two plain sets: one inode reached by two paths (a bind mount) has one wd.
      if (wd >= 0) this.#map(wd, path);
      if (chunk.anyFailed) {
        const error = this.#walkFailure(chunk, i);
        if (error && path === ctx.root) rootError = error;
      }
      if (!filtered) {
        // The ready-time path: no per-entry path or predicate, and names are
        // decoded only when something asks for them.
        ctx.index.addListing(path, new ChunkListing(chunk, i));
        continue;
      }
      const all = chunk.names(i);
      const first = chunk.first(i);
      const names: string[] = [];
      const entries: IndexEntry[] = [];
      for (let j = 0; j < all.length; j++) {
        const kind = kindFromDType(chunk.types[first + j]!);
        const name = all[j]!;
        if (ctx.ignore(joinPath(path, name), kind)) continue;
        names.push(name);
        entries.push(kindOnly(kind));
      }
      ctx.index.addListing(path, names, entries);
    }
    return rootError;
  }

  /** A walked directory whose watch or listing failed: polled, warned about, or (the root) fatal. */
  #walkFailure(chunk: WalkChunk, i: number): VigilError | undefined {
    if (chunk.wd(i) >= 0 && chunk.readErrno(i) === undefined) return undefined;
    const ctx = this.#ctx;
    const { watchError, readError, path } = walkResultOf(chunk, i);
    let fatal: VigilError | undefined;
    if (watchError) {
      if (watchError.code === ErrorCode.WATCH_LIMIT) this.#watchLimit(path, watchError);
      else if (watchError.code === ErrorCode.PERMISSION_DENIED) {
        ctx.sink.warning(watchError);
        fatal = watchError;
      } else fatal = watchError;
    }
    if (readError && readError.code !== ErrorCode.PATH_NOT_FOUND) {
      ctx.sink.warning(readError);
      fatal ??= readError;
    }
    return fatal;
  }

  /** ENOSPC from inotify_add_watch: poll `dir` instead (default) or end the watcher (R10). */
  #watchLimit(dir: string, error: VigilError): void {
    const ctx = this.#ctx;
    if (ctx.options.onWatchLimit === 'error') {
      if (this.#inotify && !this.#closed) ctx.sink.fatal(error);
      throw error;
    }
    if (!this.#unwatched.has(dir)) this.#unwatched.set(dir, Date.now());
    if (!this.#limitWarned) {
      this.#limitWarned = true;
      ctx.sink.warning(
        new VigilError(ErrorCode.WATCH_LIMIT, `${error.message}; directories that cannot get a watch are polled every ${ctx.options.pollInterval} ms instead`, {
          path: dir,
          backend: 'inotify',
          errno: error.errno,
          syscall: error.syscall,
        }),
      );
    }
    this.#pollTimer ??= setInterval(() => this.#pollUnwatched(), ctx.options.pollInterval);
  }

  #pollUnwatched(): void {
    if (this.#closed) return;
    const dirs = [...this.#unwatched.keys()];
    // A directory whose ancestor is also unwatched is covered by that ancestor's rescan.
    for (const dir of dirs) {
      if (dirs.some((other) => other !== dir && isWithin(dir, other))) continue;
      const since = this.#unwatched.get(dir)!;
      this.#unwatched.set(dir, Date.now());
      void this.#ctx.sink.rescan(dir, 'unknown', { since });
    }
    if (this.#unwatched.size === 0 && this.#pollTimer) {
      clearInterval(this.#pollTimer);
      this.#pollTimer = undefined;
    }
  }

  #onBatch(batch: InotifyEvent[]): void {
    if (this.#closed) return;
    if (this.#scans > 0) {
      this.#heldBatches.push(batch);
      return;
    }
    if (this.#heldTimer) {
      clearTimeout(this.#heldTimer);
      this.#heldTimer = undefined;
    }
    const records = this.#held.length ? this.#held.concat(batch) : batch;
    const retried = new Set(this.#held);
    this.#held = [];
    this.#translate(records, retried, false);
  }

  /**
   * Turns records into RawEvents for core, in order. An IN_MOVED_FROM whose
   * IN_MOVED_TO is not in `records` is held (with everything after it) for
   * the next batch or MOVE_PAIR_WAIT_MS with nothing pending, whichever comes
   * first; a record that was held once and is still unpaired (or `final`) is
   * a move out: a delete.
   */
  #translate(records: InotifyEvent[], retried: Set<InotifyEvent>, final: boolean): void {
    const ctx = this.#ctx;
    const sink = ctx.sink;
    const readAt = this.#lastRead;
    this.#lastRead = Date.now();
    let out: RawEvent[] = [];
    const flush = (): void => {
      if (out.length) {
        refineCreateKinds(out);
        sink.events(out);
      }
      out = [];
    };
    const movedFrom = new Map<number, { path: string; directory: boolean }>();
    // Cookie -> index of its last IN_MOVED_TO in `records`, built on the first IN_MOVED_FROM: a batch
    // can hold hundreds of thousands of records (reads joined while JS was busy), so no rescans of it.
    let movedToAt: Map<number, number> | undefined;
    const lastMovedTo = (cookie: number): number => {
      if (!movedToAt) {
        movedToAt = new Map();
        for (let j = 0; j < records.length; j++) {
          const o = records[j]!;
          if (meaningOf(o.mask) === Meaning.MOVED_TO) movedToAt.set(o.cookie, j);
        }
      }
      return movedToAt.get(cookie) ?? -1;
    };

    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.wd === MOUNTS_CHANGED_WD) {
        flush();
        sink.mountsChanged();
        continue;
      }
      const meaning = meaningOf(r.mask);
      if (meaning === Meaning.IGNORE) continue;
      if (meaning === Meaning.OVERFLOW) {
        flush();
        void sink.rescan(ctx.root, 'overflow', { since: readAt });
        continue;
      }
      const dir = this.#dirByWd.get(r.wd);
      if (dir === undefined) continue; // a watch vigil already let go of
      if (meaning === Meaning.WATCH_REMOVED) {
        if (this.#dirByWd.get(r.wd) === dir) {
          this.#dirByWd.delete(r.wd);
          if (this.#wdByDir.get(dir) === r.wd) this.#wdByDir.delete(dir);
        }
        continue;
      }
      if (meaning === Meaning.SELF_GONE || meaning === Meaning.UNMOUNT) {
        if (r.wd === this.#rootWd) {
          flush();
          this.#closed = true;
          sink.rootRemoved();
          return;
        }
        if (meaning === Meaning.UNMOUNT) {
          flush();
          void sink.rescan(dir, 'unknown');
        }
        continue; // a subdirectory's own deletion or move is reported by its parent
      }
      if (this.#watchedName !== undefined && r.name !== this.#watchedName) continue;
      const path = r.name === '' ? dir : joinPath(dir, r.name);
      const directory = isDirectoryEvent(r.mask);
      switch (meaning) {
        case Meaning.CREATE:
          out.push({ type: 'create', path, kind: directory ? 'directory' : 'unknown' });
          break;
        case Meaning.DELETE:
          out.push({ type: 'delete', path, kind: directory ? 'directory' : 'unknown' });
          break;
        case Meaning.MODIFY:
          out.push({ type: 'modify', path, kind: 'file' });
          break;
        case Meaning.CLOSE_WRITE:
          out.push({ type: 'close-write', path, kind: 'file' });
          break;
        case Meaning.MOVED_FROM: {
          const pairedLater = lastMovedTo(r.cookie) > i;
          if (pairedLater) {
            movedFrom.set(r.cookie, { path, directory });
          } else if (!final && !retried.has(r)) {
            // The pair may be split across two reads: hold the rest for a moment.
            flush();
            this.#held = records.slice(i);
            this.#armHeldTimer();
            return;
          } else {
            out.push({ type: 'delete', path, kind: directory ? 'directory' : 'unknown' });
          }
          break;
        }
        case Meaning.MOVED_TO: {
          const from = movedFrom.get(r.cookie);
          if (from) {
            movedFrom.delete(r.cookie);
            out.push({ type: 'rename', oldPath: from.path, path, kind: directory ? 'directory' : 'unknown' });
            if (directory) this.#moveWatches(from.path, path);
          } else {
            // Moved in from outside the tree, possibly over an existing entry (atomic save).
            out.push({ type: 'create', path, kind: directory ? 'directory' : 'unknown', displaces: true });
          }
          break;
        }
      }
    }
    flush();
  }

  /** Decides the held records once nothing that could pair them is still on its way. */
  #armHeldTimer(): void {
    this.#heldTimer = setTimeout(() => {
      this.#heldTimer = undefined;
      if (this.#closed) return;
      // The next batch (which takes the held records with it) exists already, or is held back by a scan: wait for it.
      if (this.#scans > 0 || (this.#inotify?.pendingBytes() ?? 0) > 0) {
        this.#armHeldTimer();
        return;
      }
      const held = this.#held;
      this.#held = [];
      this.#translate(held, new Set(held), true);
    }, MOVE_PAIR_WAIT_MS);
  }

  /** A directory renamed within the tree keeps its watches; their paths change (R5). */
  #moveWatches(from: string, to: string): void {
    if (this.#ctx.ignore(to, 'directory')) {
      // Renamed into an ignored name: it leaves the visible tree, so do its watches.
      this.forgetDirectory(from);
      return;
    }
    for (const [dir, wd] of [...this.#wdByDir]) {
      if (!isWithin(dir, from)) continue;
      const moved = to + dir.slice(from.length);
      this.#wdByDir.delete(dir);
      this.#wdByDir.set(moved, wd);
      this.#dirByWd.set(wd, moved);
    }
    for (const [dir, since] of [...this.#unwatched]) {
      if (!isWithin(dir, from)) continue;
      this.#unwatched.delete(dir);
      this.#unwatched.set(to + dir.slice(from.length), since);
    }
  }
}
