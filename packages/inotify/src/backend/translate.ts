/**
 * The inotify record translator: records (as the kernel wrote them, decoded)
 * in, vigil's inputs out. Pure but for the watch table it keeps in step; the
 * meaning of each mask comes from mask-table.ts. Tested from recorded byte
 * sequences (test/translate.test.ts).
 */
import { joinPath, type BackendEvent } from '@vigilfs/core';
import type { RawInotifyEvent } from '../batch.js';
import { Meaning, isDirectoryEvent, meaningOf } from './mask-table.js';
import type { WatchTable } from './watch-table.js';

/** What one batch of records asks of the backend, in order. */
export type Translated =
  | { kind: 'events'; events: BackendEvent[] }
  /** The kernel dropped events (IN_Q_OVERFLOW): rescan the root. */
  | { kind: 'overflow' }
  /** The watched root itself was deleted or moved. */
  | { kind: 'root-gone' }
  /** A filesystem under a watch was unmounted: rescan that directory. */
  | { kind: 'unmounted'; dir: string }
  /** A watched directory moved to a name the user ignores: drop its watches. */
  | { kind: 'unwatch'; dir: string };

/**
 * Translates one batch. `rootWd` is the root's watch. Directory moves update
 * the table as soon as their IN_MOVED_TO is read (so later records carry the
 * new path); watches the kernel dropped (IN_IGNORED) leave it.
 */
export function translate(
  records: readonly RawInotifyEvent[],
  table: WatchTable,
  rootWd: number | undefined,
  ignore: (path: string, kind: 'directory') => boolean,
): Translated[] {
  const out: Translated[] = [];
  let events: BackendEvent[] = [];
  const flush = (): void => {
    if (events.length) out.push({ kind: 'events', events });
    events = [];
  };
  for (const r of records) {
    const meaning = meaningOf(r.mask);
    if (meaning === Meaning.IGNORE) continue;
    if (meaning === Meaning.OVERFLOW) {
      flush();
      out.push({ kind: 'overflow' });
      continue;
    }
    const dir = table.dirOf(r.wd);
    if (dir === undefined) continue; // a watch vigil already let go of
    if (meaning === Meaning.WATCH_REMOVED) {
      table.dropWd(r.wd);
      continue;
    }
    if (meaning === Meaning.SELF_GONE || meaning === Meaning.UNMOUNT) {
      if (r.wd === rootWd) {
        flush();
        out.push({ kind: 'root-gone' });
        return out;
      }
      if (meaning === Meaning.UNMOUNT) {
        flush();
        out.push({ kind: 'unmounted', dir });
      }
      continue; // a subdirectory's own deletion or move is reported by its parent
    }
    const path = r.name === '' ? dir : joinPath(dir, r.name);
    const directory = isDirectoryEvent(r.mask);
    const kind = directory ? 'directory' : 'unknown';
    switch (meaning) {
      case Meaning.CREATE:
        events.push({ type: 'create', path, kind });
        break;
      case Meaning.DELETE:
        events.push({ type: 'delete', path, kind });
        break;
      case Meaning.MODIFY:
        events.push({ type: 'modify', path });
        break;
      case Meaning.CLOSE_WRITE:
        events.push({ type: 'close-write', path });
        break;
      case Meaning.MOVED_FROM:
        if (directory) table.movingOut(r.cookie, path);
        events.push({ type: 'moved-from', path, kind, key: { link: r.cookie } });
        break;
      case Meaning.MOVED_TO:
        if (directory && table.movedIn(r.cookie, path) !== undefined && ignore(path, 'directory')) {
          flush();
          out.push({ kind: 'unwatch', dir: path });
        }
        events.push({ type: 'moved-to', path, kind, key: { link: r.cookie } });
        break;
    }
  }
  flush();
  table.age();
  return out;
}
