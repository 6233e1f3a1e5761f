/**
 * @vigilfs/rdcw: vigil's Windows backend. ReadDirectoryChangesW records,
 * read by the rdcw addon and parsed and translated here: records.ts (the
 * byte layouts), actions.ts (what each record means), backend.ts (the watch
 * per root, losses, the root's fate), short-names.ts (8.3 names).
 */
export {
  isRdcwError,
  loadRdcwAddon,
  rdcwAddonCandidates,
  RDCW_ABI_VERSION,
  type RdcwAddon,
  type RdcwBatch,
  type RdcwError,
  type RdcwRoot,
  type RdcwVolumeInfo,
} from './addon.js';
export {
  ACTION_TABLE,
  ActionTranslator,
  FILE_ATTRIBUTE_DIRECTORY,
  FILE_ATTRIBUTE_REPARSE_POINT,
  FileAction,
  IO_REPARSE_TAG_MOUNT_POINT,
  IO_REPARSE_TAG_SYMLINK,
  Rule,
  kindOfAttributes,
  ruleFor,
  sameNameIgnoringCase,
  type ActionRow,
  type PlacedRecord,
  type RecordContext,
  type SeamInput,
} from './actions.js';
export {
  LOCAL_BUFFER_BYTES,
  RDCW_CAPABILITIES,
  REMOTE_BUFFER_BYTES,
  ROOT_CHECK_MS,
  createRdcwBackend,
  rdcwBackend,
  verbatimPath,
  type RdcwBackendOptions,
} from './backend.js';
export { BACKEND, Win32Error, rdcwError } from './errors.js';
export {
  Damage,
  EXTENDED_HEADER_BYTES,
  EXTENDED_OFFSETS,
  PLAIN_HEADER_BYTES,
  filetimeToMs,
  parseRecords,
  type ExtendedFields,
  type ParseResult,
  type RdcwRecord,
} from './records.js';
export { mayBeShortName, resolveShortNames, type LongPathResolver, type Resolution } from './short-names.js';
