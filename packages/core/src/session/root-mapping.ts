/**
 * Where a root is watched and where it is reported (R9). A backend watches
 * real paths (a symlinked root resolved, macOS `/var` as `/private/var`, a
 * Windows 8.3 short name as its long name; a single file as its parent
 * directory); events are reported under the path the user gave. The index is
 * kept in the user's terms; paths are translated where they cross the seam.
 */
import { baseName, isWithin, joinPath, parentPath } from '../paths.js';
import type { IndexEntry, Listing } from '../tree-index.js';

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

  /**
   * A backend path in the user's terms. A file root's siblings keep their own
   * paths: they are not watched (the name filter hides them), and one of them
   * may bear the name the user gave (the symlink itself).
   */
  toUser(p: string): string {
    if (this.#identity) return p;
    if (p === this.watchRoot) return this.indexRoot;
    if (this.file) return p === joinPath(this.watchRoot, this.file.watchedName) ? this.file.userPath : p;
    return isWithin(p, this.watchRoot) ? this.indexRoot + p.slice(this.watchRoot.length) : p;
  }

  /** A listing of a watched directory in the user's terms: a file root's parent lists the file alone, under the user's name for it. */
  listing(dir: string, listing: Listing): Listing {
    if (this.#identity || !this.file || dir !== this.watchRoot) return listing;
    const names = listing.names();
    const at = names.indexOf(this.file.watchedName);
    const userName = [baseName(this.file.userPath)];
    const entry: IndexEntry | undefined = at >= 0 ? listing.at(at) : undefined;
    return entry ? { length: 1, names: () => userName, at: () => entry } : { length: 0, names: () => [], at: () => entry! };
  }

  /** A user path in the backend's terms. */
  toWatch(p: string): string {
    if (this.#identity) return p;
    if (this.file && p === this.file.userPath) return joinPath(this.watchRoot, this.file.watchedName);
    if (p === this.indexRoot) return this.watchRoot;
    return isWithin(p, this.indexRoot) ? this.watchRoot + p.slice(this.indexRoot.length) : p;
  }
}
