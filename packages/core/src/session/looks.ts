/**
 * `changed(paths)`: the second way in (backend.ts). A backend that can only
 * say where to look (FSEvents' accumulated flags, a record it cannot decode,
 * noise on a Windows directory) hands core the paths; core looks at each one
 * (an lstat, and on a case-insensitive filesystem the parent's listing, since
 * there `lstat('a')` also finds `A`), compares with its index, and turns the
 * difference into the records a backend that knows would have sent.
 */
import { readdir } from 'node:fs/promises';
import type { BackendEvent } from '../backend.js';
import { isContentChange, isReplacement } from '../diff.js';
import type { EventOrigin } from '../events.js';
import { baseName, decodeName, parentPath, toFsPath } from '../paths.js';
import type { IndexEntry, TreeIndex } from '../tree-index.js';
import { entryFromStats, statEntry } from '../walk-tree.js';

/** A record as core handles it: a backend event, with what core already knows about it. */
export type InputRecord = BackendEvent & {
  /** Default 'os'. */
  origin?: EventOrigin;
  /** A stat already taken (by a look), so the entry need not be looked at again. */
  stat?: IndexEntry;
};

/** How to look. */
export interface LookOptions {
  index: TreeIndex;
  followSymlinks: boolean;
  /** Names compare without regard to case on this filesystem. */
  caseInsensitive: boolean;
  /** The paths are move halves whose partners may come later (see ChangedOptions.moved). */
  moved: boolean;
  /** Only a content change is reported; the backend's own records say what appeared or went (see ChangedOptions.contentOnly). */
  contentOnly: boolean;
  /** Where a reported path is on disk (a symlinked root resolved). */
  onDisk(path: string): string;
  /** Entries that records still held for pairing will set (undefined: gone): compared with instead of the index. */
  held?: ReadonlyMap<string, IndexEntry | undefined>;
}

/** Looks at each path and returns the records that say what changed there, in order. */
export async function look(paths: readonly string[], options: LookOptions): Promise<InputRecord[]> {
  const { index, moved, contentOnly } = options;
  const listings = new Map<string, Promise<Set<string> | undefined>>();
  const exactlyThere = (p: string): Promise<boolean> => {
    const dir = parentPath(p);
    let names = listings.get(dir);
    if (!names) {
      names = readdir(toFsPath(options.onDisk(dir)) as string, { encoding: 'buffer' }).then(
        (raw) => new Set((raw as unknown as Buffer[]).map((b) => decodeName(b))),
        () => undefined,
      );
      listings.set(dir, names);
    }
    return names.then((set) => set?.has(baseName(p)) ?? false);
  };
  const out: InputRecord[] = [];
  for (const path of paths) {
    const before = options.held?.has(path) ? options.held.get(path) : index.get(path);
    const st = await statEntry(options.onDisk(path), options.followSymlinks).catch(() => undefined);
    let now = st ? entryFromStats(st) : undefined;
    // On a case-insensitive volume lstat('a') finds 'A': only the exact name in the listing means 'a' is there.
    if (now && options.caseInsensitive && !(await exactlyThere(path))) now = undefined;
    if (!now) {
      if (!before || contentOnly) continue;
      out.push(moved ? { type: 'moved-from', path, kind: before.kind, key: 'identity' } : { type: 'delete', path, kind: before.kind });
      continue;
    }
    if (!before || isReplacement(before, now)) {
      if (before && contentOnly) continue;
      if (before) out.push(moved ? { type: 'moved-from', path, kind: before.kind, key: 'identity' } : { type: 'delete', path, kind: before.kind });
      out.push(moved ? { type: 'moved-to', path, kind: now.kind, key: 'identity', stat: now } : { type: 'create', path, kind: now.kind, stat: now });
      continue;
    }
    // Known from a listing alone (no stat yet): whether its content changed cannot be told; record the stat.
    if (before.ino === 0) index.set(path, now);
    else if (isContentChange(before, now)) out.push({ type: 'modify', path, stat: now });
  }
  // Move halves looked at together lost their order (FSEvents accumulates flags per path, so `mv b c; mv a b`
  // arrives as b, c, a): the old halves go first, so that every new half comes after the half it pairs with.
  if (moved) return [...out.filter((r) => r.type === 'moved-from'), ...out.filter((r) => r.type !== 'moved-from')];
  return out;
}
