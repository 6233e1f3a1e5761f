/**
 * errno → VigilError for inotify, as a table (R10): each error carries a
 * stable code, errno, syscall, path and backend `'inotify'`, and the limits
 * name their sysctl with its current value.
 */
import { readFileSync } from 'node:fs';
import { ErrorCode, fromSystemError, type VigilError } from '@vigilfs/core';
import type { SysErrorData } from './addon.js';

/** The backend name vigil's errors carry. */
export const BACKEND = 'inotify';

/** Codes by errno. ENOSPC and EMFILE depend on the call (see {@link inotifyError}). */
const CODE_BY_ERRNO: Readonly<Record<string, ErrorCode>> = {
  EACCES: ErrorCode.PERMISSION_DENIED,
  EPERM: ErrorCode.PERMISSION_DENIED,
  ENOENT: ErrorCode.PATH_NOT_FOUND,
  ENOTDIR: ErrorCode.NOT_A_DIRECTORY,
  EINVAL: ErrorCode.INVALID_ARGUMENT,
  ELOOP: ErrorCode.SYMLINK_LOOP,
  EBADF: ErrorCode.CLOSED,
};

/** What each errno means for inotify calls, for the message. */
const DESCRIPTION: Readonly<Record<string, string>> = {
  EACCES: 'permission denied (read access to the path is required)',
  EPERM: 'operation not permitted',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EINVAL: 'invalid argument (a mask without event bits, IN_MASK_ADD with IN_MASK_CREATE, or an unknown wd)',
  ELOOP: 'too many levels of symbolic links',
  EBADF: 'the inotify instance is closed',
  EEXIST: 'already watched (IN_MASK_CREATE)',
  ENAMETOOLONG: 'path too long',
  ENOMEM: 'out of kernel memory',
  ENFILE: 'the system-wide limit on open files is reached',
};

/** The current value of `/proc/sys/fs/inotify/<name>`, or `'unknown'`. */
export function readInotifySysctl(name: 'max_user_watches' | 'max_user_instances' | 'max_queued_events'): string {
  try {
    return readFileSync(`/proc/sys/fs/inotify/${name}`, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}

/**
 * The VigilError for an addon error record. `path` is the path the call was
 * about (decoded; omitted for calls on the instance itself).
 */
export function inotifyError(data: SysErrorData, path?: string): VigilError {
  const { errno, syscall } = data;
  let code = CODE_BY_ERRNO[errno] ?? ErrorCode.IO_ERROR;
  let message = DESCRIPTION[errno] ?? 'system error';
  if (errno === 'ENOSPC' && syscall === 'inotify_add_watch') {
    code = ErrorCode.WATCH_LIMIT;
    message =
      `the inotify watch limit is reached: fs.inotify.max_user_watches = ${readInotifySysctl('max_user_watches')}` +
      ' (raise it with `sysctl fs.inotify.max_user_watches=<n>`)';
  } else if (errno === 'EMFILE' && syscall === 'inotify_init1') {
    code = ErrorCode.INSTANCE_LIMIT;
    message =
      `the inotify instance limit is reached: fs.inotify.max_user_instances = ${readInotifySysctl('max_user_instances')}` +
      ' (raise it with `sysctl fs.inotify.max_user_instances=<n>`; or the process is out of file descriptors, see `ulimit -n`)';
  }
  return fromSystemError({ code: errno, syscall, message }, { path, backend: BACKEND, syscall, code });
}
