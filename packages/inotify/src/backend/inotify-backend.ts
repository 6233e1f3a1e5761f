/**
 * vigil's inotify backend: one watch per directory, added before the
 * directory is listed so nothing created in between is missed (R1); renames
 * as halves keyed by the kernel's cookies (R5); native close-write (R3);
 * overflow answered by a rescan (R7); directories that cannot get a watch
 * (the per-user limit) handed to core to poll (R10).
 *
 * The native reader delivers records in batches (one per read(2), or several
 * reads joined while JS was busy); translate.ts says what they mean, the
 * watch table keeps wds and paths in step, and core does the rest.
 */
import {
  ErrorCode,
  VigilError,
  joinPath,
  entryFromStats,
  kindOnly,
  statEntry,
  walkTree,
  type Backend,
  type BackendEvent,
  type BackendSubscription,
  type IgnorePredicate,
  type IndexEntry,
  type Listing,
  type SubscribeContext,
  type WalkOptions,
} from '@vigilfs/core';
import { loadInotifyAddon } from '../addon.js';
import { IN, kindFromDType } from '../constants.js';
import { inotifyError } from '../errors.js';
import type { WalkChunk } from '../batch.js';
import { Inotify, walkResultOf, type InotifyEvent } from '../inotify.js';
import { lstatKinds } from '../lstat-kinds.js';
import { watchTree } from '../walk.js';
import { WATCH_MASK } from './mask-table.js';
import { translate } from './translate.js';
import { WatchTable } from './watch-table.js';

/** What inotify can do, on every filesystem it runs on. */
const CAPABILITIES = { renamePairing: 'os', closeWrite: true, overflowSignal: true } as const;

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

/**
 * The test hook behind VIGIL_INOTIFY_MAX_WATCHES: this backend's instances
 * act as if fs.inotify.max_user_watches allowed that many watches (see
 * Inotify.setWatchLimit), so a test can run out of watches without lowering
 * the sysctl for every process of the user.
 */
