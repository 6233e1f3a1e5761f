import { ErrorCode, VigilError } from '@vigilfs/core';

/** The error every call on a closed scanner rejects or throws with. */
export function closedError(): VigilError {
  return new VigilError(ErrorCode.CLOSED, 'the directory scanner is closed', { backend: 'poll' });
}

/**
 * Runs scans one at a time, in call order, and rejects what is in flight or
 * queued when closed. A task submitted while the queue is idle starts
 * synchronously, so a scan sees exactly the directories tracked when it was
 * called; a queued task sees those tracked when it starts.
 */
export class SerialQueue {
  #running = false;
  #waiting: (() => void)[] = [];
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `task` after every earlier task settled. */
  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(closedError());
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        if (this.#closed) {
          reject(closedError());
          this.#next();
          return;
        }
        this.#running = true;
        let pending: Promise<T>;
        try {
          pending = task();
        } catch (err) {
          pending = Promise.reject(err);
        }
        pending
          .then(
            (value) => (this.#closed ? reject(closedError()) : resolve(value)),
            (err: unknown) => reject(this.#closed ? closedError() : err),
          )
          .finally(() => this.#next());
      };
      if (this.#running) this.#waiting.push(start);
      else start();
    });
  }

  #next(): void {
    this.#running = false;
    this.#waiting.shift()?.();
  }

  close(): void {
    this.#closed = true;
  }
}
