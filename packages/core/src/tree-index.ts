/**
 * vigil's picture of a watched tree: every entry it has reported as existing.
 * Core applies every delivered event to it, so it is exactly what a consumer
 * that followed the events believes (R7 compares it with the disk).
 *
 * Stored as one map of children per directory rather than one map of full
 * paths, so that deleting or moving a directory touches only its own subtree.
 */
import type { EntryKind } from './events.js';
import { joinPath, parentPath, baseName } from './paths.js';

/** What vigil remembers about one entry. `ino`/`dev` are 0 when a backend did not stat it. */
export interface IndexEntry {
  kind: EntryKind;
  dev: number;
  ino: number;
  size: number;
  /** Modification time in ms, with the sub-millisecond fraction. */
  mtimeMs: number;
}

const KIND_ONLY: Readonly<Record<EntryKind, IndexEntry>> = Object.freeze({
  file: Object.freeze({ kind: 'file', dev: 0, ino: 0, size: 0, mtimeMs: 0 }),
  directory: Object.freeze({ kind: 'directory', dev: 0, ino: 0, size: 0, mtimeMs: 0 }),
  symlink: Object.freeze({ kind: 'symlink', dev: 0, ino: 0, size: 0, mtimeMs: 0 }),
  other: Object.freeze({ kind: 'other', dev: 0, ino: 0, size: 0, mtimeMs: 0 }),
  unknown: Object.freeze({ kind: 'unknown', dev: 0, ino: 0, size: 0, mtimeMs: 0 }),
} as const);

/**
 * An entry of unknown identity and size (what a backend knows from a directory
 * listing alone). Shared and frozen: the index never mutates entries in place.
 */
export function kindOnly(kind: EntryKind): IndexEntry {
  return KIND_ONLY[kind];
}

/**
 * A directory listing recorded in bulk, read by position: what a backend's
 * walk produced (a column of d_types and a buffer of undecoded names, say),
 * handed over without an object or an array slot per entry.
 */
export interface Listing {
  /** Number of entries. */
  readonly length: number;
  /** The entry names, in the same positions as `at`; may decode on first call, and should return the same array after. */
  names(): readonly string[];
  /** The entry at position `i`. */
  at(i: number): IndexEntry;
}

/** A Listing over two arrays. */
class ArrayListing implements Listing {
  readonly length: number;
  readonly #names: readonly string[];
  readonly #entries: readonly IndexEntry[];

  constructor(names: readonly string[], entries: readonly IndexEntry[]) {
    this.length = entries.length;
    this.#names = names;
    this.#entries = entries;
  }

  names(): readonly string[] {
    return this.#names;
  }

  at(i: number): IndexEntry {
    return this.#entries[i]!;
  }
}

/** The index of one root. */
export class TreeIndex {
  /** The root path. */
  readonly root: string;
  #rootEntry: IndexEntry | undefined;
  /**
   * Children per directory. A listing recorded by `addListing` stays as it
   * came until something asks for it by name: a backend's initial walk then
   * costs one map entry per directory, not per file. A directory that is
   * listed as one but has no entry here yet (its own listing has not arrived)
   * gets an empty map on first use: see #listing.
   */
  #dirs = new Map<string, Map<string, IndexEntry> | Listing>();
  #size = 0;

  constructor(root: string) {
    this.root = root;
  }

  /** Number of entries, the root included. */
  get size(): number {
    return this.#size;
  }

  /** The entry at `path`, if vigil knows one. */
  get(path: string): IndexEntry | undefined {
    if (path === this.root) return this.#rootEntry;
    return this.#listing(parentPath(path))?.get(baseName(path));
  }

