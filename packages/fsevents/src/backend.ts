/**
 * The fsevents backend, built around one record source. The live backend
 * uses the `fsevents` package's stream; tests build the same backend around a
 * replay or the inotify-driven model, so all of them share the decoding.
 */
import type { Backend, BackendCapabilities, BackendSubscription, FilesystemDescription, ProbeResult } from '@vigilfs/core';
import { createDecoder } from './decode.js';
import type { RecordSource } from './record.js';

/**
 * How long an unpaired Renamed half waits for its partner once nothing is
 * known to be pending: FSEvents delivers the halves up to one latency period
 * apart (0.1 s in the fsevents package), in different callbacks; @atom/watcher
 * uses 50 ms after the batch. One latency period plus a margin for a busy
 * event loop.
 */
export const MOVE_WINDOW_MS = 150;

/** Renames are paired by identity, close-write is emulated by settling, and drops are signalled (MustScanSubDirs). */
export const FSEVENTS_CAPABILITIES: BackendCapabilities = { renamePairing: 'identity', closeWrite: false, overflowSignal: true };

export interface FseventsBackendOptions {
  /** A fresh record source for each root. */
  source(): RecordSource;
  /** Whether this source can run here. */
  probe(root: string, filesystem?: FilesystemDescription): Promise<ProbeResult>;
  /** See {@link MOVE_WINDOW_MS}. */
  moveWindowMs?: number;
}

/** The backend named `fsevents`, fed by `options.source`. */
export function createFseventsBackend(options: FseventsBackendOptions): Backend {
  return {
    name: 'fsevents',
    probe: (root, filesystem) => options.probe(root, filesystem),
    async subscribe(ctx): Promise<BackendSubscription> {
      const source = options.source();
      const decode = createDecoder({ root: ctx.root, recursive: ctx.recursive, sink: ctx.sink });
      let closed = false;
      await source.start(ctx.root, (records) => {
        if (!closed) decode(records);
      });
      return {
        moveWindowMs: options.moveWindowMs ?? MOVE_WINDOW_MS,
        pending: source.pending ? () => source.pending!() : undefined,
        describe: () => source.describe?.() ?? 'FSEvents stream',
        async close() {
          closed = true;
          await source.stop();
        },
      };
    },
  };
}
