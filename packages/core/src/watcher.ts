/**
 * The watcher users hold, and the factory that picks a backend per root
 * (semantics.md S1–S3). The list of backends is handed in by the umbrella
 * package (`vigil`), so core stays free of any OS.
 */
import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Backend, ResolvedWatchOptions } from './backend.js';
import { ErrorCode, VigilError, fromSystemError } from './errors.js';
import type { EntryKind, WatchEvent } from './events.js';
import { createIgnorePredicate, type IgnorePredicate, type IgnoreRule } from './ignore.js';
import { isWithin, toFsPath } from './paths.js';
import { RootSession } from './session.js';

/** Options of `watch()`. Every field is optional. */
export interface WatchOptions {
  /**
   * `'auto'` (default) picks per root (S1); a backend name forces it (S2). The
   * `VIGIL_BACKEND` environment variable is used when this is not given.
   */
  backend?: string;
  /** Globs, RegExps or predicates for paths to leave out; ignored directories are never scanned (see ignore.ts). */
  ignore?: IgnoreRule | readonly IgnoreRule[];
  /** Milliseconds between scans of polled roots. Default 1000. */
  pollInterval?: number;
  /** Quiet period (ms) before an emulated close-write; `false` turns emulation off. Default 300. */
  settle?: number | false;
  /** Follow symlinks, with loop detection (R11). Default false: a symlink is an entry of kind `symlink`. */
  followSymlinks?: boolean;
  /** When inotify runs out of watches: poll the rest (default) or fail with WATCH_LIMIT. */
  onWatchLimit?: 'poll' | 'error';
  /** Milliseconds between scans of network/FUSE mounts polled inside a natively watched tree. Default: pollInterval. */
  remotePollInterval?: number;
}

/** What the filesystem under a path is, as far as backend choice is concerned. */
export interface FilesystemDescription {
  /** Filesystem type name (`ext4`, `nfs4`, `fuse.sshfs`, …). */
  type: string;
  /** True where the kernel never hears of changes made by other machines (NFS, SMB, FUSE, 9p, …). */
  remote: boolean;
}

/** What the factory needs from the umbrella package. */
export interface WatcherEnvironment {
  /** Registered backends, highest priority first. */
  backends: readonly Backend[];
  /** Describes the filesystem a path lives on; undefined when unknown. */
  describeFilesystem?: (path: string) => FilesystemDescription | undefined;
  /** The mount points strictly below a root, outermost first (hybrid watching, S1). */
  subMounts?: (root: string) => SubMount[];
}

/** How one root is watched, and why (S3). */
export interface RootInfo {
  root: string;
  kind: 'directory' | 'file';
  backend: string;
  /** Why this backend serves this root. */
  reason: string;
  /** The filesystem the root lives on, when known. */
  filesystem?: FilesystemDescription;
  /** Backends tried first and why they were passed over. */
  rejected: { backend: string; reason: string }[];
  /** Backend facts, e.g. the number of watches. */
  details?: string;
  /** Number of entries vigil knows in this root. */
  entries: number;
}

/** The events a Watcher emits. */
export interface WatcherEventMap {
  /** A batch of changes, in order (R6). */
  events: [batch: WatchEvent[]];
  /** Something went wrong that did not stop watching (unreadable subdirectory, overflow recovered, …). */
  warning: [error: VigilError];
  /** A root ended (ROOT_REMOVED, …). When every root has ended the watcher closes. */
  error: [error: VigilError];
  /** The watcher closed. */
  close: [];
}

const DEFAULTS: ResolvedWatchOptions = { pollInterval: 1000, settle: 300, followSymlinks: false, onWatchLimit: 'poll' };

function resolveOptions(options: WatchOptions): ResolvedWatchOptions {
  const o: ResolvedWatchOptions = { ...DEFAULTS };
  if (options.pollInterval !== undefined) {
    if (!Number.isFinite(options.pollInterval) || options.pollInterval < 10) {
      throw new VigilError(ErrorCode.INVALID_OPTION, `pollInterval must be a number of milliseconds >= 10, got ${options.pollInterval}`);
    }
    o.pollInterval = options.pollInterval;
  }
  if (options.settle !== undefined) {
    if (options.settle !== false && (!Number.isFinite(options.settle) || options.settle < 0)) {
      throw new VigilError(ErrorCode.INVALID_OPTION, `settle must be a number of milliseconds or false, got ${String(options.settle)}`);
    }
    o.settle = options.settle;
  }
  if (options.followSymlinks !== undefined) o.followSymlinks = Boolean(options.followSymlinks);
  if (options.onWatchLimit !== undefined) {
    if (options.onWatchLimit !== 'poll' && options.onWatchLimit !== 'error') {
      throw new VigilError(ErrorCode.INVALID_OPTION, `onWatchLimit must be 'poll' or 'error', got ${String(options.onWatchLimit)}`);
    }
    o.onWatchLimit = options.onWatchLimit;
  }
  return o;
}

