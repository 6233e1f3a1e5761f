/**
 * Pairing the two halves of a move (R5), for every backend alike.
 *
 * A backend reports `moved-from` and `moved-to` halves with a key: an OS link
 * (inotify's cookie, a counter for Windows' adjacent old/new records) or file
 * identity (FSEvents, Windows moves across directories). Halves with the same
 * key pair into a rename. A `moved-from` whose partner is not in sight may
 * still be on its way: the OS queues the halves back to back, but a read (or
 * an FSEvents callback) can end between them. So an unpaired `moved-from` is
 * held, with everything after it (order is kept), until the next batch
 * arrives or, once the backend says nothing is pending, a short window has
 * passed; a half held once and still unpaired is a move out of the tree: a
 * delete. A `moved-to` without a partner is a move in: a create that
 * displaces whatever stood there.
 */

/** A record with a move key already resolved to a string (or none, when it cannot pair). */
export interface KeyedRecord {
  type: string;
  /** `link:…` or `identity:dev:ino`, for halves; undefined for other records and for halves that cannot pair. */
  pairKey?: string;
}

/** What to do with the records of one turn. */
export interface PairingPlan<R extends KeyedRecord> {
  /** The records to handle now, in order. */
  records: R[];
  /** For each `moved-from` in `records` that pairs: the position of its `moved-to`. */
  partnerAt: Map<number, number>;
}

/** Holds unpaired `moved-from` halves (and what came after them) until their partner arrives or cannot any more. */
export class MovePairing<R extends KeyedRecord> {
  #held: R[] = [];
  /** Records that were held once: if still unpaired on their second turn, they are decided. */
  #retried = new Set<R>();
  #timer: NodeJS.Timeout | undefined;
  readonly #windowMs: number;
  readonly #pending: () => boolean;
  readonly #onExpire: () => void;

  /**
   * @param windowMs how long an unpaired half waits once nothing is pending.
   * @param pending whether records may still be on their way from the OS.
   * @param onExpire called (off the queue) when held records are due: the session then calls {@link take} with `final`.
   */
  constructor(windowMs: number, pending: () => boolean, onExpire: () => void) {
    this.#windowMs = windowMs;
    this.#pending = pending;
    this.#onExpire = onExpire;
  }

  /** True while records are held. */
  get holding(): boolean {
    return this.#held.length > 0;
  }

  /** The records held, in order (read only). */
  get held(): readonly R[] {
    return this.#held;
  }

  /**
   * The records to handle now: those held, then `batch`. Where a `moved-from`
   * is unpaired and may still find its partner, it and everything after it
   * are held again and left out of the plan. With `final`, nothing is held.
   */
  take(batch: readonly R[], final = false): PairingPlan<R> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const records = this.#held.length ? [...this.#held, ...batch] : [...batch];
    const retried = this.#retried;
    this.#held = [];
    this.#retried = new Set();
    // Key -> position of its last moved-to; built once per turn (a turn may hold hundreds of thousands of records).
    let movedToAt: Map<string, number> | undefined;
    const partnerAt = new Map<number, number>();
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      if (r.type !== 'moved-from' || r.pairKey === undefined) continue;
      if (!movedToAt) {
        movedToAt = new Map();
        for (let j = 0; j < records.length; j++) {
          const o = records[j]!;
          if (o.type === 'moved-to' && o.pairKey !== undefined) movedToAt.set(o.pairKey, j);
        }
      }
      const j = movedToAt.get(r.pairKey) ?? -1;
      if (j > i) {
        partnerAt.set(i, j);
      } else if (!final && !retried.has(r)) {
        // The partner may be in the next read: hold this half and everything after it, and any
        // earlier half whose partner comes after it (a pair is handled together or not at all).
        let cut = i;
        for (const [from, to] of partnerAt) if (to >= i && from < cut) cut = from;
        for (const from of [...partnerAt.keys()]) if (from >= cut) partnerAt.delete(from);
        this.#held = records.slice(cut);
        this.#retried = new Set(this.#held);
        this.#arm();
        return { records: records.slice(0, cut), partnerAt };
      }
    }
    return { records, partnerAt };
  }

  /** Forgets what is held (the session is closing). */
  clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#held = [];
    this.#retried = new Set();
  }

  #arm(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      // The next batch (which takes the held records with it) is still on its way: wait for it.
      if (this.#pending()) this.#arm();
      else this.#onExpire();
    }, this.#windowMs);
    this.#timer.unref();
  }
}
