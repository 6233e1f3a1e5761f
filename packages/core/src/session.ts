/**
 * One watched root: the backend subscription, the index, and the normalizer
 * that turns what the backend reports into vigil's events. Every input (an OS
 * batch, a scan diff, a rescan, a settled file) is handled in turn on one
 * queue, so the index and the event order (R6) never race.
 */
import { lstatSync, statSync } from 'node:fs';
import type { Backend, BackendSink, BackendSubscription, RawEvent, ResolvedWatchOptions, ScanEntry, TreeDiff } from './backend.js';
import { diffScan, planDiff, type PlannedEvent } from './diff.js';
import { ErrorCode, VigilError, fromSystemError } from './errors.js';
import type { EntryKind, EventOrigin, WatchEvent } from './events.js';
import type { IgnorePredicate } from './ignore.js';
import { isWithin, parentPath, toFsPath } from './paths.js';
import { entryFromStats, kindOfStats, scanTree, statEntry } from './scan-tree.js';
import { SettleTracker, type SizeAndTime } from './settle.js';
import { TreeIndex, kindOnly } from './tree-index.js';
import { PathSet } from './path-set.js';

/** Where a session delivers. */
export interface SessionOutput {
  events(batch: WatchEvent[]): void;
  warning(error: VigilError): void;
  /** The root ended (ROOT_REMOVED or another fatal error); the session is closing itself. */
  ended(error: VigilError): void;
  /** The backend says the mount table changed. */
  mountsChanged?(): void;
}

/** How one root is watched (see Watcher.info()). */
export interface RootSessionInfo {
  backend: string;
  reason: string;
  details?: string;
}

/** One watched root. Create with {@link RootSession.start}. */
export class RootSession {
  readonly root: string;
  readonly rootKind: 'directory' | 'file';
  readonly backend: Backend;
  readonly index: TreeIndex;
  #options: ResolvedWatchOptions;
  #ignore: IgnorePredicate;
  #output: SessionOutput;
  #subscription: BackendSubscription | undefined;
  #queue: Promise<void> = Promise.resolve();
  #settle: SettleTracker | undefined;
  #closed = false;
  #isMount: boolean;
  #emulateAll: boolean;
  /** Following symlinks: directory identity (dev:ino) → path, to spot a link back into the tree (R11). */
  #dirIds = new Map<string, string>();
  /**
   * Rescans queued but not started, by subtree. A new request that covers
   * one of them, or is covered by it, takes its place: the queued one does
   * nothing when its turn comes, and one rescan of the wider subtree runs at
   * the tail of the queue, after every event queued so far, so its picture
   * of the disk is the newest. A burst that overflows the kernel queue again
   * and again then costs one rescan, not one each.
   */
  #pendingRescans = new Map<string, PendingRescan>();
  /**
   * Directories in the index whose contents are unknown: a scan came to read
   * them and they were gone (renamed or deleted right after they appeared).
   * A `mkdir staging; write staging/f; mv staging published` reaches core as
   * a create and a rename, and the create's scan finds nothing at `staging`:
   * when the rename moves such a directory, its new place is scanned (R1).
   */
  #unread = new PathSet();

  private constructor(
    backend: Backend,
    root: string,
    rootKind: 'directory' | 'file',
    options: ResolvedWatchOptions,
    ignore: IgnorePredicate,
    output: SessionOutput,
    isMount: boolean,
  ) {
    this.#isMount = isMount;
    this.backend = backend;
    this.root = root;
    this.rootKind = rootKind;
    this.index = new TreeIndex(root);
    this.#options = options;
    this.#ignore = ignore;
    this.#output = output;
    // Without native close-write every written file settles (R3). With it, only
    // files found by a scan do: their writer may have closed them before vigil
    // watched their directory, and then no kernel event will ever say so.
    this.#emulateAll = !backend.capabilities.closeWrite;
    if (options.settle !== false) {
      this.#settle = new SettleTracker(options.settle, (due) => this.#enqueue(() => this.#settled(due)));
    }
  }

