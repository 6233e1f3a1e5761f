import { constants as fsConstants } from 'node:fs';
import { copyFile, link, lstat, mkdir, open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, VigilError, decodeName, fromSystemError, toFsPath } from '@vigilfs/core';
import { assertValidName, uniqueName } from './names.js';
import { openDefaultWatcher, type SpoolWatcher, type WakerKind, type WatchFunction } from './waker.js';

/** The three directories of a spool. */
export const SpoolArea = {
  /** Files being written. Nobody reads them; stale ones are debris of a crash. */
  TMP: 'tmp',
  /** Complete files waiting for a consumer. */
  NEW: 'new',
  /** Files a consumer has claimed. */
  CUR: 'cur',
} as const;
/** One of {@link SpoolArea}'s values. */
export type SpoolArea = (typeof SpoolArea)[keyof typeof SpoolArea];

const AREAS: readonly SpoolArea[] = [SpoolArea.TMP, SpoolArea.NEW, SpoolArea.CUR];

/** Options of a {@link Spool}. */
export interface SpoolOptions {
  /**
   * Starts a watcher on the spool's `new/` directory; it wakes consumers.
   * Default: vigil's `watch` (dynamically imported), or, only when `vigil`
   * cannot be imported, an `fs.watch` fallback (see README).
   */
  watch?: WatchFunction;
  /** vigil backend for the default watch function (`'auto'` by default). */
  backend?: string;
  /** vigil poll interval (ms) for the default watch function. */
  pollInterval?: number;
  /**
   * Also look at `new/` every this many ms while a consumer waits. Off (0) by
   * default: vigil reports every change (R7, R8), so this is only a belt and
   * braces for watchers that may miss events (the `fs.watch` fallback).
   */
  rescanInterval?: number;
  /** `fsync` each file before committing it (default true, as maildir requires). */
  fsync?: boolean;
  /** Host name used in generated names (default `os.hostname()`). */
  hostname?: string;
  /** Mode of the directories `prepare()` creates (default 0o777, less umask). */
  mode?: number;
}

/** A file claimed by a consumer: it now lives in `cur/` and belongs to the claimer. */
export interface ClaimedFile {
  /** The file's name (the same in every area). */
  readonly name: string;
  /** Its full path in `cur/`. */
  readonly path: string;
  /** Its modification time when it was found in `new/` (ms since the epoch). */
  readonly mtimeMs: number;
}

/** Options of {@link Spool.claim} and {@link Spool.claims}. */
export interface ClaimOptions {
  /** Stops waiting: `claim()` rejects with the signal's reason, `claims()` ends. */
  signal?: AbortSignal;
}

/** Options of {@link Spool.cleanTmp}. */
export interface CleanTmpOptions {
  /** Remove files in `tmp/` last modified longer ago than this (default 36 hours, maildir's rule). */
  olderThanMs?: number;
}

/** Options of {@link SpoolWriter.commit}. */
export interface CommitOptions {
  /** Overrides the spool's `fsync` option for this file. */
  fsync?: boolean;
}

/** Wraps an fs failure as a VigilError; EEXIST becomes `ALREADY_EXISTS`. */
function fsError(error: unknown, filePath: string, syscall: string): VigilError {
  const errno = (error as { code?: unknown } | null)?.code;
  return fromSystemError(error, {
    path: filePath,
    syscall,
    ...(errno === 'EEXIST' ? { code: ErrorCode.ALREADY_EXISTS } : {}),
  });
}

function errnoOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/**
 * Links `from` to `to` and unlinks `from`: a move that refuses to overwrite.
 * rename(2) replaces an existing target; link(2) fails with EEXIST instead
 * (the portable stand-in for renameat2's RENAME_NOREPLACE).
 */
async function moveNoReplace(from: string, to: string): Promise<void> {
  try {
    await link(toFsPath(from), toFsPath(to));
  } catch (error) {
    // Over NFS a retransmitted LINK whose first reply was lost fails with
    // EEXIST although it worked; the target then is our very inode (the check
    // maildir readers know as "stat and compare").
    if (!(errnoOf(error) === 'EEXIST' && (await sameFile(from, to)))) {
      throw fsError(error, errnoOf(error) === 'EEXIST' ? to : from, 'link');
    }
  }
  try {
    await unlink(toFsPath(from));
  } catch (error) {
    // Someone else removed the source in between; the target is in place.
    if (errnoOf(error) !== 'ENOENT') throw fsError(error, from, 'unlink');
  }
}

