/**
 * vigil: portable file watching for Node.js that tells the truth.
 *
 * ```ts
 * import { watch } from 'vigilfs';
 * const watcher = await watch('src', { ignore: ['node_modules', '*.tmp'] });
 * watcher.on('events', (batch) => { for (const e of batch) console.log(e.type, e.path); });
 * ```
 *
 * This package registers every backend (in priority order) and re-exports the
 * public part of @vigilfs/core.
 */
import { createWatcher, type Backend, type WatchOptions, type Watcher } from '@vigilfs/core';
import { describeFilesystem, subMounts } from '@vigilfs/fsinfo';
import { inotifyBackend } from '@vigilfs/inotify';
import { pollBackend } from '@vigilfs/poll';

/** Every backend this build knows, highest priority first (the order `auto` tries them in). */
export const backends: readonly Backend[] = [inotifyBackend, pollBackend];

/**
 * Watches one path or several: directories recursively, files by name. Resolves
 * once every root is fully watched (R8); every later change is reported.
 */
export function watch(paths: string | readonly string[], options: WatchOptions = {}): Promise<Watcher> {
  return createWatcher({ backends, describeFilesystem, subMounts }, paths, options);
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
