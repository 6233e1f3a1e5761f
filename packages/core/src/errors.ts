/**
 * vigil's errors are values (semantics.md R10): every failure is a `VigilError`
 * with a stable `code`, the `path` it concerns, the `backend` that met it and,
 * where the OS said something, `errno`/`syscall`. Codes never change meaning;
 * messages may be reworded.
 */

/** Every error code vigil produces. Stable: match on these, not on messages. */
export const ErrorCode = {
  /** The forced backend cannot run here (S2), or no backend can serve a root. */
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  /** The path given to `watch()` does not exist. */
  PATH_NOT_FOUND: 'PATH_NOT_FOUND',
  /** A path component that must be a directory is not one (ENOTDIR). */
  NOT_A_DIRECTORY: 'NOT_A_DIRECTORY',
  /** The OS refused access (EACCES/EPERM). For a subtree this is a warning. */
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  /** inotify's per-user watch limit is exhausted (ENOSPC from inotify_add_watch). */
  WATCH_LIMIT: 'WATCH_LIMIT',
  /** inotify's per-user instance limit is exhausted (EMFILE from inotify_init). */
  INSTANCE_LIMIT: 'INSTANCE_LIMIT',
  /** The watched root was deleted or moved away; the watcher has ended (R9). */
  ROOT_REMOVED: 'ROOT_REMOVED',
  /** A root lives on a network/FUSE filesystem but a forced native backend watches it: remote changes go unseen. A warning. */
  REMOTE_CHANGES_UNSEEN: 'REMOTE_CHANGES_UNSEEN',
  /** The OS dropped events; vigil rescanned (R7). Delivered as a warning. */
  OVERFLOW: 'OVERFLOW',
  /** A symlink loop was found while following links (R11). A warning. */
  SYMLINK_LOOP: 'SYMLINK_LOOP',
  /** An option has a value vigil does not accept. */
  INVALID_OPTION: 'INVALID_OPTION',
  /** The OS rejected an argument (EINVAL), e.g. an inotify mask with no event bits. */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  /** The watcher was used after `close()`. */
  CLOSED: 'CLOSED',
  /** A name that must be new already exists (EEXIST); nothing was overwritten. */
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  /** Any other OS error; `errno` and `syscall` say which. */
  IO_ERROR: 'IO_ERROR',
} as const;

/** A stable error code; see {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** What an error is about; every field but `code` is optional. */
export interface VigilErrorDetails {
  /** The path the error concerns (a root, a subdirectory, a file). */
  path?: string;
  /** The backend that met the error (`'inotify'`, `'poll'`, …). */
  backend?: string;
  /** The OS error name (`'ENOENT'`, `'ENOSPC'`, …) where one exists. */
  errno?: string;
  /** The system call that failed (`'inotify_add_watch'`, `'lstat'`, …). */
  syscall?: string;
  /** The error this one wraps. */
  cause?: unknown;
}

const MARKER = Symbol.for('vigil.error');

/** The one error class vigil throws, rejects with or emits (R10). */
export class VigilError extends Error implements VigilErrorDetails {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;
  readonly path?: string;
  readonly backend?: string;
  readonly errno?: string;
  readonly syscall?: string;

  constructor(code: ErrorCode, message: string, details: VigilErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'VigilError';
    this.code = code;
    if (details.path !== undefined) this.path = details.path;
    if (details.backend !== undefined) this.backend = details.backend;
    if (details.errno !== undefined) this.errno = details.errno;
    if (details.syscall !== undefined) this.syscall = details.syscall;
    Object.defineProperty(this, MARKER, { value: true });
  }

  /** True for any VigilError, even one from another copy of this package. */
  static isVigilError(value: unknown): value is VigilError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }

  /** A plain object for logs and `--json` output. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      path: this.path,
      backend: this.backend,
      errno: this.errno,
      syscall: this.syscall,
    };
  }
}

/** The errno names vigil maps to their own codes; everything else is IO_ERROR. */
const CODE_BY_ERRNO: Readonly<Record<string, ErrorCode>> = {
  ENOENT: ErrorCode.PATH_NOT_FOUND,
  ENOTDIR: ErrorCode.NOT_A_DIRECTORY,
  EACCES: ErrorCode.PERMISSION_DENIED,
  EPERM: ErrorCode.PERMISSION_DENIED,
  ELOOP: ErrorCode.SYMLINK_LOOP,
};

/** The shape of a Node.js system error (and of errors vigil's addons carry as data). */
interface ErrnoLike {
  code?: unknown;
  syscall?: unknown;
  path?: unknown;
  message?: unknown;
}

/**
 * Turns an OS error (a Node `ErrnoException`, or an addon's `{code, syscall}`
 * record) into a VigilError. `errno` is the symbolic name (`'ENOENT'`).
 */
export function fromSystemError(error: unknown, context: { path?: string; backend?: string; syscall?: string; code?: ErrorCode } = {}): VigilError {
  if (VigilError.isVigilError(error)) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as ErrnoLike;
  const errno = typeof e.code === 'string' ? e.code : undefined;
  const syscall = context.syscall ?? (typeof e.syscall === 'string' ? e.syscall : undefined);
  const path = context.path ?? (typeof e.path === 'string' ? e.path : undefined);
  const code = context.code ?? (errno !== undefined ? CODE_BY_ERRNO[errno] : undefined) ?? ErrorCode.IO_ERROR;
  const what = [syscall, errno].filter(Boolean).join(' ');
  const base = typeof e.message === 'string' ? e.message : String(error);
  const message = `${what ? `${what}: ` : ''}${path !== undefined ? `${path}: ` : ''}${stripErrnoPrefix(base)}`;
  return new VigilError(code, message, { path, backend: context.backend, errno, syscall, cause: error });
}

/** Node messages read "ENOENT: no such file or directory, lstat '/x'"; keep the middle. */
function stripErrnoPrefix(message: string): string {
  const m = /^E[A-Z]+: ([^,]*)/.exec(message);
  return m?.[1] ?? message;
}