  /** Subscribes `backend` to `root`; resolves when the root is fully watched (R8). */
  static async start(
    backend: Backend,
    root: string,
    rootKind: 'directory' | 'file',
    options: ResolvedWatchOptions,
    ignore: IgnorePredicate,
    output: SessionOutput,
    placement: { isMount?: boolean } = {},
  ): Promise<RootSession> {
    const session = new RootSession(backend, root, rootKind, options, ignore, output, placement.isMount ?? false);
    session.#subscription = await backend.subscribe({
      root,
      rootKind,
      index: session.index,
      ignore,
      options,
      sink: session.#sink(),
    });
    if (session.#closed) await session.#subscription.close();
    if (options.followSymlinks) {
      for (const p of session.index.paths()) {
        const e = session.index.get(p)!;
        if (e.kind === 'directory' && e.ino) session.#dirIds.set(`${e.dev}:${e.ino}`, p);
      }
    }
    return session;
  }

  /** What the backend says about itself (watch counts and the like). */
  describe(): string | undefined {
    return this.#subscription?.describe?.();
  }

  /** Stops watching; once it resolves no event of this root is delivered. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#settle?.clear();
    await this.#subscription?.close();
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
      this.#subscription?.forgetDirectory?.(path);
      const scanned = await this.#scan(path);
      await this.#processDiff(diffScan(this.index, path, scanned), 'rescan');
    });
  }

  /** Reports every entry below the root as created (a subtree that came into view, e.g. a new mount). */
  announce(): Promise<void> {
    return this.#enqueue(() => {
      const out: PlannedEvent[] = [];
      for (const p of this.index.descendants(this.root, 'pre')) out.push({ type: 'create', path: p, kind: this.index.get(p)!.kind, origin: 'rescan' });
      this.#deliver(out);
    });
  }

  /** Reports every entry below the root as deleted (the subtree left view, e.g. an unmount), then closes. */
  async retire(): Promise<void> {
    await this.#enqueue(() => {
      const out: PlannedEvent[] = [];
      for (const p of this.index.descendants(this.root, 'post')) out.push({ type: 'delete', path: p, kind: this.index.get(p)!.kind, origin: 'rescan' });
      for (const e of out) this.index.delete(e.path);
      this.#deliver(out);
    });
    await this.close();
  }

  #sink(): BackendSink {
    return {
      events: (batch) => this.#enqueue(() => this.#processRaw(batch)),
      diff: (diff, origin) => this.#enqueue(() => this.#processDiff(diff, origin)),
      rescan: (subtree, reason, options) => this.#requestRescan(subtree, reason, options?.since),
      warning: (error) => {
        if (!this.#closed) this.#output.warning(error);
      },
      rootRemoved: (origin) => this.#enqueue(() => this.#rootRemoved(origin ?? 'os')),
      fatal: (error) => this.#enqueue(() => this.#end(error)),
      mountsChanged: () => {
        if (!this.#closed) this.#output.mountsChanged?.();
      },
    };
  }

  #enqueue(task: () => void | Promise<void>): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#closed) return;
      try {
        await task();
      } catch (error) {
        if (!this.#closed) this.#output.warning(fromSystemError(error, { path: this.root, backend: this.backend.name }));
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

  /** Applies one event to the index (and the settle tracker); false if it lies outside the picture. */
  #apply(e: PlannedEvent): boolean {
    const index = this.index;
    switch (e.type) {
      case 'create': {
        if (e.path !== this.root && index.get(parentPath(e.path))?.kind !== 'directory') return false;
        index.set(e.path, e.stat ?? kindOnly(e.kind));
        if (e.kind === 'file' && (this.#emulateAll || e.origin === 'rescan')) this.#settle?.arm(e.path, e.stat);
        if (e.kind === 'directory' && e.stat?.ino) this.#dirIds.set(`${e.stat.dev}:${e.stat.ino}`, e.path);
        return true;
      }
      case 'modify':
        if (e.stat) index.touch(e.path, e.stat.size, e.stat.mtimeMs);
        if (this.#emulateAll || this.#settle?.has(e.path)) this.#settle?.arm(e.path, e.stat);
        return true;
      case 'close-write':
        this.#settle?.cancel(e.path);
        return true;
      case 'delete': {
        const known = index.get(e.path);
        if (known?.kind === 'directory') this.#subscription?.forgetDirectory?.(e.path);
        this.#settle?.cancel(e.path, known?.kind === 'directory');
        this.#unread.deleteWithin(e.path);
        index.delete(e.path);
        return true;
      }
      case 'rename': {
        if (index.get(parentPath(e.path))?.kind !== 'directory') return false;
        index.move(e.oldPath!, e.path);
        if (e.stat) index.set(e.path, e.stat);
        else if (e.kind !== 'unknown' && index.get(e.path)?.kind === 'unknown') index.set(e.path, kindOnly(e.kind));
        const moved = index.get(e.path);
        if (moved?.kind === 'directory' && moved.ino) this.#dirIds.set(`${moved.dev}:${moved.ino}`, e.path);
        this.#settle?.move(e.oldPath!, e.path);
        this.#unread.move(e.oldPath!, e.path);
        return true;
      }
    }
  }

  async #processDiff(diff: TreeDiff, origin: EventOrigin): Promise<void> {
    const planned = planDiff(this.index, diff, origin).filter((e) => this.#apply(e));
    this.#deliver(planned);
  }

  #requestRescan(subtree: string, reason: 'overflow' | 'unknown', since: number | undefined): Promise<void> {
    const request: PendingRescan = { subtree, reason, asked: [{ subtree, since }], finished: Promise.resolve() };
    for (const [queued, other] of [...this.#pendingRescans]) {
      const covers = isWithin(subtree, queued);
      if (!covers && !isWithin(queued, subtree)) continue;
      other.joined = request;
      this.#pendingRescans.delete(queued);
      if (covers) request.subtree = queued;
      request.asked.push(...other.asked);
      if (other.reason === 'overflow') request.reason = 'overflow';
    }
    this.#pendingRescans.set(request.subtree, request);
    const turn = this.#enqueue(() => {
      if (request.joined) return;
      this.#pendingRescans.delete(request.subtree);
      return this.#rescan(request.subtree, request.reason, sinceOf(request));
    });
    // A request that was joined is done when the rescan that took its place is.
    request.finished = turn.then(() => request.joined?.finished);
    return request.finished;
  }

  async #rescan(subtree: string, reason: 'overflow' | 'unknown', since: RescanSince): Promise<void> {
    if (reason === 'overflow') {
      this.#output.warning(
        new VigilError(ErrorCode.OVERFLOW, `${subtree}: the OS dropped events; rescanning and reporting the differences`, {
          path: subtree,
          backend: this.backend.name,
        }),
      );
    }
    this.#unread.deleteWithin(subtree);
    const scanned = await this.#scan(subtree);
    if (subtree === this.root && this.rootKind === 'directory' && !this.#sameRoot(scanned[0])) {
      // The root went while events were lost: the OS's own word of it may have been among them (R9).
      this.#rootRemoved('rescan');
      return;
    }
    await this.#processDiff(diffScan(this.index, subtree, scanned, { since }), 'rescan');
  }

  /** True when a scan's first entry is the directory this root has been watching (not gone, not another one made since). */
  #sameRoot(first: ScanEntry | undefined): boolean {
    if (first?.path !== this.root || first.stat.kind !== 'directory') return false;
    const known = this.index.get(this.root);
    return !known?.ino || !first.stat.ino || (known.ino === first.stat.ino && known.dev === first.stat.dev);
  }

  #scan(start: string): Promise<ScanEntry[]> {
    const sub = this.#subscription;
    // The backend's own walker when it has one (native, off the JS thread);
    // following symlinks needs scanTree's loop detection.
    if (sub?.scan && !this.#options.followSymlinks) {
      return sub.scan(start, { ignore: this.#ignore, onWarning: (w) => this.#output.warning(w), onGone: (dir) => this.#unread.add(dir) });
    }
    return scanTree(start, {
      ignore: this.#ignore,
      followSymlinks: this.#options.followSymlinks,
      backend: this.backend.name,
      beforeRead: this.#subscription?.prepareDirectory?.bind(this.#subscription),
      onWarning: (w) => this.#output.warning(w),
      onGone: (dir) => this.#unread.add(dir),
    });
  }

  /**
   * Resolves a kind the backend could not tell (inotify does not say symlink
   * or file). When following symlinks, a link to a directory is a directory.
   */
  #refineKind(path: string, kind: EntryKind): EntryKind {
    if (kind !== 'unknown' && !(this.#options.followSymlinks && kind !== 'directory')) return kind;
    try {
      const fsPath = toFsPath(path);
      if (this.#options.followSymlinks) {
        try {
          return kindOfStats(statSync(fsPath));
        } catch {
          // A dangling link: report the link itself.
        }
      }
      return kindOfStats(lstatSync(fsPath));
    } catch {
      return kind;
    }
  }

  /** Following symlinks: true (with a SYMLINK_LOOP warning) when `path` is a directory already in the tree under another path. */
  #isLoop(path: string): boolean {
    if (!this.#options.followSymlinks) return false;
    let id: string;
    try {
      const st = statSync(toFsPath(path));
      id = `${st.dev}:${st.ino}`;
    } catch {
      return false;
    }
    const other = this.#dirIds.get(id);
    if (other === undefined || other === path || this.index.get(other)?.kind !== 'directory') return false;
    this.#output.warning(
      new VigilError(ErrorCode.SYMLINK_LOOP, `${path}: leads to ${other}, already watched (symlink loop or duplicate link); not descending`, {
        path,
        backend: this.backend.name,
      }),
    );
    return true;
  }

  async #processRaw(batch: readonly RawEvent[]): Promise<void> {
    const index = this.index;
    const out: PlannedEvent[] = [];
    const push = (e: PlannedEvent): void => {
      if (this.#apply(e)) out.push(e);
    };
    // A directory that appears may already hold entries no event will mention (R1).
    const created = async (path: string, kind: EntryKind, origin: EventOrigin, displaces = false): Promise<void> => {
      const known = index.get(path);
      if (known && known.kind === kind && !displaces) return; // already reported, e.g. by the scan of its parent
      push({ type: 'create', path, kind, origin });
      if (kind === 'directory' && !this.#isLoop(path)) await expand(path);
    };
    /** Reports what a directory holds that the index does not know yet (R1). */
    const expand = async (path: string): Promise<void> => {
      this.#unread.delete(path);
      const scanned = await this.#scan(path);
      const diff = diffScan(index, path, scanned);
      diff.removed = [];
      for (const e of planDiff(index, diff, 'rescan')) push(e);
    };
    const deleted = (path: string, origin: EventOrigin): void => {
      const known = index.get(path);
      if (!known) return;
      if (known.kind === 'directory') {
        for (const p of index.descendants(path, 'post')) out.push({ type: 'delete', path: p, kind: index.get(p)!.kind, origin });
      }
      push({ type: 'delete', path, kind: known.kind, origin });
    };

    for (const raw of batch) {
      const origin = raw.origin ?? 'os';
      const path = raw.path;
      switch (raw.type) {
        case 'create': {
          const kind = this.#refineKind(path, raw.kind);
          if (this.#ignore(path, kind)) break;
          await created(path, kind, origin, raw.displaces);
          break;
        }
        case 'modify':
        case 'close-write': {
          const known = index.get(path);
          if (this.#ignore(path, known?.kind ?? raw.kind)) break;
          if (!known) {
            // A write to a file vigil never saw appear: it exists, so it was created.
            if (raw.type === 'modify') await created(path, this.#refineKind(path, raw.kind), origin);
            else break;
          }
          if (index.get(path)?.kind === 'directory') break;
          push({ type: raw.type, path, kind: index.get(path)?.kind ?? raw.kind, origin });
          break;
        }
        case 'delete':
          if (this.#ignore(path, raw.kind)) break;
          deleted(path, origin);
          break;
        case 'rename': {
          const oldPath = raw.oldPath!;
          const known = index.get(oldPath);
          const kind = known && known.kind !== 'unknown' ? known.kind : this.#refineKind(path, raw.kind);
          const newIgnored = this.#ignore(path, kind);
          if (!known || this.#ignore(oldPath, kind)) {
            // Only the new end is visible: it appeared (R5).
            if (!newIgnored) await created(path, kind, origin);
          } else if (newIgnored || index.get(parentPath(path))?.kind !== 'directory') {
            // Only the old end is visible: it left (R5).
            deleted(oldPath, origin);
          } else {
            push({ type: 'rename', path, oldPath, kind, origin });
            // A directory whose scan found it gone was (or held) what moved here: read it now.
            for (const dir of this.#unread.within(path)) await expand(dir);
          }
          break;
        }
      }
    }
    this.#deliver(out);
  }

  async #settled(due: { path: string; seen: SizeAndTime | undefined }[]): Promise<void> {
    const out: PlannedEvent[] = [];
    for (const { path, seen } of due) {
      if (this.#settle?.has(path) || this.index.get(path)?.kind !== 'file') continue; // changed again since, or gone
      const st = await statEntry(path, this.#options.followSymlinks).catch(() => undefined);
      if (!st || !st.isFile()) continue;
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
    for (const p of this.index.descendants(this.root, 'post')) out.push({ type: 'delete', path: p, kind: this.index.get(p)!.kind, origin });
    // A mount point inside a larger tree stays there (as the directory beneath) when the mount goes.
    const rootEntry = this.#isMount ? undefined : this.index.get(this.root);
    if (rootEntry) out.push({ type: 'delete', path: this.root, kind: rootEntry.kind, origin });
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

/** What a rescan asks about age: one moment for the whole subtree, or one per path. */
type RescanSince = number | undefined | ((path: string) => number | undefined);

/** A rescan waiting in a session's queue (see RootSession#pendingRescans). */
interface PendingRescan {
  subtree: string;
  reason: 'overflow' | 'unknown';
  /** Each request it stands for: its subtree and since. */
  asked: { subtree: string; since: number | undefined }[];
  /** The rescan that took its place; it then does nothing itself. */
  joined?: PendingRescan;
  finished: Promise<void>;
}

/**
 * The `since` of a rescan that stands for several requests: for each path the
 * earliest moment asked about by a request whose subtree holds it, so a
 * request for one subdirectory does not widen the question for the rest.
 */
function sinceOf(request: PendingRescan): RescanSince {
  const asked = request.asked.filter((a) => a.since !== undefined) as { subtree: string; since: number }[];
  if (asked.length === 0) return undefined;
  if (asked.every((a) => a.subtree === request.subtree)) return asked.reduce((min, a) => Math.min(min, a.since), Infinity);
  return (path) => {
    let since: number | undefined;
    for (const a of asked) if (isWithin(path, a.subtree) && (since === undefined || a.since < since)) since = a.since;
    return since;
  };
}
