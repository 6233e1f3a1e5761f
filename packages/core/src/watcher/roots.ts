/**
 * The roots of one watch() call: each examined (kind, real path, stat), then
 * merged where they overlap. Rule: two roots that are the same directory, or
 * one inside the other (compared by real path, so `sub/..`, a symlink to the
 * root and the root itself are one), are watched once: by the outer one, or
 * for the same directory by the one named first; events inside are reported
 * once, under that root's path. A root that the outer root's `ignore` or
 * `depth` hides is not covered and is watched on its own.
 */
import { realpath, stat } from 'node:fs/promises';
import { fromSystemError } from '../errors.js';
import type { IgnorePredicate } from '../ignore.js';
import { decodeName, isWithin, joinPath, parentPath, relativeTo, toFsPath } from '../paths.js';
import type { IndexEntry } from '../tree-index.js';
import { entryFromStats } from '../walk-tree.js';

/** One root as examined. */
export interface ExaminedRoot {
  /** The path as the user gave it, made absolute: events are reported under it. */
  root: string;
  /** The same with every symlink resolved: what the backend watches. */
  real: string;
  kind: 'directory' | 'file';
  /** The index root's entry: the directory's stat, or a file root's parent's. */
  entry: IndexEntry;
}

/** Examines a root: kind, real path and stat, or a typed error (R10). A symlinked root is followed, whatever followSymlinks says. */
export async function examineRoot(root: string): Promise<ExaminedRoot> {
  // Both at once: each is a thread-pool round trip, and this is on the way to ready.
  const [st, real] = await Promise.all([
    stat(toFsPath(root)).catch((error: unknown) => {
      throw fromSystemError(error, { path: root, syscall: 'stat' });
    }),
    realpath(toFsPath(root), { encoding: 'buffer' }).then(
      (bytes) => decodeName(bytes as unknown as Buffer),
      (error: unknown) => {
        throw fromSystemError(error, { path: root, syscall: 'realpath' });
      },
    ),
  ]);
  if (st.isDirectory()) return { root, real, kind: 'directory', entry: entryFromStats(st) };
  const parent = await stat(toFsPath(parentPath(real))).catch((error: unknown) => {
    throw fromSystemError(error, { path: parentPath(real), syscall: 'stat' });
  });
  return { root, real, kind: 'file', entry: entryFromStats(parent) };
}

/** A root that another root covers. */
export interface CoveredRoot {
  root: ExaminedRoot;
  /** The root that watches it. */
  by: ExaminedRoot;
}

/**
 * Merges overlapping roots (see the module doc). `hides(outer, path)` says
 * whether `path` (in the outer root's terms) is ignored or too deep there.
 */
export function mergeRoots(
  roots: readonly ExaminedRoot[],
  ignoreOf: (outer: ExaminedRoot) => IgnorePredicate,
  caseInsensitive: (root: ExaminedRoot) => boolean,
): { watched: ExaminedRoot[]; covered: CoveredRoot[] } {
  const watched: ExaminedRoot[] = [];
  const covered: CoveredRoot[] = [];
  const covers = (outer: ExaminedRoot, inner: ExaminedRoot): boolean => {
    if (outer.kind !== 'directory' || !isWithin(inner.real, outer.real, caseInsensitive(outer))) return false;
    // Every directory from the outer root down to the inner one must be visible there.
    const ignore = ignoreOf(outer);
    const names = relativeTo(outer.real, inner.real).split('/').filter(Boolean);
    let p = outer.root;
    for (let i = 0; i < names.length; i++) {
      p = joinPath(p, names[i]!);
      if (ignore(p, i === names.length - 1 && inner.kind === 'file' ? 'file' : 'directory')) return false;
    }
    return true;
  };
  for (const r of roots) {
    const by = watched.find((w) => covers(w, r));
    if (by) {
      covered.push({ root: r, by });
      continue;
    }
    for (let i = watched.length - 1; i >= 0; i--) {
      if (!covers(r, watched[i]!)) continue;
      covered.push({ root: watched[i]!, by: r });
      watched.splice(i, 1);
    }
    watched.push(r);
  }
  // What a dropped root covered is covered by the root that covers it.
  for (const c of covered) while (!watched.includes(c.by)) c.by = covered.find((o) => o.root === c.by)!.by;
  return { watched, covered };
}