  /**
   * The children map of `dir`: built from a bulk listing on first use, or
   * made empty for a directory known only from its parent's listing.
   */
  #listing(dir: string): Map<string, IndexEntry> | undefined {
    const children = this.#dirs.get(dir);
    if (children instanceof Map) return children;
    if (children === undefined) {
      // The root is registered when it is a directory; shorter paths are outside it.
      if (dir.length <= this.root.length || this.get(dir)?.kind !== 'directory') return undefined;
      const empty = new Map<string, IndexEntry>();
      this.#dirs.set(dir, empty);
      return empty;
    }
    const built = new Map<string, IndexEntry>();
    const names = children.names();
    for (let i = 0; i < names.length; i++) built.set(names[i]!, children.at(i));
    this.#dirs.set(dir, built);
    return built;
  }

  /** True when `path` is a directory vigil knows. */
  hasDirectory(path: string): boolean {
    return this.#dirs.has(path) || this.get(path)?.kind === 'directory';
  }

  /** True when vigil knows an entry at `path`. */
  has(path: string): boolean {
    return this.get(path) !== undefined;
  }

  /** The children of a directory by name, or undefined if it is not a known directory. */
  children(dir: string): ReadonlyMap<string, IndexEntry> | undefined {
    return this.#listing(dir);
  }

  /**
   * Records an entry. Its parent must be a known directory (or the path the
   * root itself). Replacing an entry of another kind drops what was below it.
   */
  set(path: string, entry: IndexEntry): void {
    const previous = this.get(path);
    if (previous && previous.kind === 'directory' && entry.kind !== 'directory') this.#dropSubtree(path);
    if (path === this.root) {
      if (!this.#rootEntry) this.#size++;
      this.#rootEntry = entry;
    } else {
      const siblings = this.#listing(parentPath(path));
      if (!siblings) throw new Error(`vigil index: parent of ${path} is not a known directory`);
      if (!siblings.has(baseName(path))) this.#size++;
      siblings.set(baseName(path), entry);
    }
    if (entry.kind === 'directory' && !this.#dirs.has(path)) this.#dirs.set(path, new Map());
  }

  /** Records a new size/mtime for a known entry (content changed, identity did not). */
  touch(path: string, size: number, mtimeMs: number): void {
    const entry = this.get(path);
    if (entry) this.set(path, { ...entry, size, mtimeMs });
  }

  /**
   * Records a whole directory listing at once (the fast path for a backend's
   * initial walk): `names` and `entries` as two arrays, or one {@link Listing}.
   * `dir` must be a known directory, or listed as one in its parent's listing
   * (a walk goes parents first); names must be new. Subdirectories in the
   * listing need no call of their own: they are known from it.
   */
  addListing(dir: string, names: readonly string[], entries: readonly IndexEntry[]): void;
  addListing(dir: string, listing: Listing): void;
  addListing(dir: string, namesOrListing: readonly string[] | Listing, entries?: readonly IndexEntry[]): void {
    const listing = entries ? new ArrayListing(namesOrListing as readonly string[], entries) : (namesOrListing as Listing);
    const siblings = this.#dirs.get(dir);
    if (siblings === undefined && !this.#listedAsDirectory(dir)) throw new Error(`vigil index: ${dir} is not a known directory`);
    if (siblings === undefined || (siblings instanceof Map && siblings.size === 0)) {
      // The common case, a directory seen for the first time: keep the listing
      // as it is (names may even stay undecoded until someone asks).
      this.#dirs.set(dir, listing);
      this.#size += listing.length;
      return;
    }
    const map = this.#listing(dir)!;
    const list = listing.names();
    for (let i = 0; i < list.length; i++) {
      if (!map.has(list[i]!)) this.#size++;
      map.set(list[i]!, listing.at(i));
    }
  }

  /**
   * Whether `dir`, not registered yet, is a directory in its parent's
   * listing. A listing still undecoded is taken at its word (the walk that
   * produced it is what lists `dir` now): checking would decode its names.
   */
  #listedAsDirectory(dir: string): boolean {
    if (dir.length <= this.root.length) return false; // the root registers itself in set()
    const parent = this.#dirs.get(parentPath(dir));
    if (parent === undefined) return false;
    return parent instanceof Map ? parent.get(baseName(dir))?.kind === 'directory' : true;
  }

  /** Removes an entry and everything below it. */
  delete(path: string): void {
    const entry = this.get(path);
    if (!entry) return;
    this.#dropSubtree(path);
    if (path === this.root) this.#rootEntry = undefined;
    else this.#listing(parentPath(path))?.delete(baseName(path));
    this.#size--;
  }

  /** Moves an entry and its subtree from `from` to `to`, replacing whatever was at `to`. */
  move(from: string, to: string): void {
    const entry = this.get(from);
    if (!entry || from === to) return;
    if (this.has(to)) this.delete(to);
    const subtree: [string, Map<string, IndexEntry> | Listing][] = [];
    if (entry.kind === 'directory') {
      for (const dir of this.#subdirs(from)) {
        subtree.push([dir, this.#dirs.get(dir)!]);
        this.#dirs.delete(dir);
      }
    }
    this.#listing(parentPath(from))?.delete(baseName(from));
    const siblings = this.#listing(parentPath(to));
    if (!siblings) throw new Error(`vigil index: parent of ${to} is not a known directory`);
    siblings.set(baseName(to), entry);
    for (const [dir, children] of subtree) this.#dirs.set(to + dir.slice(from.length), children);
  }

  /**
   * Every path below `dir` (not `dir` itself): `pre` lists parents before
   * children (for creates), `post` children before parents (for deletes).
   */
  descendants(dir: string, order: 'pre' | 'post'): string[] {
    const out: string[] = [];
    const visit = (d: string): void => {
      const children = this.#dirs.get(d);
      if (!children) return;
      for (const [name, entry] of entriesOf(children)) {
        const p = joinPath(d, name);
        if (order === 'pre') out.push(p);
        if (entry.kind === 'directory') visit(p);
        if (order === 'post') out.push(p);
      }
    };
    visit(dir);
    return out;
  }

  /** Every known path, parents first (the root included). */
  paths(): string[] {
    return this.#rootEntry ? [this.root, ...this.descendants(this.root, 'pre')] : [];
  }

  /** Known directories at or below `dir`, `dir` first. */
  #subdirs(dir: string): string[] {
    const out: string[] = [];
    const stack = [dir];
    while (stack.length) {
      const d = stack.pop()!;
      const children = this.#dirs.get(d);
      if (!children) continue;
      out.push(d);
      for (const [name, entry] of entriesOf(children)) if (entry.kind === 'directory') stack.push(joinPath(d, name));
    }
    return out;
  }

  #dropSubtree(path: string): void {
    for (const dir of this.#subdirs(path)) {
      const children = this.#dirs.get(dir)!;
      this.#size -= children instanceof Map ? children.size : children.length;
      this.#dirs.delete(dir);
    }
  }
}

/** [name, entry] pairs of a listing, whichever form it is in, without building a map. */
function* entriesOf(children: Map<string, IndexEntry> | Listing): Iterable<[string, IndexEntry]> {
  if (children instanceof Map) {
    yield* children;
    return;
  }
  const names = children.names();
  for (let i = 0; i < names.length; i++) yield [names[i]!, children.at(i)];
}
