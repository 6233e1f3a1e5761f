/**
 * The stat-polling backend: works on every OS and every filesystem, including
 * network and FUSE mounts where the kernel never hears of remote changes.
 *
 * One scan per interval for the whole root (never a timer per file): each scan
 * compares what is on disk with core's index, and core turns the difference
 * into events, pairing renames by dev+inode (R5) and emulating close-write by
 * settling (R3). The next scan is scheduled when the previous one finishes, so
 * scans never overlap however slow the filesystem.
 */
import type { Backend, BackendSubscription, SubscribeContext, TreeDiff } from '@vigilfs/core';
import { diffScan, fromSystemError, parentPath, scanTree, statEntry } from '@vigilfs/core';

/** How much later than one interval a change may be reported (see #schedule). */
const SLACK_MS = 50;

/** The longest wait between two polls of a root that keeps failing. */
const MAX_BACKOFF_MS = 30_000;
import { createDirSetScanner, type DirSetScanner } from './scanner/index.js';
import { DirSetTree } from './dir-set-tree.js';

/** The polling backend. */
export const pollBackend: Backend = {
  name: 'poll',
  capabilities: { renamePairing: 'identity', closeWrite: false, seesRemoteChanges: true, overflowSignal: false },
  async probe() {
    return { ok: true };
  },
  async subscribe(ctx) {
    const sub = new PollSubscription(ctx);
    await sub.start();
    return sub;
  },
};

class PollSubscription implements BackendSubscription {
  #ctx: SubscribeContext;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #scanning: Promise<void> | undefined;
  #scanner: DirSetScanner | undefined;
  #tree: DirSetTree | undefined;
  #scans = 0;
  /** Consecutive failed polls (a hung or disconnected mount): the next one waits longer, up to MAX_BACKOFF_MS. */
  #failures = 0;
  /** When the previous scan started (performance.now()), and how long it took. */
  #lastStart = performance.now();
  #lastDuration = 0;

  constructor(ctx: SubscribeContext) {
    this.#ctx = ctx;
  }

  async start(): Promise<void> {
    const ctx = this.#ctx;
    if (ctx.rootKind === 'directory') {
      this.#scanner = createDirSetScanner({ followSymlinks: ctx.options.followSymlinks });
      this.#tree = new DirSetTree(ctx, this.#scanner);
      await this.#tree.initialScan();
    } else {
      for (const entry of await this.#scanWhole()) ctx.index.set(entry.path, entry.stat);
    }
    this.#schedule();
  }

  describe(): string {
    const how = this.#scanner ? `${this.#scanner.kind} directory scanner` : 'whole-tree scan';
    return `polling every ${this.#ctx.options.pollInterval} ms (${how}), ${this.#scans} scans so far`;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#scanning?.catch(() => undefined);
    this.#scanner?.close();
  }

  #schedule(): void {
    if (this.#closed) return;
    const interval = this.#ctx.options.pollInterval;
    // A change is seen by the next read of its directory and reported when that
    // scan ends, so it waits up to (time between scan starts) + (scan time).
    // Scans therefore start early by the last scan's duration (less a small
    // slack): a change is reported within pollInterval + SLACK_MS. A scan longer
    // than the interval is followed by the next at once, never overlapped.
    const delay = this.#failures
      ? Math.min(interval * 2 ** Math.min(this.#failures, 8), Math.max(MAX_BACKOFF_MS, interval))
      : Math.max(0, this.#lastStart + interval + SLACK_MS - this.#lastDuration - performance.now());
    this.#timer = setTimeout(() => {
      this.#lastStart = performance.now();
      this.#scanning = this.#poll().finally(() => {
        this.#lastDuration = Math.min(performance.now() - this.#lastStart, interval);
        this.#scanning = undefined;
        this.#schedule();
      });
    }, delay);
  }

  async #poll(): Promise<void> {
    const ctx = this.#ctx;
    this.#scans++;
    try {
      if (!(await this.#rootStillThere())) {
        this.#closed = true;
        ctx.sink.rootRemoved('rescan');
        return;
      }
      const diff: TreeDiff = this.#tree ? await this.#tree.scan() : diffScan(ctx.index, ctx.root, await this.#scanWhole());
      if (this.#closed) return;
      if (diff.added.length || diff.removed.length || diff.modified.length) ctx.sink.diff(diff, 'rescan');
      this.#failures = 0;
    } catch (error) {
      // EIO, ESTALE, ENOTCONN …: say so once per streak, keep what is known, retry with backoff.
      if (!this.#closed && this.#failures === 0) ctx.sink.warning(fromSystemError(error, { path: ctx.root, backend: 'poll' }));
      this.#failures++;
    }
  }

  /** A directory root must still be a directory; a file root needs its parent directory (R9). */
  async #rootStillThere(): Promise<boolean> {
    const ctx = this.#ctx;
    const watched = ctx.rootKind === 'directory' ? ctx.root : parentPath(ctx.root);
    const st = await statEntry(watched, true);
    if (st === undefined || !st.isDirectory()) return false;
    // A root deleted and made again between two scans is another directory.
    const known = ctx.rootKind === 'directory' ? ctx.index.get(ctx.root) : undefined;
    return !known || known.ino === 0 || (known.ino === st.ino && known.dev === st.dev);
  }

  #scanWhole() {
    const ctx = this.#ctx;
    return scanTree(ctx.root, {
      ignore: ctx.ignore,
      followSymlinks: ctx.options.followSymlinks,
      backend: 'poll',
      onWarning: (w) => ctx.sink.warning(w),
    });
  }
}
