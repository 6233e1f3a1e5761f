/**
 * 8.3 short names in records (windows-rdcw.md §5). A program that works
 * through a short name (`PROGRA~1\NOTES~1.TXT`) makes the OS report that
 * name; vigil reports long names, so a record's short components are
 * resolved while the entry exists, and a record whose short name cannot be
 * resolved (it was removed or renamed away, libuv/libuv#634) becomes a look
 * at the tree of the directory holding it.
 *
 * Resolution never opens a file (§4): the addon's GetLongPathNameW where it
 * offers one, else the parent directory's listing, which holds long names
 * only: a name found there is a long name that merely looks short.
 */
import { readdir } from 'node:fs/promises';
import { joinPath, toFsPath } from '@vigilfs/core';

/**
 * True for a name that may be a generated 8.3 short name: up to 8 characters
 * with a `~` followed by digits (or the hashed form's hex), then up to 3 of
 * extension. Long names can look like this too (`notes~1.txt`); resolution
 * tells them apart.
 */
export function mayBeShortName(name: string): boolean {
  const m = /^([^.~\\]{1,7})~([0-9A-Fa-f]{1,6})(?:\.([^.\\]{1,3}))?$/.exec(name);
  return m !== null && m[1]!.length + 1 + m[2]!.length <= 8;
}

/** How a path with short names was resolved. */
export type Resolution = { path: string } | { unresolvedIn: string };

/** Resolves a long path name for a path, or undefined (GetLongPathNameW, the addon's where it has one). */
export type LongPathResolver = (path: string) => string | undefined;

/**
 * Resolves the short components of `name` (relative to `root`, `\`-separated,
 * already checked by {@link mayBeShortName} to hold one). Joins with the
 * host's separator (on Linux, in tests, `/`).
 */
export async function resolveShortNames(root: string, segments: readonly string[], longPath: LongPathResolver | undefined): Promise<Resolution> {
  let dir = root;
  let listing: Set<string> | undefined;
  for (let i = 0; i < segments.length; i++) {
    const name = segments[i]!;
    if (!mayBeShortName(name)) {
      dir = joinPath(dir, name);
      continue;
    }
    const candidate = joinPath(dir, name);
    const viaAddon = longPath?.(candidate);
    if (viaAddon !== undefined) {
      dir = joinPath(dir, baseOf(viaAddon));
      continue;
    }
    listing = await readdir(toFsPath(dir) as string).then(
      (names) => new Set(names),
      () => undefined,
    );
    if (listing?.has(name)) {
      dir = candidate;
      continue;
    }
    return { unresolvedIn: dir };
  }
  return { path: dir };
}

/** The last component of a Windows or POSIX path. */
function baseOf(p: string): string {
  return p.slice(Math.max(p.lastIndexOf('\\'), p.lastIndexOf('/')) + 1);
}