function watchLimitHook(): number | undefined {
  const n = Number(process.env.VIGIL_INOTIFY_MAX_WATCHES);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** Index entries by d_type (what a listing tells), looked up once per entry of the initial walk. */
const ENTRY_BY_DTYPE: readonly IndexEntry[] = Array.from({ length: 16 }, (_, d) => kindOnly(kindFromDType(d)));
const UNKNOWN_ENTRY = kindOnly('unknown');

/** A walked directory's listing as the index reads it: straight from the chunk's columns, names decoded on demand. */
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

/** A listing built from filtered names and entries. */
class ArrayListing implements Listing {
  readonly length: number;
  readonly #names: string[];
  readonly #entries: IndexEntry[];

  constructor(names: string[], entries: IndexEntry[]) {
    this.length = names.length;
    this.#names = names;
    this.#entries = entries;
  }

  names(): readonly string[] {
    return this.#names;
  }

  at(i: number): IndexEntry {
    return this.#entries[i]!;
  }
}

// The addon is loaded with this module, as native packages do (parcel, nsfw), not
// on the first watch: watch() then starts walking at once. Never throws; where
// it cannot load, probe() says why.
if (process.platform === 'linux') loadInotifyAddon();

/** The inotify backend (Linux). */
export const inotifyBackend: Backend = {
  name: 'inotify',
  async probe() {
    if (process.platform !== 'linux') return { ok: false, reason: `inotify exists only on Linux (this is ${process.platform})` };
    const loaded = loadInotifyAddon();
    return loaded.ok ? { ok: true, capabilities: CAPABILITIES } : { ok: false, reason: loaded.reason, unexpected: true };
  },
  async subscribe(ctx) {
    return new InotifySubscription(ctx);
  },
};

class InotifySubscription implements BackendSubscription {
  readonly #ctx: SubscribeContext;
  readonly #inotify: Inotify;
  readonly #table = new WatchTable();
  /**
   * Walks in progress, and the reader's batches held back meanwhile. The
   * walker adds watches on a pool thread and JS learns their wds only when the
   * chunk comes back; a batch read in between may already name a new wd.
   * Holding batches until the wds are mapped keeps those events (R1); core's
   * queue is waiting for the walk anyway, so their order does not change.
   */
  #walks = 0;
  #heldBatches: InotifyEvent[][] = [];
  /** When vigil last read the queue: after an overflow, files changed since then are reported as modified. */
  #lastRead = Date.now();
  #closed = false;

  constructor(ctx: SubscribeContext) {
    this.#ctx = ctx;
    this.#inotify = new Inotify({
      maxBytesInFlight: bytesInFlight(),
      persistent: ctx.options.persistent,
      onEvents: (batch) => this.#onBatch(batch),
    });
    const limit = watchLimitHook();
    if (limit !== undefined) this.#inotify.setWatchLimit(limit);
    this.#inotify.on('error', (error) => {
      if (!this.#closed) ctx.sink.fatal(error);
    });
  }

  describe(): string {
    return `${this.#table.size} inotify watches`;
  }

  pending(): boolean {
    return this.#walks > 0 || this.#heldBatches.length > 0 || this.#inotify.pendingBytes() > 0;
  }

  prepareDirectory(dir: string): void {
    if (this.#closed || this.#table.wdOf(dir) !== undefined) return;
    try {
      this.#table.map(this.#inotify.addWatch(dir, this.#mask()), dir);
    } catch (error) {
      if (VigilError.isVigilError(error)) this.#watchFailed(dir, error);
      // Anything else: gone or replaced by a file meanwhile; its parent's events say so.
    }
  }

  forgetDirectory(dir: string): void {
    for (const wd of this.#table.forget(dir)) {
      try {
        this.#inotify.removeWatch(wd);
      } catch {
        // Already gone (the directory was deleted): nothing to release.
      }
    }
  }

  /**
   * Watch, list (and with `stats` lstat) every directory of `start` on the
   * pool threads, level by level (a rescan of 100,000 entries in a fraction
   * of a second instead of seconds of fs.lstat calls). Each directory gets
   * its watch before it is listed.
   */
  async walk(start: string, options: WalkOptions): Promise<IndexEntry | undefined> {
    if (this.#closed) return undefined;
    // The native walker never follows links: following them needs walkTree's loop detection (R11).
    if (this.#ctx.options.followSymlinks) {
      return walkTree(start, { ...options, followSymlinks: true, backend: 'inotify', beforeRead: (dir) => this.prepareDirectory(dir) });
    }
    const { ignore, stats, onListing, onWarning, onGone } = options;
    let startEntry: IndexEntry | undefined;
    let startError: VigilError | undefined;
    let startIsNoDirectory = false;
    this.#walks++;
    try {
      await watchTree(this.#inotify, [start], this.#mask(), {
        stats,
        // Nothing ignored (the common case): no call per directory (on a 100,000-entry tree that is ~7 ms of ready time).
        descend: ignore.ignoresNothing?.() ? undefined : (path) => !ignore(path, 'directory') && !(ignore.hidesBelow?.(path) ?? false),
        onChunk: (chunk) => {
          for (let i = 0; i < chunk.length; i++) {
            const path = chunk.dirs[i]!;
            const wd = chunk.wd(i);
            if (wd >= 0 && !this.#closed) this.#table.map(wd, path);
            if (chunk.anyFailed) {
              if (path === start && chunk.readErrno(i) === 'ENOTDIR') {
                startIsNoDirectory = true;
                continue;
              }
              const failure = this.#walkFailure(chunk, i, onWarning, onGone);
              if (path === start && failure) {
                startError = failure === 'gone' ? undefined : failure;
                continue;
              }
            }
            if (path === start) startEntry = stats ? chunk.dirStat(i) : kindOnly('directory');
            onListing(path, this.#listing(chunk, i, ignore, stats, onWarning));
          }
        },
      });
    } finally {
      if (--this.#walks === 0 && this.#heldBatches.length) {
        const held = this.#heldBatches;
        this.#heldBatches = [];
        for (const batch of held) this.#onBatch(batch);
      }
    }
    if (startError) throw startError;
    if (startIsNoDirectory) {
      // A file (or a link) where a directory was: its own entry, as walkTree gives it.
      const st = await statEntry(start, false).catch(() => undefined);
      if (!st) onGone(start);
      return st && entryFromStats(st);
    }
    return startEntry;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#inotify.close();
  }

  /** The mask watches are added with. Following symlinks, a link to a directory is watched through the link. */
  #mask(): number {
    return this.#ctx.options.followSymlinks ? WATCH_MASK & ~IN.IN_DONT_FOLLOW : WATCH_MASK;
  }

  /** Directory `i` of a chunk as a listing: in place when nothing is ignored and no stats are asked for. */
  #listing(chunk: WalkChunk, i: number, ignore: IgnorePredicate, stats: boolean, onWarning: (e: VigilError) => void): Listing {
    if (!stats && ignore.ignoresNothing?.()) return new ChunkListing(chunk, i);
    const dir = chunk.dirs[i]!;
    const all = chunk.names(i);
    const first = chunk.first(i);
    const names: string[] = [];
    const entries: IndexEntry[] = [];
    for (let k = 0; k < all.length; k++) {
      const name = all[k]!;
      const path = joinPath(dir, name);
      let entry: IndexEntry | undefined;
      if (stats) {
        entry = chunk.entryStat(i, k);
        if (!entry) {
          // Gone since the listing is no news; anything else (EACCES, EIO) is worth a warning, as walkTree gives.
          const errno = chunk.entryStatErrno(i, k);
          if (errno !== undefined && errno !== 'ENOENT' && errno !== 'ENOTDIR') onWarning(inotifyError({ errno, syscall: 'lstat' }, path));
          continue;
        }
      } else {
        entry = ENTRY_BY_DTYPE[chunk.types[first + k]!] ?? UNKNOWN_ENTRY;
      }
      if (ignore(path, entry.kind)) continue;
      names.push(name);
      entries.push(entry);
    }
    if (stats) {
      // As walkTree lists them: by name, so a rescan's events come in a reproducible order.
      const order = names.map((_, k) => k).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
      return new ArrayListing(
        order.map((k) => names[k]!),
        order.map((k) => entries[k]!),
      );
    }
    return new ArrayListing(names, entries);
  }

  /** A walked directory whose watch or listing failed: 'gone', an error that ends a walk of it, or undefined (watched on). */
  #walkFailure(chunk: WalkChunk, i: number, onWarning: (e: VigilError) => void, onGone: (dir: string) => void): VigilError | 'gone' | undefined {
    const { watchError, readError, path } = walkResultOf(chunk, i);
    if (readError?.code === ErrorCode.PATH_NOT_FOUND || readError?.code === ErrorCode.NOT_A_DIRECTORY) {
      // Gone or replaced by a file since its parent was listed: its contents are unknown, not empty.
      onGone(path);
      return 'gone';
    }
    if (watchError) this.#watchFailed(path, watchError);
    if (readError) {
      onWarning(readError);
      return readError;
    }
    return watchError && watchError.code !== ErrorCode.WATCH_LIMIT ? watchError : undefined;
  }

  /** inotify_add_watch failed: the limit is core's to poll around; a permission problem is a warning. */
  #watchFailed(dir: string, error: VigilError): void {
    if (error.code === ErrorCode.WATCH_LIMIT) this.#ctx.sink.unwatchable(dir, error);
    else if (error.code === ErrorCode.PERMISSION_DENIED) this.#ctx.sink.warning(error);
  }

  #onBatch(batch: InotifyEvent[]): void {
    if (this.#closed) return;
    if (this.#walks > 0) {
      this.#heldBatches.push(batch);
      return;
    }
    const sink = this.#ctx.sink;
    const readAt = this.#lastRead;
    this.#lastRead = Date.now();
    const rootWd = this.#table.wdOf(this.#ctx.root);
    for (const t of translate(batch, this.#table, rootWd, this.#ctx.ignore)) {
      switch (t.kind) {
        case 'events':
          refineKinds(t.events);
          sink.events(t.events);
          break;
        case 'overflow':
          void sink.rescan(this.#ctx.root, 'overflow', { since: readAt });
          break;
        case 'root-gone':
          this.#closed = true;
          sink.rootRemoved();
          return;
        case 'unmounted':
          void sink.rescan(t.dir, 'unknown');
          break;
        case 'unwatch':
          this.forgetDirectory(t.dir);
          break;
      }
    }
  }
}

/**
 * Gives creates and moved-in halves of kind `unknown` (inotify says only
 * "directory" or "not") their kind, with one native lstat call for the lot:
 * a burst of 50,000 creates asked one fs.lstatSync each spent about 0.5 s.
 */
function refineKinds(events: BackendEvent[]): void {
  const unknown = events.filter((e): e is BackendEvent & { kind: 'unknown' } => (e.type === 'create' || e.type === 'moved-to') && e.kind === 'unknown');
  if (unknown.length === 0) return;
  const kinds = lstatKinds(unknown.map((e) => e.path));
  unknown.forEach((e, i) => {
    (e as { kind: string }).kind = kinds[i]!;
  });
}
