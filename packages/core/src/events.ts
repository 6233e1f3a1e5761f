/**
 * The event vigil delivers, identical on every backend (semantics.md).
 */

/** What happened to an entry. */
export const EventType = {
  /** An entry appeared: created, hard-linked, or moved in from outside the tree (R1). */
  CREATE: 'create',
  /** A file's content changed (R2). Repeats on one path coalesce within a batch. */
  MODIFY: 'modify',
  /** A file opened for writing was closed: its content is complete (R3). */
  CLOSE_WRITE: 'close-write',
  /** An entry left the tree: unlinked, or moved out of it (R4). */
  DELETE: 'delete',
  /** An entry moved within the tree; `oldPath` is where it was (R5). */
  RENAME: 'rename',
} as const;
/** One of {@link EventType}'s values. */
export type EventType = (typeof EventType)[keyof typeof EventType];

/** What kind of entry an event is about. Symlinks are entries, never followed by default (R11). */
export const EntryKind = {
  FILE: 'file',
  DIRECTORY: 'directory',
  SYMLINK: 'symlink',
  /** A FIFO, socket or device node. */
  OTHER: 'other',
  /** The backend could not tell (for example an entry gone before it could be inspected). */
  UNKNOWN: 'unknown',
} as const;
/** One of {@link EntryKind}'s values. */
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

/** Who vouches for an event. */
export const EventOrigin = {
  /** Reported by the operating system's change notification. */
  OS: 'os',
  /** Found by comparing a fresh scan with vigil's index: polling, or recovery after the OS dropped events (R7). */
  RESCAN: 'rescan',
  /** Synthesised by vigil where the OS has no such event, e.g. close-write after a settle period (R3). */
  EMULATED: 'emulated',
} as const;
/** One of {@link EventOrigin}'s values. */
export type EventOrigin = (typeof EventOrigin)[keyof typeof EventOrigin];

/** One change on disk. Events arrive in batches (arrays), in the order they happened (R6). */
export interface WatchEvent {
  /** What happened. */
  type: EventType;
  /**
   * Absolute path; for a rename, the new path. Names that are not valid UTF-8 are
   * carried losslessly (see `toFsPath` in paths.ts).
   */
  path: string;
  /** Rename only: the path the entry had before. */
  oldPath?: string;
  /** The kind of entry. */
  kind: EntryKind;
  /** Who vouches for the event. */
  origin: EventOrigin;
}
