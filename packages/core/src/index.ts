/**
 * @vigilfs/core: vigil's OS-independent event model. Users normally import the
 * `vigil` package, which re-exports what they need from here with every
 * backend registered; backend authors implement {@link Backend}.
 */
export * from './events.js';
export * from './errors.js';
export * from './paths.js';
export type {
  Backend,
  BackendCapabilities,
  BackendScanOptions,
  BackendSink,
  BackendSubscription,
  ProbeResult,
  RawEvent,
  RescanOptions,
  ResolvedWatchOptions,
  ScanEntry,
  SubscribeContext,
  TreeDiff,
} from './backend.js';
export { TreeIndex, kindOnly, type IndexEntry, type Listing } from './tree-index.js';
export { createIgnorePredicate, type IgnorePredicate, type IgnoreRule } from './ignore.js';
export { scanTree, statEntry, entryFromStats, kindOfStats, type ScanOptions } from './scan-tree.js';
export { diffScan, planDiff, isContentChange, isReplacement, type PlannedEvent } from './diff.js';
export { SettleTracker, type SizeAndTime } from './settle.js';
export {
  Watcher,
  createWatcher,
  type FilesystemDescription,
  type RootInfo,
  type WatchOptions,
  type WatcherEnvironment,
  type WatcherEventMap,
} from './watcher.js';
