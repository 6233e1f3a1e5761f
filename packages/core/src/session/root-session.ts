/**
 * One watched root: the backend's subscription, the index, and the queue on
 * which every input (a batch of records, a look, a poll's diff, a rescan, a
 * settled file) is handled in turn, so that the index and the event order
 * (R6) never race. The normalizer (event-planner.ts) decides what records
 * mean; this file runs the root: start, delivery, the index, rescans, the
 * polled fallback, a removed root, close.
 */
import type { Backend, BackendCapabilities, BackendSink, BackendSubscription, ChangedOptions, PollingBackend, ScanEntry, TreeDiff } from '../backend.js';
import { diffScan, planDiff, type PlannedEvent } from '../diff.js';
import { ErrorCode, VigilError, fromSystemError } from '../errors.js';
import type { EventOrigin, WatchEvent } from '../events.js';
import type { IgnorePredicate } from '../ignore.js';
import type { ResolvedWatchOptions } from '../options.js';
import { parentPath } from '../paths.js';
import type { FilesystemDescription } from '../platform.js';
import { SettleTracker, type SizeAndTime } from '../settle.js';
import { TreeIndex, kindOnly, type IndexEntry, type Listing } from '../tree-index.js';
import { ScanCollector, entryFromStats, statEntry, walkTree } from '../walk-tree.js';
import { EventPlanner } from './event-planner.js';
import { FallbackPolling } from './fallback-polling.js';
import { look, type InputRecord } from './looks.js';
import { RescanQueue, type RescanReason, type RescanSince } from './rescan-queue.js';
import type { RootMapping } from './root-mapping.js';

/** Where a session delivers. */
export interface SessionOutput {
  events(batch: WatchEvent[]): void;
  warning(error: VigilError): void;
  /** The root ended (ROOT_REMOVED or another fatal error); the session is closing itself. */
  ended(error: VigilError): void;
  /** The backend says the mount table changed. */
  mountsChanged?(): void;
}

/** What a session is started with. */
export interface SessionSpec {
  backend: Backend;
  capabilities: BackendCapabilities;
  mapping: RootMapping;
  /** The root's own entry (its stat), taken when the root was examined. */
  rootEntry: IndexEntry;
  filesystem?: FilesystemDescription;
  options: ResolvedWatchOptions;
  /** What is left out, in the user's terms (a single-file root: everything but the file). */
  ignore: IgnorePredicate;
  output: SessionOutput;
  /** The environment's poller, for directories the backend cannot watch. */
  poller?: PollingBackend;
  /** A polled mount inside a larger tree: its root stays (as the directory beneath) when the mount goes. */
  isMount?: boolean;
}

/** The default window an unpaired move half waits once nothing is pending (see BackendSubscription.moveWindowMs). */
const MOVE_WINDOW_MS = 20;

/** One watched root. Create with {@link RootSession.start}. */
export class RootSession {
  readonly backend: Backend;
  readonly capabilities: BackendCapabilities;
  readonly mapping: RootMapping;
  readonly index: TreeIndex;
  readonly #spec: SessionSpec;
  readonly #options: ResolvedWatchOptions;
  readonly #ignore: IgnorePredicate;
  readonly #output: SessionOutput;
  #subscription: BackendSubscription | undefined;
  #queue: Promise<void> = Promise.resolve();
  #settle: SettleTracker | undefined;
  #closed = false;
  /** Without native close-write every written file settles (R3); with it, only files found by a scan. */
  readonly #emulateAll: boolean;
  readonly #planner: EventPlanner;
  readonly #rescans = new RescanQueue();
  readonly #fallback: FallbackPolling;
  /** While watching starts, an error that would end the root makes watch() reject instead. */
  #startError: VigilError | undefined;
  #starting = true;

