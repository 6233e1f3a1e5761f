/**
 * Turning "what the disk looks like now" into events: the comparison used by
 * polling and by recovery after overflow (R7), and the pairing of renames by
 * file identity where the OS gives no link (R5).
 */
import type { ScanEntry, TreeDiff } from './backend.js';
import type { EventOrigin, WatchEvent } from './events.js';
import type { IndexEntry, TreeIndex } from './tree-index.js';
import { baseName, isWithin, parentPath, PATH_SEPARATOR } from './paths.js';

/** A WatchEvent as core handles it internally: with the stat to record in the index. */
export interface PlannedEvent extends WatchEvent {
  stat?: IndexEntry;
}

/**
 * Compares a fresh scan of `subtree` (as returned by scanTree: `subtree` first,
 * parents before children) with what the index holds for it.
 */
export function diffScan(
  index: TreeIndex,
  subtree: string,
  scanned: readonly ScanEntry[],
  options: { since?: number | ((path: string) => number | undefined) } = {},
): TreeDiff {
  const diff: TreeDiff = { removed: [], added: [], modified: [] };
  const sinceOption = options.since;
  const sinceFor = typeof sinceOption === 'function' ? sinceOption : () => sinceOption;
  const seen = new Set<string>();
  for (const entry of scanned) {
    seen.add(entry.path);
    const known = index.get(entry.path);
    if (!known) {
      diff.added.push(entry);
    } else if (known.ino === 0 && known.kind === entry.stat.kind) {
      // Known from a listing alone (inotify): record the stat now. Whether the
      // content changed can only be judged by its age (see RescanOptions.since).
      index.set(entry.path, entry.stat);
      if (entry.stat.kind === 'file') {
        const since = sinceFor(entry.path);
        if (since !== undefined && entry.stat.mtimeMs >= since) diff.modified.push(entry);
      }
    } else if (isReplacement(known, entry.stat)) {
      diff.removed.push(entry.path);
      diff.added.push(entry);
    } else if (isContentChange(known, entry.stat)) {
      diff.modified.push(entry);
    }
  }
  if (index.has(subtree)) {
    if (!seen.has(subtree)) diff.removed.push(subtree);
    else for (const p of index.descendants(subtree, 'pre')) if (!seen.has(p)) diff.removed.push(p);
  }
  return diff;
}

/** A different entry now stands at the path (another kind, or another inode). */
export function isReplacement(known: IndexEntry, now: IndexEntry): boolean {
  if (known.kind !== now.kind) return true;
  return known.ino !== 0 && now.ino !== 0 && (known.ino !== now.ino || known.dev !== now.dev);
}

/** The same file's content changed (size or mtime); metadata-only changes are not content (R2). */
export function isContentChange(known: IndexEntry, now: IndexEntry): boolean {
  return now.kind === 'file' && (known.size !== now.size || known.mtimeMs !== now.mtimeMs);
}

const depth = (p: string): number => {
  let n = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === PATH_SEPARATOR) n++;
  return n;
};

const identityKey = (e: IndexEntry): string => `${e.dev}:${e.ino}:${e.kind}`;

/**
 * Orders a diff into events, without applying them: deletes (children before
 * parents), then renames paired by dev+inode (a directory's rename implies its
 * children's), then creates (parents before children), then modifies.
 *
 * A removed path that something else now occupies (a rename over it, or a
 * replacement) yields no delete: the `rename`/`create` on that path says it was
 * replaced, as inotify reports an atomic save (R5).
 */
