import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Inotify, InotifyEvent } from '../src/index.js';

/** A fresh directory on tmpfs when there is one (a burst is then a burst), else in os.tmpdir(). */
export function makeTempDir(prefix = 'vigil-inotify-'): { dir: string; cleanup: () => void } {
  const base = process.platform === 'linux' ? '/dev/shm' : os.tmpdir();
  const dir = mkdtempSync(path.join(base, prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Collects every event of an Inotify and waits for conditions on them, with a deadline (never a fixed sleep). */
export class Collector {
  readonly events: InotifyEvent[] = [];
  batches = 0;
  #waiters: Array<() => void> = [];

  constructor(inotify: Inotify) {
    inotify.on('events', (batch) => {
      this.batches++;
      this.events.push(...batch);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  /** Resolves once `predicate(events)` holds; rejects after `timeoutMs` with what was seen. */
  async until(predicate: (events: InotifyEvent[]) => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.events.slice(-20).map((e) => `${e.path ?? e.wd}:${e.mask.toString(16)}`);
        throw new Error(`timed out waiting for ${what}; last events: ${seen.join(', ')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
