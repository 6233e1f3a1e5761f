/**
 * The live record source: the `fsevents` npm package (an optional dependency
 * that only installs on macOS). It is imported lazily and only on darwin, so
 * loading vigil elsewhere never touches it.
 */
import { createRequire } from 'node:module';
import type { FseventsRecord, RecordSource } from './record.js';

/** The part of the `fsevents` package vigil uses. */
export interface FseventsPackage {
  watch(path: string, handler: (path: string, flags: number, id: number | string) => void): () => Promise<void>;
  watch(path: string, since: number, handler: (path: string, flags: number, id: number | string) => void): () => Promise<void>;
}

export type LoadResult = { ok: true; fsevents: FseventsPackage } | { ok: false; reason: string; unexpected: boolean };

let cached: LoadResult | undefined;

/** Loads the `fsevents` package, once. Off macOS it is not attempted: the reason says so. */
export function loadFsevents(platform: NodeJS.Platform = process.platform): LoadResult {
  if (platform !== 'darwin') return { ok: false, reason: `FSEvents exists only on macOS (this is ${platform})`, unexpected: false };
  if (cached) return cached;
  try {
    const require = createRequire(import.meta.url);
    cached = { ok: true, fsevents: require('fsevents') as FseventsPackage };
  } catch (e) {
    cached = { ok: false, reason: `the optional dependency "fsevents" could not be loaded: ${(e as Error).message}`, unexpected: true };
  }
  return cached;
}

/**
 * One FSEvents stream per root. The package's handler is called once per
 * record; records of one callback arrive synchronously one after another, so
 * they are gathered and handed on in a microtask, as one batch.
 */
export function liveSource(fsevents: FseventsPackage): RecordSource {
  let stop: (() => Promise<void>) | undefined;
  let batch: FseventsRecord[] = [];
  let stopped = false;
  return {
    async start(root, onRecords) {
      // Keep a reference to stop(): if it is garbage-collected the stream stops (fsevents README).
      stop = fsevents.watch(root, (path, flags, id) => {
        if (stopped) return;
        if (batch.length === 0) {
          queueMicrotask(() => {
            const records = batch;
            batch = [];
            if (!stopped) onRecords(records);
          });
        }
        batch.push({ path, flags, id: Number(id) });
      });
    },
    async stop() {
      stopped = true;
      await stop?.();
    },
    describe: () => 'FSEvents stream (fsevents package, latency 0.1 s)',
  };
}
