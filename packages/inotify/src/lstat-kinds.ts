import { toFsPath, type EntryKind } from '@vigilfs/core';
import { requireInotifyAddon } from './addon.js';
import { kindFromDType } from './constants.js';

const NUL = Buffer.from([0]);

/**
 * The kind of each path by lstat, in one native call. `IN_CREATE` says
 * "directory" or "not a directory", never file or symlink; a burst of 50,000
 * creates asked one `fs.lstatSync` each spent about 0.5 s building Stats
 * objects, where this takes 50-100 ms. `unknown` where lstat fails (the
 * entry is already gone).
 */
export function lstatKinds(paths: readonly string[]): EntryKind[] {
  if (paths.length === 0) return [];
  const exact = paths.map(toFsPath);
  // Paths cannot hold NUL, so joined with NULs they split back exactly.
  const packed = exact.every((p) => typeof p === 'string')
    ? Buffer.from(`${paths.join('\0')}\0`, 'utf8')
    : Buffer.concat(exact.flatMap((p) => [typeof p === 'string' ? Buffer.from(p, 'utf8') : p, NUL]));
  return Array.from(requireInotifyAddon().lstatTypes(packed, paths.length), kindFromDType);
}
