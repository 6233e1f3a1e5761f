/**
 * @vigilfs/spool: a maildir-style tmp/new/cur spool for handing files between
 * processes without locks, with consumers woken by vigil file events.
 */
export {
  Spool,
  SpoolArea,
  SpoolWriter,
  type ClaimOptions,
  type ClaimedFile,
  type CleanTmpOptions,
  type CommitOptions,
  type SpoolOptions,
} from './spool.js';
export { uniqueName, hostPart, assertValidName } from './names.js';
export {
  fsWatchWaker,
  type SpoolWatchEvent,
  type SpoolWatchOptions,
  type SpoolWatcher,
  type WakerKind,
  type WatchFunction,
} from './waker.js';
