/**
 * The watcher users hold: batches as events and as an async iterator,
 * warnings, root errors, `info()`, `knownPaths()`, `idle()`, `close()`. The
 * factory (create-watcher.ts) drives it through a private control object.
 */
import type { BackendCapabilities } from '../backend.js';
import { ErrorCode, VigilError } from '../errors.js';
import type { WatchEvent } from '../events.js';
import type { FilesystemDescription } from '../platform.js';
import type { RootSession } from '../session/root-session.js';
import { TypedEmitter } from './emitter.js';

/** How one root is watched, and why (S3). */
export interface RootInfo {
  /** The root as given (absolute). */
  root: string;
  kind: 'directory' | 'file';
  backend: string;
  /** Why this backend serves this root. */
  reason: string;
  /** What the backend can do here. */
  capabilities?: BackendCapabilities;
  /** The filesystem the root lives on, when known. */
  filesystem?: FilesystemDescription;
  /** Backends tried first and why they were passed over. */
  rejected: { backend: string; reason: string }[];
  /** Backend facts, e.g. the number of watches. */
  details?: string;
  /** Number of entries vigil knows in this root. */
  entries: number;
  /** A root named in the same call that already holds this one: it is watched (and reported) by that root. */
  coveredBy?: string;
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

/** What the factory records about a root it started. */
export type RootRecord = Omit<RootInfo, 'entries' | 'details'>;

/** How the factory drives a Watcher without exposing these calls to users. */
export interface WatcherControl {
  addRoot(session: RootSession | undefined, info: RootRecord, primary: boolean): void;
  removeRoot(session: RootSession): void;
  /** Drops the record of a root named by the user (watched or covered). */
  removeRootNamed(root: string): void;
  batch(batch: WatchEvent[]): void;
  warning(error: VigilError): void;
  rootEnded(session: RootSession, error: VigilError): void;
  /** watch() is about to resolve: what was held back goes out once the caller can listen. */
  started(): void;
  /** How the watcher adds and removes roots later (the factory's). */
  manage(roots: RootManager): void;
}

/** Adds and removes roots of a running watcher. */
export interface RootManager {
  add(paths: unknown): Promise<void>;
  remove(paths: unknown): Promise<void>;
}

const controls = new WeakMap<Watcher, WatcherControl>();

/** The control object of a watcher the factory made. */
export function controlOf(watcher: Watcher): WatcherControl {
  return controls.get(watcher)!;
}

/** A running watch over one or more roots. Get one from `watch()`. */
export class Watcher extends TypedEmitter<WatcherEventMap> {
  #roots: { session: RootSession | undefined; info: RootRecord }[] = [];
  #ended = new Set<RootSession>();
  /** Sessions of the roots the user named (not of mounts inside them): the watcher ends when all have. */
  #primaries = new Set<RootSession>();
  #closed = false;
  /** The error of the last root to end, when that is why the watcher closed: what its iterators throw. */
  #endedWith: VigilError | undefined;
  /** What arrived while watch() was still starting, delivered in order once the caller can listen. */
  #early: ({ batch: WatchEvent[] } | { warning: VigilError } | { ended: RootSession; error: VigilError })[] | undefined = [];
  #iterators = new Set<BatchQueue>();
  #manager: RootManager | undefined;

  /** Built by the factory, which drives it through {@link controlOf}. */
  constructor() {
    super();
    controls.set(this, {
      addRoot: (session, info, primary) => {
        this.#roots.push({ session, info });
        if (primary && session) this.#primaries.add(session);
      },
      removeRoot: (session) => {
        this.#roots = this.#roots.filter((s) => s.session !== session);
        this.#primaries.delete(session);
      },
      removeRootNamed: (root) => {
        this.#roots = this.#roots.filter((s) => s.info.root !== root || (s.session !== undefined && !this.#primaries.has(s.session)));
      },
      batch: (batch) => this.#batch(batch),
      warning: (error) => this.#warning(error),
      rootEnded: (session, error) => this.#rootEnded(session, error),
      started: () => this.#started(),
      manage: (roots) => {
        this.#manager = roots;
      },
    });
  }

