/**
 * Polling a set of directory subtrees: one scan per interval for all of them
 * (never a timer per file), each comparing what is on disk with what was
 * there, reported as one TreeDiff. What the poll backend is made of, and what
 * core borrows (createDirectoryPoller) for the directories another backend
 * cannot watch (R10).
 *
 * Timing: a change is seen by the next read of its directory and reported
 * when that scan ends, so it waits up to (time between scan starts) + (scan
 * time). Scans therefore start early by the last scan's duration (less a
 * small slack): a change is reported within pollInterval + SLACK_MS. A scan
 * longer than the interval is followed by the next at once, never
 * overlapped. A scan that fails (a hung or disconnected mount) is retried
 * with backoff.
 */
import { type DirectoryPoller, type DirectoryPollerContext, type IndexEntry, type Listing, type TreeDiff, fromSystemError } from '@vigilfs/core';
import { DirSetTree } from './dir-set-tree.js';
import { createDirSetScanner, type DirSetScanner } from './scanner/index.js';

/** How much later than one interval a change may be reported. */
const SLACK_MS = 50;

/** The longest wait between two polls of a root that keeps failing. */
const MAX_BACKOFF_MS = 30_000;

/** What a poller is told besides core's context. */
export interface PollerHooks {
  /** Before each scan: false ends polling (the poll backend's root is gone). */
  beforeScan?: () => Promise<boolean>;
}

/** Polls directory subtrees on one schedule (see the module doc). */
export class SubtreePoller implements DirectoryPoller {
  readonly #ctx: DirectoryPollerContext;
  readonly #hooks: PollerHooks;
  readonly #scanner: DirSetScanner;
  readonly #tree: DirSetTree;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** Every read of the tree, in turn: first reads of added subtrees and the periodic scans never overlap. */
  #work: Promise<void> = Promise.resolve();
  #scans = 0;
  #failures = 0;
  /** When the previous scan started (performance.now()), and how long it took. */
  #lastStart = performance.now();
  #lastDuration = 0;

  constructor(ctx: DirectoryPollerContext, hooks: PollerHooks = {}) {
    this.#ctx = ctx;
    this.#hooks = hooks;
    this.#scanner = createDirSetScanner({ followSymlinks: ctx.options.followSymlinks });
    this.#tree = new DirSetTree(
      {
        known: ctx.known,
        knownNames: ctx.knownNames,
        ignore: ctx.ignore,
        followSymlinks: ctx.options.followSymlinks,
        warning: ctx.onWarning,
        backend: ctx.backend,
      },
      this.#scanner,
    );
  }

  get size(): number {
    return this.#tree.size;
  }

  /** Which scanner reads the directories (native, or the JS one and why). */
  get scannerKind(): DirSetScanner['kind'] {
    return this.#scanner.kind;
  }

  describe(): string {
    const why = this.#scanner.kind === 'js' ? `js directory scanner: ${this.#scanner.nativeUnavailableReason}` : 'native directory scanner';
    return `polling every ${this.#ctx.options.pollInterval} ms (${why}), ${this.#scans} scans so far`;
  }

  /** The poll backend's first read of its root: listings for core's index, nothing reported. Polling starts after it. */
  async walk(start: string, onListing: (dir: string, listing: Listing) => void, onGone: (dir: string) => void): Promise<IndexEntry | undefined> {
    const entry = await this.#tree.walk(start, onListing, onGone);
    this.#schedule();
    return entry;
  }

  add(dir: string, since: number): void {
    this.#run(async () => {
      const diff = await this.#tree.add(dir, since);
      this.#report(diff);
    });
    this.#schedule();
  }

  remove(dir: string): void {
    this.#tree.remove(dir);
  }

  move(from: string, to: string): void {
    this.#tree.move(from, to);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#work.catch(() => undefined);
    this.#scanner.close();
  }

  #run(task: () => Promise<void>): Promise<void> {
    this.#work = this.#work.then(async () => {
      if (this.#closed) return;
      try {
        await task();
      } catch (error) {
        if (!this.#closed) this.#ctx.onWarning(fromSystemError(error, { backend: this.#ctx.backend }));
      }
    });
    return this.#work;
  }

  #report(diff: TreeDiff): void {
    if (this.#closed) return;
    if (diff.added.length || diff.removed.length || diff.modified.length || diff.learned?.length) this.#ctx.onDiff(diff);
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return;
    const interval = this.#ctx.options.pollInterval;
    const delay = this.#failures
      ? Math.min(interval * 2 ** Math.min(this.#failures, 8), Math.max(MAX_BACKOFF_MS, interval))
      : Math.max(0, this.#lastStart + interval + SLACK_MS - this.#lastDuration - performance.now());
    this.#timer = setTimeout(() => {
      this.#lastStart = performance.now();
      void this.#run(() => this.#poll()).finally(() => {
        this.#lastDuration = Math.min(performance.now() - this.#lastStart, interval);
        this.#timer = undefined;
        this.#schedule();
      });
    }, delay);
    if (!this.#ctx.options.persistent) this.#timer.unref();
  }

  async #poll(): Promise<void> {
    this.#scans++;
    try {
      if (this.#hooks.beforeScan && !(await this.#hooks.beforeScan())) {
        this.#closed = true;
        return;
      }
      this.#report(await this.#tree.scan());
      this.#failures = 0;
    } catch (error) {
      // EIO, ESTALE, ENOTCONN …: say so once per streak, keep what is known, retry with backoff.
      if (!this.#closed && this.#failures === 0) this.#ctx.onWarning(fromSystemError(error, { backend: this.#ctx.backend }));
      this.#failures++;
    }
  }
}
