/**
 * @vigilfs/inotify: a low-level Linux inotify binding (every IN_* mask, raw
 * records, lossless names, errors as VigilErrors) and the native
 * watch-then-list walker that vigil's inotify backend builds on.
 *
 * See README.md for the API and docs/inotify-binding.md for examples.
 */
export {
  inotifyAddonCandidates,
  loadInotifyAddon,
  requireInotifyAddon,
  type InotifyAddon,
  type NativeInotifyReader,
  type SysErrorData,
} from './addon.js';
export { WalkChunk, decodeBatch, decodeWalk, type RawInotifyEvent } from './batch.js';
export { DT, IN, kindFromDType, maskToNames, type InotifyConstantName } from './constants.js';
export { BACKEND, inotifyError, readInotifySysctl } from './errors.js';
export {
  Inotify,
  MOUNTS_CHANGED_WD,
  type InotifyEmitterEvents,
  type InotifyEvent,
  type InotifyOptions,
  type WalkEntry,
  type WalkResult,
  walkResultOf,
} from './inotify.js';
export { lstatKinds } from './lstat-kinds.js';
export { watchMountTable } from './mount-table.js';
export { walkAndWatch, watchTree, type WatchTreeOptions, type WatchTreeSummary } from './walk.js';
export { inotifyBackend } from './backend/inotify-backend.js';
export { Meaning, WATCH_MASK, meaningOf } from './backend/mask-table.js';
export { translate, type Translated } from './backend/translate.js';
export { WatchTable } from './backend/watch-table.js';