  /**
   * Starts watching more paths (relative ones against the `cwd` option), with
   * the options of `watch()`. Resolves once they are watched (R8); rejects as
   * `watch()` would (PATH_NOT_FOUND, …), leaving the other roots as they were,
   * and with CLOSED once the watcher has closed.
   */
  async add(paths: string | readonly string[]): Promise<void> {
    if (this.#closed) throw closedError('add', paths);
    await this.#manager!.add(paths);
  }

  /**
   * Stops watching roots named earlier (spelled as they were given). A root
   * that covered other named roots hands them back to watching of their own;
   * removing a covered root only drops it from `info()`. Other paths are an
   * INVALID_ARGUMENT: to leave out part of a tree, use `ignore`. Rejects with
   * CLOSED once the watcher has closed, as `add()` does.
   */
  async remove(paths: string | readonly string[]): Promise<void> {
    if (this.#closed) throw closedError('remove', paths);
    await this.#manager!.remove(paths);
  }

  /** True once the watcher has closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Which backend serves which root, and why (S3). Roots another root covers say which. */
  info(): RootInfo[] {
    return this.#roots.map(({ session, info }) => ({
      ...info,
      details: session?.describe(),
      entries: session?.index.size ?? 0,
    }));
  }

  /**
   * The paths vigil currently believes exist under every root: the initial
   * listing, and since then what the events add up to (R7 compares it with
   * the disk). Parents before children.
   */
  knownPaths(): string[] {
    // A polled mount's root is also a directory in the tree around it: list it once.
    return [...new Set(this.#roots.flatMap(({ session }) => session?.knownPaths() ?? []))];
  }

  /** Resolves once every event the backends have reported so far has been delivered. */
  async idle(): Promise<void> {
    await Promise.all(this.#roots.map(({ session }) => session?.idle()));
  }

  /** Stops watching every root. Once it resolves, no further events are delivered. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#roots.map(({ session }) => session?.close()));
    for (const q of this.#iterators) {
      if (this.#endedWith) q.fail(this.#endedWith);
      else q.end();
    }
    this.emit('close');
  }

  /**
   * Batches as an async iterator. A root that ends while others are watched
   * does not end it (that is the `error` event's news); it ends when the
   * watcher closes, and throws the last root's error when that is why it
   * closed (every root ended), after the batches before it.
   */
  [Symbol.asyncIterator](): AsyncIterator<WatchEvent[]> {
    const queue = new BatchQueue(() => this.#iterators.delete(queue));
    if (this.#closed) queue.end();
    else this.#iterators.add(queue);
    return queue;
  }

  #batch(batch: WatchEvent[]): void {
    if (this.#closed) return;
    if (this.#early) {
      this.#early.push({ batch });
      return;
    }
    for (const q of this.#iterators) q.push(batch);
    this.emit('events', batch);
  }

  #warning(error: VigilError): void {
    if (this.#closed) return;
    if (this.#early) this.#early.push({ warning: error });
    else if (this.listenerCount('warning') > 0) this.emit('warning', error);
  }

  /** watch() has resolved: what arrived while starting goes out on the next turn, after `await` returns. */
  #started(): void {
    setImmediate(() => {
      const early = this.#early ?? [];
      this.#early = undefined;
      for (const item of early) {
        if ('batch' in item) this.#batch(item.batch);
        else if ('warning' in item) this.#warning(item.warning);
        else this.#rootEnded(item.ended, item.error);
      }
    });
  }

  #rootEnded(session: RootSession, error: VigilError): void {
    if (this.#closed) return;
    if (this.#early) {
      this.#early.push({ ended: session, error });
      return;
    }
    this.#ended.add(session);
    const watcherEnds = [...this.#primaries].every((s) => this.#ended.has(s));
    if (this.listenerCount('error') > 0) this.emit('error', error);
    // Iterators carry only the error that ends the watcher; one root ending among others is news only an error listener hears.
    else if (!(watcherEnds && this.#iterators.size > 0)) process.emitWarning(`vigil: ${error.message}`, { code: error.code });
    if (watcherEnds) {
      this.#endedWith = error;
      void this.close();
    }
  }
}

/**
 * What add() and remove() reject with on a closed watcher: one shape for both,
 * checked before their arguments, with the first path as the caller spelled it.
 */
function closedError(call: 'add' | 'remove', paths: unknown): VigilError {
  const first = typeof paths === 'string' ? paths : Array.isArray(paths) && typeof paths[0] === 'string' ? paths[0] : undefined;
  return new VigilError(ErrorCode.CLOSED, `${call}() on a watcher that has closed`, first === undefined ? {} : { path: first });
}

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
