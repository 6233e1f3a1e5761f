/**
 * The stat-polling backend: works on every OS and every filesystem, including
 * network and FUSE mounts where the kernel never hears of remote changes.
 * Each interval it compares what is on disk with what was there; core turns
 * the difference into events, pairing renames by dev+inode (R5) and emulating
 * close-write by settling (R3). It is also the environment's fallback poller:
 * core borrows its machinery for the directories another backend cannot watch.
 */
import type { BackendSubscription, IndexEntry, PollingBackend, SubscribeContext, WalkOptions } from '@vigilfs/core';
import { statEntry, walkTree } from '@vigilfs/core';
import { SubtreePoller } from './directory-poller.js';

const CAPABILITIES = { renamePairing: 'identity', closeWrite: false, overflowSignal: false } as const;

/** The polling backend. */
export const pollBackend: PollingBackend = {
  name: 'poll',
  async probe() {
    return { ok: true, capabilities: CAPABILITIES };
  },
  async subscribe(ctx) {
    return new PollSubscription(ctx);
  },
  createDirectoryPoller(ctx) {
    return new SubtreePoller(ctx);
  },
};

/** A whole root, polled. */
class PollSubscription implements BackendSubscription {
  readonly #ctx: SubscribeContext;
  readonly #poller: SubtreePoller;
  /** The root's identity when polling began: a root deleted and made again between two scans is another directory. */
  #rootEntry: IndexEntry | undefined;

  constructor(ctx: SubscribeContext) {
    this.#ctx = ctx;
    this.#poller = new SubtreePoller(
      {
        known: ctx.known,
        knownNames: ctx.knownNames,
        ignore: ctx.ignore,
        options: ctx.options,
        onDiff: (diff) => ctx.sink.diff(diff),
        onWarning: (w) => ctx.sink.warning(w),
        backend: 'poll',
      },
      { beforeScan: () => this.#rootStillThere() },
    );
  }

  describe(): string {
    return this.#poller.describe();
  }

  /**
   * The first walk of the root is the poller's own first read (its listings
   * become both core's index and the poller's baseline). Any later walk (a
   * remount's rescan) reads with fs: the poller's next scan compares with
   * its baseline and the index, and reports what is news.
   */
  async walk(start: string, options: WalkOptions): Promise<IndexEntry | undefined> {
    if (start === this.#ctx.root && this.#rootEntry === undefined) {
      this.#rootEntry = await this.#poller.walk(start, options.onListing, options.onGone);
      return this.#rootEntry;
    }
    return walkTree(start, { ...options, followSymlinks: this.#ctx.options.followSymlinks, backend: 'poll' });
  }

  async close(): Promise<void> {
    await this.#poller.close();
  }

  /** The root must still be the directory polling began with; otherwise it is reported removed (R9). */
  async #rootStillThere(): Promise<boolean> {
    // A mount that stopped answering (ENOTCONN, EIO) throws here: that is a failed poll, retried with backoff, not a removal.
    const st = await statEntry(this.#ctx.root, true);
    const known = this.#rootEntry;
    const there = st?.isDirectory() === true && (!known || (known.ino === st.ino && known.dev === st.dev));
    if (!there) this.#ctx.sink.rootRemoved('scan');
    return there;
  }
}