  private constructor(spec: SessionSpec) {
    this.#spec = spec;
    this.backend = spec.backend;
    this.capabilities = spec.capabilities;
    this.mapping = spec.mapping;
    this.index = new TreeIndex(spec.mapping.indexRoot);
    this.#options = spec.options;
    this.#ignore = spec.ignore;
    this.#output = spec.output;
    this.#emulateAll = !spec.capabilities.closeWrite;
    if (spec.options.settle !== false) {
      this.#settle = new SettleTracker(spec.options.settle, (due) => this.#enqueue(() => this.#settled(due)));
    }
    const name = spec.backend.name;
    this.#planner = new EventPlanner(
      {
        index: this.index,
        ignore: spec.ignore,
        followSymlinks: spec.options.followSymlinks,
        backend: name,
        onDisk: (p) => this.mapping.toWatch(p),
        apply: (e) => this.#apply(e),
        scan: (start) => this.#scan(start),
        warning: (w) => this.#warn(w),
        releaseHeld: () => void this.#enqueue(async () => this.#deliver(await this.#planner.release())),
      },
      {
        windowMs: MOVE_WINDOW_MS,
        pending: () => this.#subscription?.pending?.() ?? false,
      },
    );
    this.#fallback = new FallbackPolling(
      {
        backend: name,
        options: spec.options,
        ignore: spec.ignore,
        known: (p) => this.index.get(p),
        knownNames: (d) => this.index.children(d)?.keys() ?? [],
        diff: (d) => void this.#enqueue(() => this.#processDiff(d, 'rescan')),
        warning: (w) => this.#warn(w),
        fatal: (e) => this.#fatal(e),
      },
      spec.poller,
    );
  }

  /** The user's root (a file root's path, not its parent). */
  get root(): string {
    return this.mapping.file?.userPath ?? this.mapping.indexRoot;
  }

  /** Whether the root is a directory tree or a single file watched by name. */
  get rootKind(): 'directory' | 'file' {
    return this.mapping.file ? 'file' : 'directory';
  }

  /** Subscribes the backend and fills the index; resolves when the root is fully watched (R8). */
  static async start(spec: SessionSpec): Promise<RootSession> {
    const session = new RootSession(spec);
    try {
      await session.#start();
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  async #start(): Promise<void> {
    const spec = this.#spec;
    const mapping = this.mapping;
    this.index.set(mapping.indexRoot, this.#spec.rootEntry);
    this.#subscription = await spec.backend.subscribe({
      root: mapping.watchRoot,
      recursive: this.rootKind === 'directory' && spec.options.depth > 0,
      ignore: this.#backendIgnore(),
      options: spec.options,
      capabilities: spec.capabilities,
      filesystem: spec.filesystem,
      sink: this.#sink(),
      known: mapping.identity ? (p) => this.index.get(p) : (p) => this.index.get(mapping.toUser(p)),
      knownNames: (d) => this.index.children(mapping.toUser(d))?.keys() ?? [],
    });
    // The index is filled on the queue: records that arrive meanwhile wait behind it.
    let gone = false;
    await this.#enqueue(async () => {
      const entry = await this.#walk(mapping.indexRoot, false, (dir, listing) => this.index.addListing(dir, listing));
      gone = entry === undefined || entry.kind !== 'directory';
      this.#planner.learnDirectories();
      // `initial`: what exists now, as one first batch, before anything that happens after.
      if (!gone && spec.options.initial && !spec.isMount) this.#deliver(this.#creates());
    });
    this.#starting = false;
    if (this.#startError) throw this.#startError;
    if (this.#closed) return;
    if (gone) {
      throw new VigilError(ErrorCode.PATH_NOT_FOUND, `${this.root}: gone while watching started`, { path: this.root, backend: spec.backend.name });
    }
  }

  /** An error that ends the root: watch() rejects with it while starting, later the root ends (in turn). */
  #fatal(error: VigilError): void {
    if (this.#starting) this.#startError ??= error;
    else void this.#enqueue(() => this.#end(error));
  }

  /** The ignore predicate in the backend's terms. */
  #backendIgnore(): IgnorePredicate {
    const mapping = this.mapping;
    if (mapping.identity) return this.#ignore;
    const user = this.#ignore;
    return Object.assign((p: string, kind?: Parameters<IgnorePredicate>[1]) => user(mapping.toUser(p), kind), {
      ignoresNothing: user.ignoresNothing,
      hidesBelow: user.hidesBelow && ((dir: string) => user.hidesBelow!(mapping.toUser(dir))),
    });
  }

  /** What the backend and the fallback say about themselves. */
  describe(): string | undefined {
    const parts = [this.#subscription?.describe?.(), this.#fallback.describe()].filter(Boolean);
    return parts.length ? parts.join(', ') : undefined;
  }

  /** The paths vigil believes exist under this root (a file root: the file, if it exists). */
  knownPaths(): string[] {
    const file = this.mapping.file;
    if (file) return this.index.has(file.userPath) ? [file.userPath] : [];
    return this.index.paths();
  }

  /** Stops watching; once it resolves no event of this root is delivered. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#settle?.clear();
    this.#planner.clear();
    await Promise.all([this.#subscription?.close(), this.#fallback.close()]);
  }

  /** Resolves once everything queued so far has been delivered. */
  idle(): Promise<void> {
    return this.#queue;
  }

  /**
   * Something was mounted on, or unmounted from, `path` (a directory inside
   * this root): what is visible there changed without any event. The backend
   * lets go of its watches there, then a rescan reports the difference and
   * adds fresh watches on what is now visible.
   */
  remount(path: string): Promise<void> {
    return this.#enqueue(async () => {
      this.#subscription?.forgetDirectory?.(this.mapping.toWatch(path));
      this.#fallback.forget(path);
      const scanned = await this.#scan(path);
      await this.#processDiff(diffScan(this.index, path, scanned), 'rescan');
    });
  }

  /** Reports every known entry below the root as created (a subtree that came into view, e.g. a new mount). */
  announce(): Promise<void> {
    return this.#enqueue(() => this.#deliver(this.#creates()));
  }

  /** A create for every known entry but a directory root itself, parents first. */
  #creates(): PlannedEvent[] {
    const out: PlannedEvent[] = [];
    for (const p of this.knownPaths()) {
      if (p === this.mapping.indexRoot && this.rootKind === 'directory') continue;
      out.push({ type: 'create', path: p, kind: this.index.get(p)!.kind, origin: 'rescan' });
    }
    return out;
  }

  /** Reports every entry below the root as deleted (the subtree left view, e.g. an unmount), then closes. */
  async retire(): Promise<void> {
    await this.#enqueue(() => {
      const out: PlannedEvent[] = [];
      for (const p of this.index.descendants(this.mapping.indexRoot, 'post'))
        out.push({ type: 'delete', path: p, kind: this.index.get(p)!.kind, origin: 'rescan' });
      for (const e of out) this.index.delete(e.path);
      this.#deliver(out);
    });
    await this.close();
  }

  #sink(): BackendSink {
    const m = this.mapping;
    const user = (p: string): string => m.toUser(p);
    return {
      events: (batch) => {
        const records: InputRecord[] = m.identity ? (batch as InputRecord[]) : batch.map((r) => ({ ...r, path: user(r.path) }));
        void this.#enqueue(async () => this.#deliver(await this.#planner.plan(records)));
      },
      changed: (paths, options) => void this.#enqueue(() => this.#changed(paths.map(user), options ?? {})),
      diff: (diff) => void this.#enqueue(() => this.#processDiff(m.identity ? diff : mapDiff(diff, user), 'rescan')),
      rescan: (subtree, reason, options) => this.#requestRescan(user(subtree), reason, options?.since),
      unwatchable: (dir, error) => {
        if (!this.#closed) this.#fallback.unwatchable(user(dir), error);
      },
      warning: (error) => this.#warn(error),
      rootRemoved: (found = 'event') => void this.#enqueue(() => this.#rootRemoved(found === 'scan' ? 'rescan' : 'os')),
      fatal: (error) => this.#fatal(error),
      mountsChanged: () => {
        if (!this.#closed) this.#output.mountsChanged?.();
      },
    };
  }

  #warn(error: VigilError): void {
    if (!this.#closed) this.#output.warning(error);
  }

  #enqueue(task: () => void | Promise<void>): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#closed) return;
      try {
        await task();
      } catch (error) {
        this.#warn(fromSystemError(error, { path: this.root, backend: this.backend.name }));
      }
    };
    this.#queue = this.#queue.then(run);
    return this.#queue;
  }

  #deliver(events: PlannedEvent[]): void {
    if (this.#closed || events.length === 0) return;
    const batch: WatchEvent[] = [];
    // R2: repeated modifies of one path with nothing else on it in between are one.
    const lastType = new Map<string, string>();
    for (const e of events) {
      if (e.type === 'modify' && lastType.get(e.path) === 'modify') continue;
      lastType.set(e.path, e.type);
      if (e.oldPath !== undefined) lastType.set(e.oldPath, e.type);
      const out: WatchEvent = { type: e.type, path: e.path, kind: e.kind, origin: e.origin };
      if (e.oldPath !== undefined) out.oldPath = e.oldPath;
      batch.push(out);
    }
    this.#output.events(batch);
  }

  /** Applies one event to the index (and the settle tracker, the backend's watches, the fallback); false if it lies outside the picture. */
  #apply(e: PlannedEvent): boolean {
    const index = this.index;
    switch (e.type) {
      case 'create': {
        if (e.path !== index.root && index.get(parentPath(e.path))?.kind !== 'directory') return false;
        index.set(e.path, e.stat ?? kindOnly(e.kind));
        if (e.kind === 'file' && (this.#emulateAll || e.origin === 'rescan')) this.#settle?.arm(e.path, e.stat);
        break;
      }
      case 'modify':
        if (e.stat) index.touch(e.path, e.stat.size, e.stat.mtimeMs);
        if (this.#emulateAll || this.#settle?.has(e.path)) this.#settle?.arm(e.path, e.stat);
        break;
      case 'close-write':
        this.#settle?.cancel(e.path);
        break;
      case 'delete': {
        const known = index.get(e.path);
        if (known?.kind === 'directory') {
          this.#subscription?.forgetDirectory?.(this.mapping.toWatch(e.path));
          this.#fallback.forget(e.path);
        }
        this.#settle?.cancel(e.path, known?.kind === 'directory');
        index.delete(e.path);
        break;
      }
      case 'rename': {
        if (index.get(parentPath(e.path))?.kind !== 'directory') return false;
        index.move(e.oldPath!, e.path);
        if (e.stat) index.set(e.path, e.stat);
        else if (e.kind !== 'unknown' && index.get(e.path)?.kind === 'unknown') index.set(e.path, kindOnly(e.kind));
        this.#settle?.move(e.oldPath!, e.path);
        if (e.kind === 'directory') this.#fallback.move(e.oldPath!, e.path);
        break;
      }
    }
    this.#planner.applied(e);
    return true;
  }

  async #processDiff(diff: TreeDiff, origin: EventOrigin): Promise<void> {
    for (const l of diff.learned ?? []) if (this.index.has(l.path)) this.index.set(l.path, l.stat);
    const planned = planDiff(this.index, diff, origin).filter((e) => this.#apply(e));
    this.#deliver(planned);
  }

  /** `changed(paths)`: look, compare, and handle what differs like records from the backend. */
  async #changed(paths: readonly string[], options: ChangedOptions): Promise<void> {
    const visible = paths.filter((p) => !this.#ignore(p));
    if (options.recursive) {
      for (const p of visible) {
        this.#planner.rescanning(p);
        const scanned = await this.#scan(p);
        if (p === this.mapping.indexRoot && !this.#sameRoot(scanned[0])) {
          this.#rootRemoved('os');
          return;
        }
        await this.#processDiff(diffScan(this.index, p, scanned), 'os');
      }
      return;
    }
    const records = await look(visible, {
      index: this.index,
      followSymlinks: this.#options.followSymlinks,
      caseInsensitive: this.#spec.filesystem?.caseInsensitive ?? false,
      moved: options.moved ?? false,
      contentOnly: options.contentOnly ?? false,
      onDisk: (p) => this.mapping.toWatch(p),
      held: this.#planner.heldEntries(),
    });
    if (records.length) this.#deliver(await this.#planner.plan(records));
  }

  #requestRescan(subtree: string, reason: RescanReason, since: number | undefined): Promise<void> {
    return this.#rescans.request(
      subtree,
      reason,
      since,
      (task) => this.#enqueue(task),
      (s, r, t) => this.#rescan(s, r, t),
    );
  }

  async #rescan(subtree: string, reason: RescanReason, since: RescanSince): Promise<void> {
    if (reason === 'overflow') {
      this.#warn(
        new VigilError(ErrorCode.OVERFLOW, `${subtree}: the OS dropped events; rescanning and reporting the differences`, {
          path: subtree,
          backend: this.backend.name,
        }),
      );
    }
    this.#planner.rescanning(subtree);
    const scanned = await this.#scan(subtree);
    if (subtree === this.mapping.indexRoot && !this.#sameRoot(scanned[0])) {
      // The root went while events were lost: the OS's own word of it may have been among them (R9).
      this.#rootRemoved('rescan');
      return;
    }
    await this.#processDiff(diffScan(this.index, subtree, scanned, { since }), 'rescan');
  }

  /** True when a scan's first entry is the directory this root has been watching (not gone, not another one made since). */
  #sameRoot(first: ScanEntry | undefined): boolean {
    if (first?.path !== this.mapping.indexRoot || first.stat.kind !== 'directory') return false;
    const known = this.index.get(this.mapping.indexRoot);
    return !known?.ino || !first.stat.ino || (known.ino === first.stat.ino && known.dev === first.stat.dev);
  }

  /**
   * Walks `start` (user terms) with the backend's walk when it has one (native,
   * off the JS thread), else with walkTree: each directory is watched before it
   * is listed.
   */
  async #walk(start: string, stats: boolean, onListing: (dir: string, listing: Listing) => void): Promise<IndexEntry | undefined> {
    const sub = this.#subscription;
    const m = this.mapping;
    const options = {
      ignore: this.#backendIgnore(),
      stats,
      onListing: m.identity ? onListing : (dir: string, listing: Listing) => onListing(m.toUser(dir), m.listing(dir, listing)),
      onWarning: (w: VigilError): void => this.#warn(w),
      onGone: (dir: string): void => this.#planner.gone(m.toUser(dir)),
    };
    if (sub?.walk) return sub.walk(m.toWatch(start), options);
    // No walk of the backend's own: walkTree, asking the backend to watch each directory before it is read.
    return walkTree(m.toWatch(start), {
      ...options,
      followSymlinks: this.#options.followSymlinks,
      backend: this.backend.name,
      beforeRead: sub?.prepareDirectory?.bind(sub),
    });
  }

  /** A stat'ed list of `start` and everything below it, for diffScan. */
  async #scan(start: string): Promise<ScanEntry[]> {
    const collector = new ScanCollector();
    const entry = await this.#walk(start, true, collector.onListing);
    return collector.entries(start, entry);
  }

  async #settled(due: { path: string; seen: SizeAndTime | undefined }[]): Promise<void> {
    const out: PlannedEvent[] = [];
    for (const { path, seen } of due) {
      if (this.#settle?.has(path) || this.index.get(path)?.kind !== 'file') continue; // changed again since, or gone
      const st = await statEntry(this.mapping.toWatch(path), this.#options.followSymlinks).catch(() => undefined);
      if (!st?.isFile()) continue;
      if (seen && st.size === seen.size && st.mtimeMs === seen.mtimeMs) {
        this.index.touch(path, st.size, st.mtimeMs);
        out.push({ type: 'close-write', path, kind: 'file', origin: 'emulated' });
      } else {
        this.#settle?.arm(path, entryFromStats(st));
      }
    }
    this.#deliver(out);
  }

  #rootRemoved(origin: EventOrigin): void {
    const out: PlannedEvent[] = [];
    const root = this.mapping.indexRoot;
    for (const p of this.index.descendants(root, 'post')) out.push({ type: 'delete', path: p, kind: this.index.get(p)!.kind, origin });
    // A mount point inside a larger tree stays there (as the directory beneath) when the mount goes;
    // a file root's parent directory was never reported.
    const rootEntry = this.#spec.isMount || this.rootKind === 'file' ? undefined : this.index.get(root);
    if (rootEntry) out.push({ type: 'delete', path: root, kind: rootEntry.kind, origin });
    for (const e of out) this.index.delete(e.path);
    this.#deliver(out);
    this.#end(
      new VigilError(ErrorCode.ROOT_REMOVED, `${this.root}: the watched root was deleted or moved away; watching has ended`, {
        path: this.root,
        backend: this.backend.name,
      }),
    );
  }

  #end(error: VigilError): void {
    if (this.#closed) return;
    this.#output.ended(error);
    void this.close();
  }
}

/** A diff with every path translated. */
function mapDiff(diff: TreeDiff, f: (p: string) => string): TreeDiff {
  const entry = (e: ScanEntry): ScanEntry => ({ path: f(e.path), stat: e.stat });
  return {
    removed: diff.removed.map(f),
    added: diff.added.map(entry),
    modified: diff.modified.map(entry),
    learned: diff.learned?.map(entry),
  };
}