/**
 * A handle on a file being written in `tmp/`. Write, then `commit()` to hand
 * it over atomically to `new/`, or `abort()` to discard it.
 */
export class SpoolWriter {
  /** The file's name (unique unless the caller chose it). */
  readonly name: string;
  /** Its full path in `tmp/` while it is being written. */
  readonly path: string;
  #handle: FileHandle | undefined;
  #spool: Spool;
  #fsync: boolean;
  #state: 'open' | 'closed' | 'committed' | 'aborted' = 'open';

  /** @internal Use {@link Spool.create}. */
  constructor(spool: Spool, name: string, handle: FileHandle, fsync: boolean) {
    this.#spool = spool;
    this.name = name;
    this.path = spool.path(SpoolArea.TMP, name);
    this.#handle = handle;
    this.#fsync = fsync;
  }

  /** The open file, for streaming (`handle.createWriteStream()`); do not close it yourself. */
  get handle(): FileHandle {
    if (this.#handle === undefined) throw this.#closedError();
    return this.#handle;
  }

  /** Appends `data` at the current position. */
  async write(data: string | Uint8Array): Promise<void> {
    const handle = this.handle;
    try {
      await handle.writeFile(data);
    } catch (error) {
      throw fsError(error, this.path, 'write');
    }
  }

  /**
   * Flushes (fsync unless disabled), closes and moves the file to `new/` with
   * link + unlink, so it appears there complete and at once. Resolves with its
   * path in `new/`. If a file of that name exists in `new/` or `cur/`, rejects
   * with `ALREADY_EXISTS`, overwrites nothing and leaves this file in `tmp/`
   * (call `abort()` to discard it). The check against `cur/` is a courtesy
   * (not atomic); generated names never collide.
   */
  async commit(options: CommitOptions = {}): Promise<string> {
    if (this.#state === 'committed' || this.#state === 'aborted') throw this.#closedError();
    if (this.#handle !== undefined) {
      const handle = this.#handle;
      try {
        if (options.fsync ?? this.#fsync) await handle.sync();
      } catch (error) {
        throw fsError(error, this.path, 'fsync');
      }
      this.#handle = undefined;
      this.#state = 'closed';
      try {
        await handle.close();
      } catch (error) {
        throw fsError(error, this.path, 'close');
      }
    }
    const target = this.#spool.path(SpoolArea.NEW, this.name);
    const claimed = this.#spool.path(SpoolArea.CUR, this.name);
    if (await exists(claimed)) {
      throw new VigilError(ErrorCode.ALREADY_EXISTS, `a spool file named ${JSON.stringify(this.name)} already exists in cur/`, {
        path: claimed,
        errno: 'EEXIST',
      });
    }
    await moveNoReplace(this.path, target);
    this.#state = 'committed';
    return target;
  }

  /** Closes and deletes the file in `tmp/`. Safe to call after a failed commit. */
  async abort(): Promise<void> {
    if (this.#state === 'committed' || this.#state === 'aborted') return;
    const handle = this.#handle;
    this.#handle = undefined;
    this.#state = 'aborted';
    await handle?.close().catch(() => undefined);
    try {
      await unlink(toFsPath(this.path));
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw fsError(error, this.path, 'unlink');
    }
  }

  #closedError(): VigilError {
    return new VigilError(ErrorCode.CLOSED, `spool file ${JSON.stringify(this.name)} is already ${this.#state}`, {
      path: this.path,
    });
  }
}

/** True when both paths name one inode (dev + ino); false if either is missing. */
async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [sa, sb] = await Promise.all([lstat(toFsPath(a), { bigint: true }), lstat(toFsPath(b), { bigint: true })]);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(toFsPath(p));
    return true;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    throw fsError(error, p, 'lstat');
  }
}

interface Entry {
  name: string;
  mtimeMs: number;
}

function byAge(a: Entry, b: Entry): number {
  return a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * A maildir-style spool: producers write into `tmp/` and commit into `new/`;
 * consumers claim from `new/` by renaming into `cur/`. Every hand-over is one
 * atomic directory operation, so any number of processes can share a spool
 * without locks. See the package README for the protocol.
 */
export class Spool {
  /** The spool's root directory (absolute). */
  readonly root: string;
  #options: SpoolOptions;
  #consumer: Consumer | undefined;
  #closed = false;

  /** A spool rooted at `root` (made absolute). Call {@link prepare} once before use. */
  constructor(root: string, options: SpoolOptions = {}) {
    this.root = path.resolve(root);
    this.#options = { ...options };
  }

  /** The directory of an area. */
  dir(area: SpoolArea): string {
    assertArea(area);
    return path.join(this.root, area);
  }

  /** The full path of `name` in `area`. */
  path(area: SpoolArea, name: string): string {
    assertValidName(name);
    return path.join(this.dir(area), name);
  }

  /** Creates `tmp/`, `new/` and `cur/` (and the root) if missing. Idempotent. */
  async prepare(): Promise<void> {
    for (const area of AREAS) {
      const dir = this.dir(area);
      try {
        await mkdir(dir, { recursive: true, mode: this.#options.mode ?? 0o777 });
      } catch (error) {
        throw fsError(error, dir, 'mkdir');
      }
    }
  }

  /** A fresh maildir-style name, unique across processes and hosts. */
  uniqueName(): string {
    return uniqueName(this.#options.hostname);
  }

  /**
   * Opens a new file in `tmp/` for writing (O_CREAT|O_EXCL): `name` defaults
   * to {@link uniqueName}. Rejects with `ALREADY_EXISTS` if `tmp/` holds one.
   */
  async create(name?: string): Promise<SpoolWriter> {
    const fileName = name ?? this.uniqueName();
    const filePath = this.path(SpoolArea.TMP, fileName);
    let handle: FileHandle;
    try {
      handle = await open(toFsPath(filePath), 'wx', 0o666);
    } catch (error) {
      throw fsError(error, filePath, 'open');
    }
    return new SpoolWriter(this, fileName, handle, this.#options.fsync ?? true);
  }

  /** Writes `data` as one file and commits it; resolves with its path in `new/`. */
  async write(data: string | Uint8Array, name?: string): Promise<string> {
    const writer = await this.create(name);
    try {
      await writer.write(data);
      return await writer.commit();
    } catch (error) {
      await writer.abort().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Moves `name` from one area to another without ever overwriting: rejects
   * with `ALREADY_EXISTS` if the target exists, `PATH_NOT_FOUND` if the source
   * does not. Resolves with the new path. (Consumers claim with
   * {@link claim}, which uses rename(2) so that exactly one of them wins.)
   */
  async move(name: string, from: SpoolArea, to: SpoolArea): Promise<string> {
    assertDistinct(from, to);
    const target = this.path(to, name);
    await moveNoReplace(this.path(from, name), target);
    return target;
  }

  /**
   * Copies `name` from one area to another: the copy is written under a fresh
   * name in `tmp/` and linked into place, so it appears complete and never
   * overwrites (`ALREADY_EXISTS`). Resolves with the copy's path.
   */
  async copy(name: string, from: SpoolArea, to: SpoolArea): Promise<string> {
    assertDistinct(from, to);
    const source = this.path(from, name);
    const target = this.path(to, name);
    const scratch = this.path(SpoolArea.TMP, `${this.uniqueName()}.copy`);
    try {
      await copyFile(toFsPath(source), toFsPath(scratch), fsConstants.COPYFILE_EXCL);
    } catch (error) {
      throw fsError(error, errnoOf(error) === 'ENOENT' ? source : scratch, 'copyfile');
    }
    try {
      await moveNoReplace(scratch, target);
    } catch (error) {
      await unlink(toFsPath(scratch)).catch(() => undefined);
      throw error;
    }
    return target;
  }

  /** Deletes `name` from `area` (for example a processed file from `cur/`). */
  async remove(name: string, area: SpoolArea): Promise<void> {
    const filePath = this.path(area, name);
    try {
      await unlink(toFsPath(filePath));
    } catch (error) {
      throw fsError(error, filePath, 'unlink');
    }
  }

  /**
   * Full paths of the files in `area`, oldest first (modification time, then
   * name). Directories and entries that vanish while listing are left out.
   */
  async list(area: SpoolArea): Promise<string[]> {
    const dir = this.dir(area);
    return (await scanDir(dir, new Map())).map((e) => path.join(dir, e.name));
  }

  /**
   * Claims the oldest file waiting in `new/` by renaming it into `cur/`, or
   * resolves with `undefined` at once if there is none. Never waits.
   */
  async tryClaim(): Promise<ClaimedFile | undefined> {
    this.#assertOpen();
    return this.#getConsumer().tryClaim();
  }

  /**
   * Claims one file: the oldest waiting in `new/`, or, if there is none, the
   * next to arrive (woken by file events, never by sleeping). The claim is a
   * rename(2) into `cur/`: when several processes race for one file exactly
   * one wins; the others get ENOENT and try the next file. Rejects with
   * `CLOSED` when the spool is closed, or with the signal's reason.
   */
  async claim(options: ClaimOptions = {}): Promise<ClaimedFile> {
    this.#assertOpen();
    return this.#getConsumer().claim(options.signal);
  }

  /**
   * Claims files one after another as they arrive, oldest first, files
   * already waiting before the ones to come. Ends (without error) when the
   * spool is closed or the signal aborts.
   */
  async *claims(options: ClaimOptions = {}): AsyncGenerator<ClaimedFile, void, undefined> {
    for (;;) {
      if (this.#closed || options.signal?.aborted) return;
      let file: ClaimedFile;
      try {
        file = await this.claim(options);
      } catch (error) {
        if (this.#closed || options.signal?.aborted) return;
        throw error;
      }
      yield file;
    }
  }

  /** Same as {@link claims} without options. */
  [Symbol.asyncIterator](): AsyncGenerator<ClaimedFile, void, undefined> {
    return this.claims();
  }

  /**
   * Deletes files in `tmp/` not modified for `olderThanMs` (default 36 hours):
   * the debris of producers that crashed before committing. Resolves with the
   * removed paths. Pick an age well above the longest write.
   */
  async cleanTmp(options: CleanTmpOptions = {}): Promise<string[]> {
    const olderThanMs = options.olderThanMs ?? 36 * 60 * 60 * 1000;
    if (!(olderThanMs >= 0)) {
      throw new VigilError(ErrorCode.INVALID_OPTION, `cleanTmp: olderThanMs must be a number >= 0, got ${olderThanMs}`);
    }
    const dir = this.dir(SpoolArea.TMP);
    const cutoff = Date.now() - olderThanMs;
    const removed: string[] = [];
    for (const entry of await scanDir(dir, new Map())) {
      if (entry.mtimeMs > cutoff) continue;
      const filePath = path.join(dir, entry.name);
      try {
        await unlink(toFsPath(filePath));
        removed.push(filePath);
      } catch (error) {
        if (errnoOf(error) !== 'ENOENT') throw fsError(error, filePath, 'unlink');
      }
    }
    return removed;
  }

  /**
   * Starts the consumer's watcher on `new/` now (claiming starts it lazily),
   * so that a watcher failure surfaces early. Resolves, once every later
   * arrival will wake a waiting claim, with the waker in use.
   */
  async watch(): Promise<WakerKind> {
    this.#assertOpen();
    return this.#getConsumer().arm();
  }

  /** Which waker serves the consumer (`undefined` until it started). */
  get waker(): WakerKind | undefined {
    return this.#consumer?.waker;
  }

  /** Stops the watcher; pending `claim()`s reject with `CLOSED`, `claims()` ends. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#consumer?.close();
  }

  #getConsumer(): Consumer {
    this.#consumer ??= new Consumer(this.dir(SpoolArea.NEW), this.dir(SpoolArea.CUR), this.#options);
    return this.#consumer;
  }

  #assertOpen(): void {
    if (this.#closed) throw new VigilError(ErrorCode.CLOSED, 'the spool is closed', { path: this.root });
  }
}

function assertArea(area: unknown): asserts area is SpoolArea {
  if (!AREAS.includes(area as SpoolArea)) {
    throw new VigilError(ErrorCode.INVALID_OPTION, `unknown spool area ${JSON.stringify(area)}: use tmp, new or cur`);
  }
}

function assertDistinct(from: SpoolArea, to: SpoolArea): void {
  assertArea(from);
  assertArea(to);
  if (from === to) throw new VigilError(ErrorCode.INVALID_OPTION, `source and target area are both ${from}`);
}

/**
 * The non-directory entries of `dir`, oldest first. `known` caches mtimes by
 * name across scans so a rescan stats only names it has not seen; it is
 * updated in place (vanished names are dropped).
 */
async function scanDir(dir: string, known: Map<string, number>): Promise<Entry[]> {
  let raw: Buffer[];
  try {
    raw = await readdir(toFsPath(dir), { encoding: 'buffer' });
  } catch (error) {
    throw fsError(error, dir, 'scandir');
  }
  const seen = new Set<string>();
  const entries: Entry[] = [];
  for (const bytes of raw) {
    // Lossless for names that are not valid UTF-8 (R12): see decodeName.
    const name = decodeName(bytes);
    seen.add(name);
    let mtimeMs = known.get(name);
    if (mtimeMs === undefined) {
      const filePath = path.join(dir, name);
      try {
        const st = await lstat(toFsPath(filePath));
        if (st.isDirectory()) continue;
        mtimeMs = st.mtimeMs;
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') continue; // claimed or removed meanwhile
        throw fsError(error, filePath, 'lstat');
      }
      known.set(name, mtimeMs);
    }
    entries.push({ name, mtimeMs });
  }
  for (const name of known.keys()) if (!seen.has(name)) known.delete(name);
  return entries.sort(byAge);
}

/**
 * The consuming side of one Spool: a queue of names seen in `new/`, refilled
 * by rescans that file events trigger. Events only ever mean "look again";
 * their contents are not trusted, so `rename` vs `create`, coalescing and
 * rescans after an overflow all work the same.
 */
class Consumer {
  readonly #newDir: string;
  readonly #curDir: string;
  readonly #options: SpoolOptions;
  #queue: Entry[] = [];
  #known = new Map<string, number>();
  /** Something may have arrived since the last scan began. True at first: nothing is known yet. */
  #dirty = true;
  #scanning: Promise<void> | undefined;
  #arming: Promise<void> | undefined;
  #watcher: SpoolWatcher | undefined;
  #waker: WakerKind | undefined;
  #wakeups = new Set<() => void>();
  #failure: unknown;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(newDir: string, curDir: string, options: SpoolOptions) {
    this.#newDir = newDir;
    this.#curDir = curDir;
    this.#options = options;
  }

  get waker(): WakerKind | undefined {
    return this.#waker;
  }

  async tryClaim(): Promise<ClaimedFile | undefined> {
    const first = await this.#take();
    if (first !== undefined) return first;
    await this.#scan(true);
    return this.#take();
  }

  async claim(signal: AbortSignal | undefined): Promise<ClaimedFile> {
    for (;;) {
      this.#check(signal);
      // Arm the watcher before the first readdir: a file committed between the
      // two is then either in the listing or announced by an event (no lost
      // wakeup). Cheap once armed; re-arms after the watcher died.
      await this.#ensureWatcher();
      this.#check(signal);
      const file = await this.#take();
      if (file !== undefined) return file;
      this.#check(signal);
      if (this.#dirty) {
        await this.#scan(false);
        continue;
      }
      await this.#sleep(signal);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#wake();
    const arming = this.#arming;
    if (arming !== undefined) await arming.catch(() => undefined);
    await this.#watcher?.close();
  }

  #check(signal: AbortSignal | undefined): void {
    if (this.#closed) throw new VigilError(ErrorCode.CLOSED, 'the spool is closed', { path: this.#newDir });
    signal?.throwIfAborted();
  }

  /**
   * Makes sure a watcher is armed. After a fatal watcher error (vigil's
   * `error` event, e.g. ROOT_REMOVED) the dead watcher is dropped and the next
   * claim opens a fresh one; if that fails too, the claim rejects with the
   * original error, which says what happened.
   */
  async #ensureWatcher(): Promise<void> {
    if (this.#arming !== undefined) return this.#arming;
    try {
      await this.#arm();
    } catch (error) {
      throw this.#failure ?? error;
    }
    this.#failure = undefined;
  }

  /** Claims queue entries oldest first until one rename succeeds. */
  async #take(): Promise<ClaimedFile | undefined> {
    for (let entry = this.#queue.shift(); entry !== undefined; entry = this.#queue.shift()) {
      // Forget it: if it is somehow still there, the next scan stats it afresh.
      this.#known.delete(entry.name);
      const from = path.join(this.#newDir, entry.name);
      const to = path.join(this.#curDir, entry.name);
      try {
        await rename(toFsPath(from), toFsPath(to));
        return { name: entry.name, path: to, mtimeMs: entry.mtimeMs };
      } catch (error) {
        // Another consumer won the race (or the file was removed): move on.
        if (errnoOf(error) === 'ENOENT') continue;
        throw fsError(error, from, 'rename');
      }
    }
    return undefined;
  }

  /** One readdir of new/ at a time; callers that arrive meanwhile share it. */
  async #scan(force: boolean): Promise<void> {
    if (this.#scanning !== undefined) {
      await this.#scanning;
      if (!force && !this.#dirty) return;
      if (this.#scanning !== undefined) return this.#scanning;
    }
    // Clear the flag before reading: an event during the readdir sets it again.
    this.#dirty = false;
    const run = scanDir(this.#newDir, this.#known).then((entries) => {
      this.#queue = entries;
    });
    this.#scanning = run;
    try {
      await run;
    } finally {
      this.#scanning = undefined;
      // Claimers that slept while this scan ran may now find files in the queue.
      this.#wake();
    }
  }

  /** Opens the watcher once; resolves with its kind. */
  async arm(): Promise<WakerKind> {
    await this.#ensureWatcher();
    return this.#waker ?? 'custom';
  }

  async #arm(): Promise<void> {
    // A failed attempt is forgotten, so that a later claim can try again
    // (for example once `prepare()` has created new/).
    this.#arming ??= this.#openWatcher().catch((error: unknown) => {
      this.#arming = undefined;
      throw error;
    });
    return this.#arming;
  }

  async #openWatcher(): Promise<void> {
    const options = {
      ...(this.#options.backend !== undefined ? { backend: this.#options.backend } : {}),
      ...(this.#options.pollInterval !== undefined ? { pollInterval: this.#options.pollInterval } : {}),
    };
    let watcher: SpoolWatcher;
    if (this.#options.watch !== undefined) {
      watcher = await this.#options.watch(this.#newDir, options);
      this.#waker = 'custom';
    } else {
      const opened = await openDefaultWatcher(this.#newDir, options);
      watcher = opened.watcher;
      this.#waker = opened.kind;
    }
    if (this.#closed) {
      await watcher.close();
      return;
    }
    this.#watcher = watcher;
    watcher.on('events', (batch: unknown) => {
      if (this.#watcher !== watcher) return;
      // A delete (a claim by anyone, a removal) cannot bring a file; anything else may.
      if (Array.isArray(batch) && batch.every((e) => (e as { type?: unknown } | null)?.type === 'delete')) return;
      this.#markDirty();
    });
    watcher.on('warning', () => {
      // vigil's overflow notice (R7) among others: look again, to be sure.
      if (this.#watcher === watcher) this.#markDirty();
    });
    watcher.on('error', (error: unknown) => {
      if (this.#watcher !== watcher) return;
      // Fatal: this watcher has ended. Drop it; waiting claims wake up, look
      // at new/ once more, and re-arm (see #ensureWatcher).
      this.#failure = VigilError.isVigilError(error) ? error : fromSystemError(error, { path: this.#newDir, syscall: 'watch' });
      this.#watcher = undefined;
      this.#arming = undefined;
      watcher.close().catch(() => undefined);
      this.#markDirty();
    });
    const every = this.#options.rescanInterval ?? 0;
    if (every > 0 && this.#timer === undefined) {
      this.#timer = setInterval(() => this.#markDirty(), every);
      this.#timer.unref();
    }
    // Whatever arrived before the watcher was armed is found by the first scan.
    this.#dirty = true;
  }

  #markDirty(): void {
    this.#dirty = true;
    this.#wake();
  }

  #wake(): void {
    const wakeups = [...this.#wakeups];
    this.#wakeups.clear();
    for (const w of wakeups) w();
  }

  /** Waits for the next wake-up (an event, close, a watcher failure) or an abort. */
  async #sleep(signal: AbortSignal | undefined): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#wakeups.delete(done);
        reject(signal?.reason);
      };
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#wakeups.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
