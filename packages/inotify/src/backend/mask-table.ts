/**
 * What an inotify record means for vigil, as one table (style.md: meaning in
 * TypeScript, not C++). The backend asks {@link meaningOf} and acts on the
 * answer; the unit test walks every bit. An unknown mask maps to `ignore`,
 * never to an exception.
 */
import { IN } from '../constants.js';

/** What the backend does with one record. */
export const Meaning = {
  /** The kernel dropped events (wd -1): rescan. */
  OVERFLOW: 'overflow',
  /** An entry appeared in a watched directory. */
  CREATE: 'create',
  /** An entry was unlinked from a watched directory. */
  DELETE: 'delete',
  /** An entry left a watched directory by rename (pair with MOVED_TO by cookie). */
  MOVED_FROM: 'moved-from',
  /** An entry arrived in a watched directory by rename. */
  MOVED_TO: 'moved-to',
  /** A file's content changed. */
  MODIFY: 'modify',
  /** A file opened for writing was closed. */
  CLOSE_WRITE: 'close-write',
  /** The watched directory itself was deleted or moved (matters for the root). */
  SELF_GONE: 'self-gone',
  /** The filesystem under a watch was unmounted. */
  UNMOUNT: 'unmount',
  /** The watch is gone; forget its wd. */
  WATCH_REMOVED: 'watch-removed',
  /** Nothing vigil reports (access, open, attrib, close-nowrite, unknown bits). */
  IGNORE: 'ignore',
} as const;
/** One of {@link Meaning}'s values. */
export type Meaning = (typeof Meaning)[keyof typeof Meaning];

/**
 * The mask a vigil watch asks for: content, names and the directory itself.
 * IN_ATTRIB is left out (metadata is not a content change, R2); IN_ONLYDIR and
 * IN_DONT_FOLLOW make sure a directory replaced by a file or symlink is never
 * watched (R11); IN_EXCL_UNLINK stops events for files already unlinked.
 */
export const WATCH_MASK =
  IN.IN_CREATE |
  IN.IN_DELETE |
  IN.IN_MOVED_FROM |
  IN.IN_MOVED_TO |
  IN.IN_MODIFY |
  IN.IN_CLOSE_WRITE |
  IN.IN_DELETE_SELF |
  IN.IN_MOVE_SELF |
  IN.IN_ONLYDIR |
  IN.IN_DONT_FOLLOW |
  IN.IN_EXCL_UNLINK;

/** Predicates, so call sites read as words, not bit arithmetic. */
export const isDirectoryEvent = (mask: number): boolean => (mask & IN.IN_ISDIR) !== 0;

/**
 * In priority order: the kernel sets one event bit per record, plus IN_ISDIR
 * and the status bits (IN_Q_OVERFLOW, IN_IGNORED, IN_UNMOUNT), so the first
 * matching row decides.
 */
const TABLE: readonly (readonly [bit: number, meaning: Meaning])[] = [
  [IN.IN_Q_OVERFLOW, Meaning.OVERFLOW],
  [IN.IN_UNMOUNT, Meaning.UNMOUNT],
  [IN.IN_IGNORED, Meaning.WATCH_REMOVED],
  [IN.IN_DELETE_SELF, Meaning.SELF_GONE],
  [IN.IN_MOVE_SELF, Meaning.SELF_GONE],
  [IN.IN_CREATE, Meaning.CREATE],
  [IN.IN_DELETE, Meaning.DELETE],
  [IN.IN_MOVED_FROM, Meaning.MOVED_FROM],
  [IN.IN_MOVED_TO, Meaning.MOVED_TO],
  [IN.IN_MODIFY, Meaning.MODIFY],
  [IN.IN_CLOSE_WRITE, Meaning.CLOSE_WRITE],
];

/** What a record with this mask means. Never throws; unknown or uninteresting bits are `ignore`. */
export function meaningOf(mask: number): Meaning {
  for (const [bit, meaning] of TABLE) if ((mask & bit) !== 0) return meaning;
  return Meaning.IGNORE;
}