export function planDiff(index: TreeIndex, diff: TreeDiff, origin: EventOrigin): PlannedEvent[] {
  // Removed directories take everything vigil knew below them (R4).
  const removed = new Map<string, IndexEntry>();
  for (const p of diff.removed) {
    const e = index.get(p);
    if (!e || removed.has(p)) continue;
    removed.set(p, e);
    if (e.kind === 'directory') for (const d of index.descendants(p, 'pre')) if (!removed.has(d)) removed.set(d, index.get(d)!);
  }

  // Pair by identity (R5). Prefer a candidate with the same name (a move between directories).
  const candidates = new Map<string, string[]>();
  for (const [p, e] of removed) {
    if (e.ino === 0) continue;
    const key = identityKey(e);
    const list = candidates.get(key);
    if (list) list.push(p);
    else candidates.set(key, [p]);
  }
  const renames: { from: string; to: string; stat: IndexEntry }[] = [];
  const pairedFrom = new Set<string>();
  const pairedTo = new Set<string>();
  const pairedDirs: { from: string; to: string }[] = [];
  /** `from` sits at the same place under a directory paired with one holding `to`. */
  const movedWithParent = (from: string, to: string): boolean =>
    pairedDirs.some((d) => isWithin(from, d.from) && isWithin(to, d.to) && from.slice(d.from.length) === to.slice(d.to.length));
  if (candidates.size) {
    // Directories first, so a file can be recognised as having moved with its directory.
    const ordered = [...diff.added.filter((a) => a.stat.kind === 'directory'), ...diff.added.filter((a) => a.stat.kind !== 'directory')];
    for (const a of ordered) {
      if (a.stat.ino === 0) continue;
      const list = candidates.get(identityKey(a.stat));
      if (!list?.length) continue;
      // A rename leaves a file's mtime alone; a new file that reuses a freed
      // inode (rm old; create new) has a newer one. Pairing those would be a lie,
      // unless the file moved along with its directory.
      const same = a.stat.kind === 'file' ? list.filter((p) => removed.get(p)!.mtimeMs === a.stat.mtimeMs || movedWithParent(p, a.path)) : list;
      if (!same.length) continue;
      const i = list.indexOf(same.find((p) => baseName(p) === baseName(a.path)) ?? same[0]!);
      const from = list.splice(i, 1)[0]!;
      if (a.stat.kind === 'directory') pairedDirs.push({ from, to: a.path });
      renames.push({ from, to: a.path, stat: a.stat });
      pairedFrom.add(from);
      pairedTo.add(a.path);
    }
  }
  const addedPaths = new Set(diff.added.map((a) => a.path));

  const events: PlannedEvent[] = [];
  const deletes = [...removed].filter(([p]) => !pairedFrom.has(p) && !pairedTo.has(p) && !addedPaths.has(p)).sort(([a], [b]) => depth(b) - depth(a));
  for (const [p, e] of deletes) events.push({ type: 'delete', path: p, kind: e.kind, origin });

  // Renames: parents first; a child whose relative place is unchanged moved with its parent.
  renames.sort((a, b) => depth(a.from) - depth(b.from));
  const movedDirs: { from: string; to: string }[] = [];
  const whereNow = (p: string): string => {
    for (let i = movedDirs.length - 1; i >= 0; i--) {
      const m = movedDirs[i]!;
      if (isWithin(p, m.from)) return m.to + p.slice(m.from.length);
    }
    return p;
  };
  // A rename into a directory that is itself new needs that directory's create first.
  const unpairedAdds = new Map(diff.added.filter((a) => !pairedTo.has(a.path)).map((a) => [a.path, a]));
  const createdEarly = new Set<string>();
  const createAncestors = (p: string): void => {
    const chain: string[] = [];
    for (let d = parentPath(p); unpairedAdds.has(d) && !createdEarly.has(d); d = parentPath(d)) chain.unshift(d);
    for (const d of chain) {
      const a = unpairedAdds.get(d)!;
      createdEarly.add(d);
      events.push({ type: 'create', path: d, kind: a.stat.kind, origin, stat: a.stat });
    }
  };
  const pending = new Map(renames.map((r) => [r.from, r]));
  const emit = (r: (typeof renames)[number], guard: Set<string>): void => {
    if (!pending.has(r.from)) return;
    pending.delete(r.from);
    // A rename into a path another pending rename is leaving goes second (a→b, b→c).
    const blocker = pending.get(r.to);
    if (blocker && !guard.has(blocker.from)) emit(blocker, guard.add(r.from));
    const from = whereNow(r.from);
    createAncestors(r.to);
    if (from !== r.to) events.push({ type: 'rename', path: r.to, oldPath: from, kind: r.stat.kind, origin, stat: r.stat });
    if (r.stat.kind === 'directory') movedDirs.push({ from, to: r.to });
  };
  for (const r of renames) emit(r, new Set());

  for (const a of diff.added) {
    if (pairedTo.has(a.path) || createdEarly.has(a.path)) continue;
    events.push({ type: 'create', path: a.path, kind: a.stat.kind, origin, stat: a.stat });
  }
  // A moved file whose content also changed: the rename says where, a modify says what.
  for (const r of renames) {
    const before = removed.get(r.from);
    if (before && r.stat.kind === 'file' && isContentChange(before, r.stat)) {
      events.push({ type: 'modify', path: r.to, kind: 'file', origin, stat: r.stat });
    }
  }
  for (const m of diff.modified) {
    const known = index.get(m.path);
    if (known && known !== m.stat && !isContentChange(known, m.stat)) continue;
    events.push({ type: 'modify', path: m.path, kind: m.stat.kind, origin, stat: m.stat });
  }
  return events;
}