/** A running watch over one or more roots. Get one from `watch()`. */
export class Watcher extends EventEmitter<WatcherEventMap> {
  #sessions: { session: RootSession; info: Omit<RootInfo, 'entries' | 'details'> }[] = [];
  #ended = new Set<RootSession>();
  /** Sessions of the roots the user named (not of mounts inside them): the watcher ends when all have. */
  #primaries = new Set<RootSession>();
  #closed = false;
  /** Warnings raised while watch() was still starting, delivered once the caller can listen. */
  #early: VigilError[] | undefined = [];
  #iterators = new Set<BatchQueue>();

  /** Built by {@link createWatcher}; the factory drives it through a private control object. */
  constructor() {
    super();
    controls.set(this, {
      addRoot: (session, info, primary) => {
        this.#sessions.push({ session, info });
        if (primary) this.#primaries.add(session);
      },
      removeRoot: (session) => {
        this.#sessions = this.#sessions.filter((s) => s.session !== session);
      },
      batch: (batch) => this.#batch(batch),
      warning: (error) => this.#warning(error),
      rootEnded: (session, error) => this.#rootEnded(session, error),
      started: () => this.#started(),
    });
  }

  /** True once the watcher has closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Which backend serves which root, and why (S3). */
  info(): RootInfo[] {
    return this.#sessions.map(({ session, info }) => ({
      ...info,
      details: session.describe(),
      entries: session.index.size,
    }));
  }

  /** The paths vigil currently believes exist under every root (what the events so far add up to). */
  knownPaths(): string[] {
    // A polled mount's root is also a directory in the tree around it: list it once.
    return [...new Set(this.#sessions.flatMap(({ session }) => session.index.paths()))];
  }

  /** Resolves once every event the backends have reported so far has been delivered. */
  async idle(): Promise<void> {
    await Promise.all(this.#sessions.map(({ session }) => session.idle()));
  }

  /** Stops watching every root. Once it resolves, no further events are delivered. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#sessions.map(({ session }) => session.close()));
    for (const q of this.#iterators) q.end();
    this.emit('close');
  }

  /** Batches as an async iterator; ends when the watcher closes, throws if a root ends with an error. */
  [Symbol.asyncIterator](): AsyncIterator<WatchEvent[]> {
    const queue = new BatchQueue(() => this.#iterators.delete(queue));
    if (this.#closed) queue.end();
    else this.#iterators.add(queue);
    return queue;
  }

  #batch(batch: WatchEvent[]): void {
    if (this.#closed) return;
    for (const q of this.#iterators) q.push(batch);
    this.emit('events', batch);
  }

  #warning(error: VigilError): void {
    if (this.#closed) return;
    if (this.#early) this.#early.push(error);
    else if (this.listenerCount('warning') > 0) this.emit('warning', error);
  }

  /** watch() has resolved: warnings from start-up go out on the next turn, after `await` returns. */
  #started(): void {
    setImmediate(() => {
      const early = this.#early ?? [];
      this.#early = undefined;
      for (const e of early) this.#warning(e);
    });
  }

  #rootEnded(session: RootSession, error: VigilError): void {
    if (this.#closed) return;
    this.#ended.add(session);
    for (const q of this.#iterators) q.fail(error);
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else if (this.#iterators.size === 0) process.emitWarning(`vigil: ${error.message}`, { code: error.code });
    if ([...this.#primaries].every((s) => this.#ended.has(s))) void this.close();
  }
}

/** How the factory drives a Watcher without exposing these calls to users. */
interface WatcherControl {
  addRoot(session: RootSession, info: Omit<RootInfo, 'entries' | 'details'>, primary: boolean): void;
  removeRoot(session: RootSession): void;
  batch(batch: WatchEvent[]): void;
  warning(error: VigilError): void;
  rootEnded(session: RootSession, error: VigilError): void;
  started(): void;
}
const controls = new WeakMap<Watcher, WatcherControl>();

/** Buffers batches for one async iterator. */
class BatchQueue implements AsyncIterator<WatchEvent[]> {
  #items: WatchEvent[][] = [];
  #waiting: ((r: IteratorResult<WatchEvent[]>) => void) | undefined;
  #rejecting: ((e: unknown) => void) | undefined;
  #done = false;
  #error: VigilError | undefined;
  #onReturn: () => void;

  constructor(onReturn: () => void) {
    this.#onReturn = onReturn;
  }

  push(batch: WatchEvent[]): void {
    if (this.#done) return;
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = this.#rejecting = undefined;
      w({ value: batch, done: false });
    } else this.#items.push(batch);
  }

  end(): void {
    this.#done = true;
    if (this.#waiting) {
      const w = this.#waiting;
      this.#waiting = this.#rejecting = undefined;
      w({ value: undefined, done: true });
    }
  }

  fail(error: VigilError): void {
    this.#error ??= error;
    this.#done = true;
    if (this.#rejecting) {
      const r = this.#rejecting;
      this.#waiting = this.#rejecting = undefined;
      r(error);
    }
  }

  next(): Promise<IteratorResult<WatchEvent[]>> {
    const item = this.#items.shift();
    if (item) return Promise.resolve({ value: item, done: false });
    if (this.#error) {
      const e = this.#error;
      this.#error = undefined;
      return Promise.reject(e);
    }
    if (this.#done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiting = resolve;
      this.#rejecting = reject;
    });
  }

  return(): Promise<IteratorResult<WatchEvent[]>> {
    this.#done = true;
    this.#items = [];
    this.#onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }
}

/** Examines a root: absolute path and kind, or a typed error (R10). */
async function examineRoot(p: string): Promise<{ root: string; kind: 'directory' | 'file' }> {
  const root = path.resolve(p);
  try {
    // A root given as a symlink is followed: watching a link to a directory watches the directory.
    const st = await stat(toFsPath(root));
    return { root, kind: st.isDirectory() ? 'directory' : 'file' };
  } catch (error) {
    throw fromSystemError(error, { path: root, syscall: 'stat' });
  }
}

/** Picks the backend for one root: forced (S2) or automatic (S1). */
async function chooseBackend(
  env: WatcherEnvironment,
  root: string,
  requested: string,
  forcedBy: string,
): Promise<{ backend: Backend; reason: string; rejected: RootInfo['rejected']; filesystem?: FilesystemDescription; warning?: VigilError }> {
  const filesystem = env.describeFilesystem?.(root);
  const fsText = filesystem ? `${filesystem.type}${filesystem.remote ? ' (network/FUSE)' : ''}` : 'unknown filesystem';
  if (requested !== 'auto') {
    const backend = env.backends.find((b) => b.name === requested);
    if (!backend) {
      throw new VigilError(
        ErrorCode.BACKEND_UNAVAILABLE,
        `no backend named "${requested}" (known: ${env.backends.map((b) => b.name).join(', ')})`,
        { path: root, backend: requested },
      );
    }
    const probe = await backend.probe(root);
    if (!probe.ok) {
      throw new VigilError(ErrorCode.BACKEND_UNAVAILABLE, `backend "${requested}" cannot watch ${root}: ${probe.reason}`, {
        path: root,
        backend: requested,
      });
    }
    const warning = filesystem?.remote && !backend.capabilities.seesRemoteChanges ? remoteUnseen(root, filesystem.type, backend.name) : undefined;
    return { backend, reason: `forced by ${forcedBy} (${fsText})`, rejected: [], filesystem, warning };
  }
  const rejected: RootInfo['rejected'] = [];
  for (const backend of env.backends) {
    if (filesystem?.remote && !backend.capabilities.seesRemoteChanges) {
      rejected.push({
        backend: backend.name,
        reason: `${filesystem.type} is a network/FUSE filesystem; ${backend.name} does not see changes made by other machines`,
      });
      continue;
    }
    const probe = await backend.probe(root);
    if (probe.ok) {
      const reason = rejected.length
        ? `first backend that can serve this root on ${fsText}`
        : `preferred backend on this platform for ${fsText}`;
      return { backend, reason, rejected, filesystem };
    }
    rejected.push({ backend: backend.name, reason: probe.reason });
  }
  throw new VigilError(
    ErrorCode.BACKEND_UNAVAILABLE,
    `no backend can watch ${root}: ${rejected.map((r) => `${r.backend}: ${r.reason}`).join('; ')}`,
    { path: root },
  );
}

function remoteUnseen(path: string, type: string, backend: string): VigilError {
  return new VigilError(
    ErrorCode.REMOTE_CHANGES_UNSEEN,
    `${path} is on ${type}: the forced ${backend} backend will not see changes made by other machines`,
    { path, backend },
  );
}

/**
 * One root as the user named it: a primary session, plus a polled session
 * for each network/FUSE mount inside it when the primary is native (S1's
 * hybrid watching). The primary ignores what lies below those mounts.
 */
class RootGroup {
  readonly root: string;
  readonly requested: string;
  primary!: RootSession;
  /** Mounts below the root as last seen: mount point → mount id and its polled session, if any. */
  readonly mounts = new Map<string, { id: number; session?: RootSession }>();
  /** Mount points whose subtrees the primary leaves to a polled session. */
  readonly excluded = new Set<string>();

  constructor(root: string, requested: string) {
    this.root = root;
    this.requested = requested;
  }

  /** True for paths strictly below an excluded mount point. */
  isExcluded(p: string): boolean {
    for (const m of this.excluded) if (p !== m && isWithin(p, m)) return true;
    return false;
  }

  /** Whether a remote mount gets its own polled session: only under `auto`, with a native primary, outside other polled mounts. */
  pollsMount(mount: SubMount, primary: Backend): boolean {
    if (!mount.remote || this.requested !== 'auto' || primary.capabilities.seesRemoteChanges) return false;
    for (const m of this.excluded) if (m !== mount.mountPoint && isWithin(mount.mountPoint, m)) return false;
    return true;
  }
}

/** A mount point below a watched root, as the umbrella package describes it. */
export interface SubMount {
  id: number;
  mountPoint: string;
  type: string;
  remote: boolean;
}

/**
 * Watches `paths` (one or many; directories recursively, files by name) and
 * resolves once every root is fully watched (R8).
 */
export async function createWatcher(
  env: WatcherEnvironment,
  paths: string | readonly string[],
  options: WatchOptions = {},
): Promise<Watcher> {
  const list = typeof paths === 'string' ? [paths] : [...paths];
  if (list.length === 0) throw new VigilError(ErrorCode.INVALID_OPTION, 'watch() needs at least one path');
  const resolved = resolveOptions(options);
  const remoteOptions: ResolvedWatchOptions = { ...resolved, pollInterval: options.remotePollInterval ?? resolved.pollInterval };
  if (!Number.isFinite(remoteOptions.pollInterval) || remoteOptions.pollInterval < 10) {
    throw new VigilError(ErrorCode.INVALID_OPTION, `remotePollInterval must be a number of milliseconds >= 10, got ${options.remotePollInterval}`);
  }
  const fromEnv = process.env.VIGIL_BACKEND;
  const requested = options.backend ?? (fromEnv || 'auto');
  const forcedBy = options.backend !== undefined ? 'the backend option' : 'VIGIL_BACKEND';
  const poller = env.backends.find((b) => b.capabilities.seesRemoteChanges);

  const watcher = new Watcher();
  const control = controls.get(watcher)!;
  const groups: RootGroup[] = [];

  const startMountSession = async (group: RootGroup, mount: SubMount, userIgnore: IgnorePredicate, announce: boolean): Promise<void> => {
    const session = await RootSession.start(poller!, mount.mountPoint, 'directory', remoteOptions, userIgnore, {
      events: (batch) => control.batch(batch),
      warning: (error) => control.warning(error),
      // The mount went away under the poller: the monitor (or this) hands the place back to the primary.
      ended: () => void unmounted(group, mount.mountPoint),
    }, { isMount: true });
    group.mounts.set(mount.mountPoint, { id: mount.id, session });
    control.addRoot(session, {
      root: mount.mountPoint,
      kind: 'directory',
      backend: poller!.name,
      reason: `${mount.type} mount inside ${group.root}: a network/FUSE filesystem, polled every ${remoteOptions.pollInterval} ms because ${group.primary.backend.name} does not see changes made by other machines`,
      filesystem: { type: mount.type, remote: true },
      rejected: [],
    }, false);
    if (announce) await session.announce();
  };

  const unmounted = async (group: RootGroup, mountPoint: string): Promise<void> => {
    const known = group.mounts.get(mountPoint);
    group.mounts.delete(mountPoint);
    if (known?.session) {
      control.removeRoot(known.session);
      await known.session.retire();
    }
    group.excluded.delete(mountPoint);
    if (!group.primary.backend.capabilities.seesRemoteChanges) await group.primary.remount(mountPoint);
  };

  // Mounts come and go while watching. A native primary's backend says when
  // the mount table changed (no timer); then mounts under that root are
  // compared with what was seen, and what changed is re-watched.
  const checking = new Map<RootGroup, Promise<void>>();
  const again = new Set<RootGroup>();
  const checkMounts = (group: RootGroup): void => {
    if (!env.subMounts || watcher.closed || group.primary?.rootKind !== 'directory') return;
    if (checking.has(group)) {
      again.add(group);
      return;
    }
    const run = (async () => {
      do {
        again.delete(group);
        try {
          await reconcileMounts(group);
        } catch (error) {
          control.warning(fromSystemError(error));
        }
      } while (again.has(group) && !watcher.closed);
    })();
    checking.set(group, run);
    void run.finally(() => checking.delete(group));
  };
  const reconcileMounts = async (group: RootGroup): Promise<void> => {
    const current = new Map(env.subMounts!(group.root).map((m) => [m.mountPoint, m]));
    for (const [mountPoint, known] of [...group.mounts]) {
      const now = current.get(mountPoint);
      if (!now || now.id !== known.id) await unmounted(group, mountPoint);
    }
    for (const m of current.values()) {
      if (group.mounts.has(m.mountPoint) || group.isExcluded(m.mountPoint)) continue;
      if (poller && group.pollsMount(m, group.primary.backend)) {
        group.excluded.add(m.mountPoint);
        if (!group.primary.backend.capabilities.seesRemoteChanges) await group.primary.remount(m.mountPoint);
        await startMountSession(group, m, createIgnorePredicate(group.root, options.ignore), true);
      } else {
        group.mounts.set(m.mountPoint, { id: m.id });
        if (m.remote && group.requested !== 'auto' && !group.primary.backend.capabilities.seesRemoteChanges) {
          control.warning(remoteUnseen(m.mountPoint, m.type, group.primary.backend.name));
        }
        if (!group.primary.backend.capabilities.seesRemoteChanges) await group.primary.remount(m.mountPoint);
      }
    }
  };

  try {
    for (const p of list) {
      const { root, kind } = await examineRoot(p);
      const choice = await chooseBackend(env, root, requested, forcedBy);
      const userIgnore = createIgnorePredicate(root, options.ignore);
      const group = new RootGroup(root, requested);
      const mounts = kind === 'directory' ? (env.subMounts?.(root) ?? []) : [];
      for (const m of mounts) {
        if (poller && group.pollsMount(m, choice.backend)) group.excluded.add(m.mountPoint);
        else group.mounts.set(m.mountPoint, { id: m.id });
        if (m.remote && requested !== 'auto' && !choice.backend.capabilities.seesRemoteChanges) {
          control.warning(remoteUnseen(m.mountPoint, m.type, choice.backend.name));
        }
      }
      const primaryIgnore: IgnorePredicate = Object.assign((q: string, k?: EntryKind) => userIgnore(q, k) || group.isExcluded(q), {
        ignoresNothing: () => (userIgnore.ignoresNothing?.() ?? false) && group.excluded.size === 0,
      });
      const session = await RootSession.start(choice.backend, root, kind, resolved, primaryIgnore, {
        events: (batch) => control.batch(batch),
        warning: (error) => control.warning(error),
        ended: (error) => control.rootEnded(session, error),
        mountsChanged: () => checkMounts(group),
      });
      group.primary = session;
      groups.push(group);
      control.addRoot(session, {
        root,
        kind,
        backend: choice.backend.name,
        reason: choice.reason,
        filesystem: choice.filesystem,
        rejected: choice.rejected,
      }, true);
      if (choice.warning) control.warning(choice.warning);
      for (const m of mounts) if (group.excluded.has(m.mountPoint)) await startMountSession(group, m, userIgnore, false);
      // A mount made while the tree was being walked came before the backend could signal it.
      checkMounts(group);
    }
  } catch (error) {
    await watcher.close();
    throw fromSystemError(error);
  }

  control.started();
  return watcher;
}
