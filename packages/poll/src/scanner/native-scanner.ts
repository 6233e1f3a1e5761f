import { availableParallelism } from 'node:os';
import { toFsPath } from '@vigilfs/core';
import { decodeChanges, type NativeBinding, type NativePollScanner } from './native-binding.js';
import { closedError, SerialQueue } from './serial.js';
import type { DirChanges, DirSetScanner } from './types.js';

/**
 * Pool threads one scan is split over. Halving a scan's wall time lets the
 * backend start scans later for the same latency bound (it starts each one
 * early by the last one's duration), so fewer scans run per minute; the CPU
 * per scan stays the same. More than two gains little: the kernel's
 * directory and inode caches are shared.
 */
const SCAN_PARTS = Math.max(1, Math.min(2, availableParallelism(), Math.floor(threadPoolSize() / 2)));

/** libuv's pool size: a scan takes at most half of it, so the app's fs, dns and zlib work keeps threads. */
function threadPoolSize(): number {
  const n = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(n) && n > 0 ? n : 4;
}

/**
 * The native implementation: listings live in the addon, scans run on a libuv
 * pool thread and return only differences (an idle scan resolves with null
 * and allocates nothing per entry in JS).
 */
export class NativeDirSetScanner implements DirSetScanner {
  readonly kind = 'native' as const;
  #native: NativePollScanner;
  #idOf = new Map<string, number>();
  #dirOf = new Map<number, string>();
  #queue = new SerialQueue();

  constructor(binding: NativeBinding, options: { followSymlinks?: boolean } = {}) {
    this.#native = new binding.PollScanner(options.followSymlinks === true);
  }

  track(dirs: readonly string[]): void {
    if (this.#queue.closed) throw closedError();
    for (const dir of dirs) {
      if (this.#idOf.has(dir)) continue;
      const bytes = toFsPath(dir);
      const id = this.#native.track(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8'));
      this.#idOf.set(dir, id);
      this.#dirOf.set(id, dir);
    }
  }

  untrack(dirs: readonly string[]): void {
    if (this.#queue.closed) throw closedError();
    for (const dir of dirs) {
      const id = this.#idOf.get(dir);
      if (id === undefined) continue;
      this.#native.untrack(id);
      this.#idOf.delete(dir);
      this.#dirOf.delete(id);
    }
  }

  scan(dirs?: readonly string[]): Promise<DirChanges[]> {
    return this.#queue.run(async () => {
      let ids: Uint32Array | undefined;
      if (dirs) {
        ids = new Uint32Array(dirs.length);
        let n = 0;
        for (const dir of dirs) {
          const id = this.#idOf.get(dir);
          if (id !== undefined) ids[n++] = id;
        }
        if (n === 0) return [];
        ids = ids.subarray(0, n);
      }
      const packed = await this.#native.scan(ids, SCAN_PARTS);
      if (packed === null || this.#queue.closed) return [];
      return decodeChanges(packed, (id) => this.#dirOf.get(id));
    });
  }

  /** Heap bytes the addon holds for listings (approximate; for benchmarks); undefined while a scan is in flight. */
  memoryBytes(): number | undefined {
    return this.#queue.closed ? 0 : this.#native.memoryBytes();
  }

  close(): void {
    if (this.#queue.closed) return;
    this.#queue.close();
    this.#native.close();
    this.#idOf.clear();
    this.#dirOf.clear();
  }
}
