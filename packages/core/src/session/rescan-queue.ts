/**
 * Rescans requested while one is still waiting join it. A new request that
 * covers a queued one, or is covered by it, takes its place: the queued one
 * does nothing when its turn comes, and one rescan of the wider subtree runs
 * at the tail of the queue, after everything queued so far, so its picture of
 * the disk is the newest. A burst that overflows the kernel queue again and
 * again then costs one rescan, not one each.
 */
import { isWithin } from '../paths.js';

/** What a rescan asks about age: one moment for the whole subtree, or one per path. */
export type RescanSince = number | undefined | ((path: string) => number | undefined);

/** Why a subtree is rescanned. */
export type RescanReason = 'overflow' | 'unknown';

/** A rescan waiting in a session's queue. */
interface PendingRescan {
  subtree: string;
  reason: RescanReason;
  /** Each request it stands for: its subtree and since. */
  asked: { subtree: string; since: number | undefined }[];
  /** The rescan that took its place; it then does nothing itself. */
  joined?: PendingRescan;
  finished: Promise<void>;
}

/** Joins rescan requests that wait in one queue. */
export class RescanQueue {
  #pending = new Map<string, PendingRescan>();

  /**
   * Queues a rescan of `subtree` with `enqueue` (the session's queue), joining
   * any waiting one it overlaps; `run` is called at its turn unless another
   * took its place. Resolves when the rescan that answers it is done.
   */
  request(
    subtree: string,
    reason: RescanReason,
    since: number | undefined,
    enqueue: (task: () => Promise<void> | void) => Promise<void>,
    run: (subtree: string, reason: RescanReason, since: RescanSince) => Promise<void>,
  ): Promise<void> {
    const request: PendingRescan = { subtree, reason, asked: [{ subtree, since }], finished: Promise.resolve() };
    for (const [queued, other] of [...this.#pending]) {
      const covers = isWithin(subtree, queued);
      if (!covers && !isWithin(queued, subtree)) continue;
      other.joined = request;
      this.#pending.delete(queued);
      if (covers) request.subtree = queued;
      request.asked.push(...other.asked);
      if (other.reason === 'overflow') request.reason = 'overflow';
    }
    this.#pending.set(request.subtree, request);
    const turn = enqueue(() => {
      if (request.joined) return;
      this.#pending.delete(request.subtree);
      return run(request.subtree, request.reason, sinceOf(request));
    });
    // A request that was joined is done when the rescan that took its place is.
    request.finished = turn.then(() => request.joined?.finished);
    return request.finished;
  }
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
