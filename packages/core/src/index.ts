/**
 * @vigilfs/core: vigil's OS-independent event model. Users normally import the
 * `vigilfs` package, which re-exports what they need from here with every
 * backend registered; backend authors implement {@link Backend} (see
 * README.md, "Writing a backend").
 */
export * from './events.js';
export { eventVariables, type EventVariable } from './event-variables.js';
export * from './errors.js';
export * from './paths.js';
export { posixPaths, win32Paths, hostPaths, type PathPolicy } from './path-policy.js';
export { decodePosixName, posixFsPath, win32FsPath } from './names.js';
export type {
  Backend,
  BackendCapabilities,
  BackendEvent,
  BackendSink,
  BackendSubscription,
  ChangedOptions,
  DirectoryPoller,
  DirectoryPollerContext,
  MoveKey,
  PollingBackend,
  ProbeResult,
  RescanOptions,
  ScanEntry,
  SubscribeContext,
  TreeDiff,
  WalkOptions,
} from './backend.js';
export type { FilesystemDescription, PlatformFacts, SubMount } from './platform.js';
export { MAX_TIMER_MS, nearestOption, resolvePaths, resolveWatchOptions, type ResolvedWatchOptions, type WatchOptions } from './options.js';
export { TreeIndex, kindOnly, type IndexEntry, type Listing } from './tree-index.js';
export { createIgnorePredicate, type IgnorePredicate, type IgnoreRule, type IgnoreScope } from './ignore.js';
export { ScanCollector, entryFromStats, kindOfStats, scanTree, statEntry, walkTree, type EntryStats, type TreeWalkOptions } from './walk-tree.js';
export { diffScan, planDiff, isContentChange, isReplacement, type PlannedEvent } from './diff.js';
export { SettleTracker, type SizeAndTime } from './settle.js';
export { Watcher, type RootInfo, type WatcherEventMap } from './watcher/watcher.js';
export { createWatcher, type WatcherEnvironment } from './watcher/create-watcher.js';
