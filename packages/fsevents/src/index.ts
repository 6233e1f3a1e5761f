/**
 * @vigilfs/fsevents: vigil's macOS backend (FSEvents through the `fsevents`
 * package), and the pieces that let Linux test its decoding: the record
 * source interface, the flag table and the decoder.
 */
export { fseventsBackend } from './fsevents-backend.js';
export { createFseventsBackend, FSEVENTS_CAPABILITIES, MOVE_WINDOW_MS, type FseventsBackendOptions } from './backend.js';
export { createDecoder, type DecoderOptions } from './decode.js';
export { ACTION_PRECEDENCE, F, FLAGS, actionOf, flagNames, parseFlags, type FlagAction, type FlagInfo, type FlagName } from './flags.js';
export { liveSource, loadFsevents, type FseventsPackage, type LoadResult } from './live-source.js';
export type { FseventsRecord, RecordSource } from './record.js';
export { parseReplay, replayFile, runReplay, type ReplayEvent, type ReplayOptions, type ReplayResult, type ReplayScript, type ReplayStep } from './replay.js';
