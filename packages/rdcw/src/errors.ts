/**
 * Win32 errors as VigilErrors (R10), as a table: each carries a stable code,
 * the Win32 name as `errno` (`'ERROR_ACCESS_DENIED'`), the call, the path and
 * backend `'rdcw'`.
 */
import { ErrorCode, VigilError } from '@vigilfs/core';
import type { RdcwError } from './addon.js';

/** The backend name vigil's errors carry. */
export const BACKEND = 'rdcw';

/** The Win32 error codes the backend acts on (winerror.h). */
export const Win32Error = {
  ERROR_INVALID_FUNCTION: 1,
  ERROR_FILE_NOT_FOUND: 2,
  ERROR_PATH_NOT_FOUND: 3,
  ERROR_ACCESS_DENIED: 5,
  ERROR_INVALID_HANDLE: 6,
  ERROR_NOT_ENOUGH_MEMORY: 8,
  ERROR_INVALID_PARAMETER: 87,
  ERROR_DIRECTORY: 267,
  ERROR_OPERATION_ABORTED: 995,
  ERROR_NOTIFY_ENUM_DIR: 1022,
} as const;

/** Code and wording per Win32 error; anything else is IO_ERROR with the OS's name for it. */
const TABLE: Readonly<Record<number, readonly [ErrorCode, string]>> = {
  [Win32Error.ERROR_INVALID_FUNCTION]: [ErrorCode.IO_ERROR, 'the volume or share gives no change notification'],
  [Win32Error.ERROR_FILE_NOT_FOUND]: [ErrorCode.PATH_NOT_FOUND, 'no such file or directory'],
  [Win32Error.ERROR_PATH_NOT_FOUND]: [ErrorCode.PATH_NOT_FOUND, 'no such file or directory'],
  [Win32Error.ERROR_ACCESS_DENIED]: [ErrorCode.PERMISSION_DENIED, 'access denied'],
  [Win32Error.ERROR_INVALID_HANDLE]: [ErrorCode.CLOSED, 'the watch handle is closed'],
  [Win32Error.ERROR_NOT_ENOUGH_MEMORY]: [ErrorCode.IO_ERROR, 'not enough memory'],
  [Win32Error.ERROR_INVALID_PARAMETER]: [ErrorCode.INVALID_ARGUMENT, 'invalid parameter (a buffer over 64 KiB on a share)'],
  [Win32Error.ERROR_DIRECTORY]: [ErrorCode.NOT_A_DIRECTORY, 'not a directory'],
  [Win32Error.ERROR_OPERATION_ABORTED]: [ErrorCode.CLOSED, 'the read was cancelled'],
  [Win32Error.ERROR_NOTIFY_ENUM_DIR]: [ErrorCode.OVERFLOW, 'the OS dropped change records'],
};

/** The VigilError for an addon error. */
export function rdcwError(error: RdcwError, path?: string): VigilError {
  const [code, wording] = TABLE[error.errno] ?? [ErrorCode.IO_ERROR, 'system error'];
  const where = path ?? error.path;
  return new VigilError(code, `${error.syscall} ${error.code}: ${where !== undefined ? `${where}: ` : ''}${wording}`, {
    path: where,
    backend: BACKEND,
    errno: error.code,
    syscall: error.syscall,
  });
}
