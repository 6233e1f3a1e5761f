/**
 * Paths as this process's platform spells them: the functions of
 * {@link hostPaths} (see path-policy.ts for every platform's rules, and
 * names.ts for how names that are not valid text are carried).
 */
import { hostPaths } from './path-policy.js';
import type { FsPathBytes } from './names.js';

/** The separator vigil's paths use: the platform's. */
export const PATH_SEPARATOR: '/' | '\\' = hostPaths.sep;
/** Joins a directory path and one entry name (both already decoded). */
export const joinPath: (dir: string, name: string) => string = hostPaths.join;
/** The parent directory of an absolute path (itself for a filesystem root). */
export const parentPath: (path: string) => string = hostPaths.parent;
/** The last component of a path. */
export const baseName: (path: string) => string = hostPaths.base;
/** True when `path` is `ancestor` or lies below it. */
export const isWithin: (path: string, ancestor: string, caseInsensitive?: boolean) => boolean = hostPaths.isWithin;
/** `path` relative to `root` with `/` separators ('' for the root itself). */
export const relativeTo: (root: string, path: string) => string = hostPaths.relative;
/**
 * What to give `fs` for a path vigil reported: the exact bytes (a Buffer)
 * where the name is not valid text, else the string itself (R12).
 */
export const toFsPath: (path: string) => string | FsPathBytes = hostPaths.toFsPath;
/** Decodes a name from the bytes the OS gave, losslessly (see names.ts). */
export const decodeName: (bytes: Uint8Array) => string = hostPaths.decodeName;
export { hasEscapedBytes, type FsPathBytes } from './names.js';
