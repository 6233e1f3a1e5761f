/**
 * A stand-in for the rdcw addon: implements RdcwAddon, records what the
 * backend asked of it, and lets a test deliver batches as the addon would
 * (raw record bytes, overflow, errors) and move the root's final path.
 */
import type { AddonLoad } from '@vigilfs/native-loader';
import type { RdcwAddon, RdcwBatch, RdcwError } from '../src/addon.js';
import { buildBuffer, type BuildOptions, type RecordSpec } from './record-builder.js';

export interface FakeAddon {
  addon: RdcwAddon;
  load: () => AddonLoad<RdcwAddon>;
  /** What `watch` was called with. */
  watched: { rootPath: string; options: { bufferBytes: number; extended: boolean } }[];
  /** Delivers one batch (one completion per record list); false when no watch is listening (closed). */
  feed(records: RecordSpec[], options?: BuildOptions): boolean;
  batch(batch: RdcwBatch): boolean;
  error(errno: number, code: string): void;
  /** Where GetFinalPathNameByHandleW says the root is now. */
  finalPath: string | { error: RdcwError };
  /** How many times the backend asked for the final path. */
  finalPathCalls: number;
  /** Answer of the next `watch` call, when it should fail. */
  watchError?: RdcwError;
  closed: boolean;
}

export function fakeAddon(finalPath = 'C:\\watched'): FakeAddon {
  let onBatch: ((batch: RdcwBatch) => void) | undefined;
  const fake: FakeAddon = {
    watched: [],
    finalPath,
    finalPathCalls: 0,
    closed: false,
    addon: {
      abiVersion: 1,
      watch(rootPath, options, cb) {
        fake.watched.push({ rootPath, options });
        if (fake.watchError) return { error: fake.watchError };
        onBatch = cb;
        return {
          finalPath: () => {
            fake.finalPathCalls++;
            return fake.finalPath;
          },
          close: async () => {
            await new Promise((r) => setTimeout(r, 5));
            fake.closed = true;
            onBatch = undefined;
          },
        };
      },
      volumeInfo: () => ({ driveType: 3, fsName: 'NTFS', fsFlags: 0, serial: 1 }),
    },
    load: () => ({ ok: true, addon: fake.addon, file: 'fake.node' }),
    feed(records, options = {}) {
      return fake.batch({ buffers: [buildBuffer(records, options)], extended: options.extended ?? false });
    },
    batch(batch) {
      if (!onBatch) return false;
      onBatch(batch);
      return true;
    },
    error(errno, code) {
      fake.batch({ buffers: [], extended: false, error: { errno, code, syscall: 'ReadDirectoryChangesW' } });
    },
  };
  return fake;
}
