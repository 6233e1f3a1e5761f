/**
 * Where a root is watched and where it is reported (R9). A backend watches
 * real paths (a symlinked root resolved, macOS `/var` as `/private/var`, a
 * Windows 8.3 short name as its long name; a single file as its parent
 * directory); events are reported under the path the user gave. The index is
 * kept in the user's terms; paths are translated where they cross the seam.
 */
import { baseName, isWithin, joinPath, parentPath } from '../paths.js';

/** Translates between the backend's paths (watched) and the user's (reported). */
export class RootMapping {
  /** The directory the backend watches (real path). */
  readonly watchRoot: string;
  /** The index root, in the user's terms: the root itself, or a file root's parent. */
  readonly indexRoot: string;
  /** For a single-file root: its name in the watched directory, and the path it is reported under. */
  readonly file: { watchedName: string; userPath: string } | undefined;
  readonly #identity: boolean;

  /**
   * @param userRoot the root as the user gave it (absolute).
   * @param realRoot the same root with symlinks resolved.
   * @param kind whether the root is a directory or a single file.
   */
  constructor(userRoot: string, realRoot: string, kind: 'directory' | 'file') {
    if (kind === 'file') {
      this.watchRoot = parentPath(realRoot);
      this.indexRoot = parentPath(userRoot);
      this.file = { watchedName: baseName(realRoot), userPath: userRoot };
    } else {
      this.watchRoot = realRoot;
      this.indexRoot = userRoot;
      this.file = undefined;
    }
    this.#identity = this.watchRoot === this.indexRoot && (!this.file || this.file.watchedName === baseName(userRoot));
  }

  /** True when nothing needs translating (the common case: no symlink, same name). */
  get identity(): boolean {
    return this.#identity;
  }

  /** A backend path in the user's terms. */
  toUser(p: string): string {
    if (this.#identity) return p;
    if (this.file && p === joinPath(this.watchRoot, this.file.watchedName)) return this.file.userPath;
    if (p === this.watchRoot) return this.indexRoot;
    return isWithin(p, this.watchRoot) ? this.indexRoot + p.slice(this.watchRoot.length) : p;
  }

  /** A user path in the backend's terms. */
  toWatch(p: string): string {
    if (this.#identity) return p;
    if (this.file && p === this.file.userPath) return joinPath(this.watchRoot, this.file.watchedName);
    if (p === this.indexRoot) return this.watchRoot;
    return isWithin(p, this.indexRoot) ? this.watchRoot + p.slice(this.indexRoot.length) : p;
  }
}
