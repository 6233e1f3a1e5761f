/**
 * Close-write emulation by settling (R3), for backends whose OS has no
 * close-after-write event. A file that was created or modified is watched until
 * its size and mtime have stayed the same for the settle period; then it is
 * reported as `close-write` with origin `emulated`. A writer that writes at
 * least once per settle period therefore never triggers it.
 *
 * All paths share one delay, so a Map in insertion order is also a queue in
 * deadline order (re-arming deletes and re-inserts): one timer serves them all.
 */
import { PATH_SEPARATOR } from './paths.js';

/** The part of a stat that says whether a file is still being written. */
export interface SizeAndTime {
  size: number;
  mtimeMs: number;
}

interface Pending {
  seen: SizeAndTime | undefined;
  due: number;
}

/** Tracks files waiting to settle; calls `onDue` with those whose period has passed. */
export class SettleTracker {
  readonly delay: number;
  #pending = new Map<string, Pending>();
  #timer: NodeJS.Timeout | undefined;
  #onDue: (due: { path: string; seen: SizeAndTime | undefined }[]) => void;

  constructor(delay: number, onDue: (due: { path: string; seen: SizeAndTime | undefined }[]) => void) {
    this.delay = delay;
    this.#onDue = onDue;
  }

  /** (Re)starts the settle period of `path`; `seen` is the stat that was current when it changed, if known. */
  arm(path: string, seen?: SizeAndTime): void {
    this.#pending.delete(path);
    this.#pending.set(path, { seen, due: Date.now() + this.delay });
    this.#schedule();
  }

  /** True when `path` is waiting to settle. */
  has(path: string): boolean {
    return this.#pending.has(path);
  }

  /** Stops tracking `path` and everything below it. */
  cancel(path: string, withSubtree = false): void {
    this.#pending.delete(path);
    if (withSubtree) {
      const prefix = path.endsWith(PATH_SEPARATOR) ? path : path + PATH_SEPARATOR;
      for (const p of this.#pending.keys()) if (p.startsWith(prefix)) this.#pending.delete(p);
    }
  }

  /** Carries a pending path (and those below it) over a rename. */
  move(from: string, to: string): void {
    const prefix = from + PATH_SEPARATOR;
    for (const [p, v] of [...this.#pending]) {
      if (p === from || p.startsWith(prefix)) {
        this.#pending.delete(p);
        this.#pending.set(to + p.slice(from.length), v);
      }
    }
  }

  /** Forgets everything and stops the timer. */
  clear(): void {
    this.#pending.clear();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#timer || this.#pending.size === 0) return;
    const first = this.#pending.values().next().value!;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, first.due - Date.now()));
    // The backend keeps the process alive while watching; a pending settle alone should not.
    this.#timer.unref();
  }

  #fire(): void {
    this.#timer = undefined;
    const now = Date.now();
    const due: { path: string; seen: SizeAndTime | undefined }[] = [];
    for (const [path, p] of this.#pending) {
      if (p.due > now) break;
      due.push({ path, seen: p.seen });
      this.#pending.delete(path);
    }
    this.#schedule();
    if (due.length) this.#onDue(due);
  }
}
