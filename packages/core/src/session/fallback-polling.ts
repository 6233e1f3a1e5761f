/**
 * Polling the directories a backend cannot watch (R10): the OS's watch limit
 * is reached (inotify's ENOSPC), or a share gives no change notification
 * (Windows' ERROR_INVALID_FUNCTION). The backend says `unwatchable(dir)`;
 * core polls that directory and everything below it with the environment's
 * poller: one scan per interval for all of them, timed as the poll backend
 * times its scans (a change is reported within pollInterval + 50 ms), so the
 * fallback costs what polling those directories alone would cost.
 */
import type { DirectoryPoller, DirectoryPollerContext, PollingBackend, TreeDiff } from '../backend.js';
import { ErrorCode, VigilError } from '../errors.js';
import type { IgnorePredicate } from '../ignore.js';
import type { ResolvedWatchOptions } from '../options.js';
import type { IndexEntry } from '../tree-index.js';

/** What the fallback needs from its session. */
export interface FallbackHost {
  readonly backend: string;
  readonly options: ResolvedWatchOptions;
  readonly ignore: IgnorePredicate;
  known(path: string): IndexEntry | undefined;
  knownNames(dir: string): Iterable<string>;
  /** A poll's differences, for the session's queue. */
  diff(diff: TreeDiff): void;
  warning(error: VigilError): void;
  /** Ends the root (the user asked to fail on a watch limit). */
  fatal(error: VigilError): void;
}

/** The directories of one root that are polled because the backend cannot watch them. */
export class FallbackPolling {
  readonly #host: FallbackHost;
  readonly #poller: PollingBackend | undefined;
  #polling: DirectoryPoller | undefined;
  /** Error codes already warned about: one warning per cause, not one per directory. */
  #warned = new Set<string>();

  constructor(host: FallbackHost, poller: PollingBackend | undefined) {
    this.#host = host;
    this.#poller = poller;
  }

  /** Number of directories polled. */
  get size(): number {
    return this.#polling?.size ?? 0;
  }

  /** The backend cannot watch `dir`: poll it, or end the root where the user asked for that. */
  unwatchable(dir: string, error: VigilError): void {
    const host = this.#host;
    if (error.code === ErrorCode.WATCH_LIMIT && host.options.onWatchLimit === 'error') {
      host.fatal(error);
      return;
    }
    if (!this.#poller) {
      // No poller in this environment: the directory goes unwatched, and the user hears of it.
      host.warning(error);
      return;
    }
    if (!this.#warned.has(error.code)) {
      this.#warned.add(error.code);
      host.warning(
        new VigilError(error.code, `${error.message}; directories that cannot get a watch are polled every ${host.options.pollInterval} ms instead`, {
          path: error.path ?? dir,
          backend: error.backend ?? host.backend,
          errno: error.errno,
          syscall: error.syscall,
          cause: error,
        }),
      );
    }
    this.#polling ??= this.#poller.createDirectoryPoller(this.#context());
    // Anything that changes from now on is news; what the listing already showed is not.
    this.#polling.add(dir, Date.now());
  }

  /** `dir` left the tree: stop polling it. */
  forget(dir: string): void {
    this.#polling?.remove(dir);
  }

  /** A polled directory (or one holding polled directories) was renamed. */
  move(from: string, to: string): void {
    this.#polling?.move(from, to);
  }

  describe(): string | undefined {
    return this.#polling?.size ? `${this.#polling.size} directories polled (${this.#polling.describe()})` : undefined;
  }

  async close(): Promise<void> {
    await this.#polling?.close();
  }

  #context(): DirectoryPollerContext {
    const host = this.#host;
    return {
      known: (p) => host.known(p),
      knownNames: (d) => host.knownNames(d),
      ignore: host.ignore,
      options: host.options,
      onDiff: (d) => host.diff(d),
      onWarning: (w) => host.warning(w),
      backend: host.backend,
    };
  }
}
