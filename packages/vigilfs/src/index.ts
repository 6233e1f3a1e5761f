/**
 * vigilfs: portable file watching for Node.js that tells the truth.
 *
 * ```ts
 * import { watch } from 'vigilfs';
 * const watcher = await watch('src', { ignore: ['node_modules', '*.tmp'] });
 * watcher.on('events', (batch) => { for (const e of batch) console.log(e.type, e.path); });
 * ```
 *
 * This package lists every backend (in priority order), names the fallback
 * poller, picks the running platform's facts, and re-exports the public part
 * of @vigilfs/core.
 */
import { createWatcher, type Backend, type PlatformFacts, type WatchOptions, type Watcher } from '@vigilfs/core';
import { darwinPlatform, linuxPlatform, win32Platform } from '@vigilfs/fsinfo';
import { fseventsBackend } from '@vigilfs/fsevents';
import { inotifyBackend, loadInotifyAddon, watchMountTable } from '@vigilfs/inotify';
import { pollBackend } from '@vigilfs/poll';
import { isRdcwError, loadRdcwAddon, rdcwBackend, verbatimPath } from '@vigilfs/rdcw';

/** Every backend this build knows, highest priority first (the order `auto` tries them in); each probe says where it runs. */
export const backends: readonly Backend[] = [inotifyBackend, fseventsBackend, rdcwBackend, pollBackend];

/** The running platform's facts: filesystem types, mounts below a root, mount-table changes. */
function platformFacts(): PlatformFacts | undefined {
  if (process.platform === 'linux') return linuxPlatform(loadInotifyAddon().ok ? watchMountTable : undefined);
  if (process.platform === 'darwin') return darwinPlatform();
  if (process.platform === 'win32') {
    // The drive type and volume filesystem come from the rdcw addon; without it nothing is known (and rdcw's probe says why).
    const loaded = loadRdcwAddon();
    if (!loaded.ok) return win32Platform(undefined);
    return win32Platform((p) => {
      const volume = loaded.addon.volumeInfo(verbatimPath(p));
      return isRdcwError(volume) ? undefined : volume;
    });
  }
  return undefined;
}

const environment = { backends, poller: pollBackend, platform: platformFacts() };

/**
 * Watches one path or several: directories recursively, files by name. Resolves
 * once every root is fully watched (R8); every later change is reported.
 */
export function watch(paths: string | readonly string[], options: WatchOptions = {}): Promise<Watcher> {
  return createWatcher(environment, paths, options);
}

export {
  EntryKind,
  ErrorCode,
  EventOrigin,
  EventType,
  VigilError,
  Watcher,
  toFsPath,
  type IgnoreRule,
  type RootInfo,
  type WatchEvent,
  type WatchOptions,
  type WatcherEventMap,
} from '@vigilfs/core';
export { describeFilesystem, readInotifyLimits, type FilesystemReport } from '@vigilfs/fsinfo';
