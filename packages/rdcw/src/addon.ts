/**
 * The rdcw addon (`vigil_rdcw.node`, native/rdcw): its JS interface, fixed
 * between this package and the C++ side, and its loading through
 * @vigilfs/native-loader (the prebuilt @vigilfs/rdcw-win32-x64 first, then
 * the local build). The addon reads; it decides nothing: each completion's
 * bytes reach JS unparsed (records.ts parses them, actions.ts says what they
 * mean).
 */
import { addonCandidates, loadAddon, type AddonLoad, type AddonSpec } from '@vigilfs/native-loader';

/** A Win32 error, as data: `errno` is the code (5), `code` its name (`'ERROR_ACCESS_DENIED'`). */
export interface RdcwError {
  errno: number;
  code: string;
  /** The failing call, e.g. `'ReadDirectoryChangesW'`, `'CreateFileW'`. */
  syscall: string;
  path?: string;
}

/**
 * What one or more completions delivered. Each buffer is one completion's
 * bytes: a chain of FILE_NOTIFY_INFORMATION records, or of
 * FILE_NOTIFY_EXTENDED_INFORMATION records when `extended`. `overflow`: the OS
 * lost records (a zero-byte completion, or ERROR_NOTIFY_ENUM_DIR). `error`:
 * the read failed (ERROR_ACCESS_DENIED when the root was deleted); the addon
 * stops reading after an error.
 */
export interface RdcwBatch {
  buffers: ArrayBuffer[];
  extended: boolean;
  overflow?: true;
  error?: RdcwError;
}

/** One watched root: a recursive directory handle and its pending read. */
export interface RdcwRoot {
  /** GetFinalPathNameByHandleW on the watch handle: where the directory is now (it follows a move). */
  finalPath(): string | { error: RdcwError };
  /** Cancels the read and closes the handle; no onBatch call runs after it resolves. */
  close(): Promise<void>;
  /** Added by native/rdcw/INTERFACE.md (optional): the watch keeps the event loop alive (the default). */
  ref?(): void;
  /** The watch does not keep the event loop alive (`persistent: false`). */
  unref?(): void;
}

/** What GetDriveTypeW and GetVolumeInformationW say about a path's volume. */
export interface RdcwVolumeInfo {
  driveType: number;
  fsName: string;
  fsFlags: number;
  serial: number;
}

/** What `vigil_rdcw.node` exports. */
export interface RdcwAddon {
  abiVersion: number;
  /**
   * Opens `rootPath` (absolute, `\\?\`-prefixed) with FILE_SHARE_READ |
   * FILE_SHARE_WRITE | FILE_SHARE_DELETE and FILE_FLAG_BACKUP_SEMANTICS and
   * reads its changes recursively into `bufferBytes` (retrying with 64 KiB on
   * ERROR_INVALID_PARAMETER, a share's limit); `extended` asks for
   * ReadDirectoryChangesExW, which the addon falls back from where it is
   * missing (Wine).
   */
  watch(rootPath: string, options: { bufferBytes: number; extended: boolean }, onBatch: (batch: RdcwBatch) => void): RdcwRoot | { error: RdcwError };
  volumeInfo(path: string): RdcwVolumeInfo | { error: RdcwError };
  /**
   * Not part of the fixed interface: GetLongPathNameW, used where the addon
   * offers it to resolve 8.3 short names in records (else the parent's
   * listing is read). Undefined when the path cannot be resolved.
   */
  longPathName?(path: string): string | undefined;
}

/** The addon ABI this package reads. */
export const RDCW_ABI_VERSION = 1;

const SPEC = {
  name: 'rdcw',
  file: 'vigil_rdcw.node',
  from: import.meta.url,
  platforms: ['win32'],
  check: (addon: RdcwAddon) =>
    addon.abiVersion !== RDCW_ABI_VERSION || typeof addon.watch !== 'function'
      ? `built for ABI ${String(addon.abiVersion)}, this package reads ${RDCW_ABI_VERSION} (rebuild it)`
      : undefined,
} satisfies AddonSpec<RdcwAddon>;

let cached: AddonLoad<RdcwAddon> | undefined;

/** Loads the addon without throwing (cached for the process); off Windows the reason says so. */
export function loadRdcwAddon(): AddonLoad<RdcwAddon> {
  cached ??= loadAddon(SPEC);
  return cached;
}

/** Every file the loader tries, in order. */
export function rdcwAddonCandidates(): string[] {
  return addonCandidates(SPEC).map((c) => c.file);
}

/** True for the error branch of an addon answer. */
export function isRdcwError<T>(value: T | { error: RdcwError }): value is { error: RdcwError } {
  return typeof value === 'object' && value !== null && 'error' in value && typeof (value as { error: unknown }).error === 'object';
}
