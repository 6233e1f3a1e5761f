/**
 * Watch-descriptor bookkeeping: which directory each wd watches, kept in step
 * with what the kernel says (IN_IGNORED drops a wd) and with directories
 * renamed inside the tree (a watch follows its inode, so its path changes).
 * The pairing of a rename's two halves is core's; the table only needs to
 * know, as soon as the records say so, where a watched directory now is, so
 * that the records after the move carry the new path.
 */
import { isWithin } from '@vigilfs/core';

/** wd ↔ directory, both ways. */
export class WatchTable {
  #dirByWd = new Map<number, string>();
  #wdByDir = new Map<string, number>();
  /** Directories that left by IN_MOVED_FROM, by cookie, until their IN_MOVED_TO is read (or a few reads later). */
  #movingOut = new Map<number, { path: string; age: number }>();

  /** Number of live watches. */
  get size(): number {
    return this.#dirByWd.size;
  }

  /** The directory a wd watches. */
  dirOf(wd: number): string | undefined {
    return this.#dirByWd.get(wd);
  }

  /** The wd watching a directory. */
  wdOf(dir: string): number | undefined {
    return this.#wdByDir.get(dir);
  }

  /** Records a watch. One inode reached by two paths (a bind mount) has one wd: the newer path wins. */
  map(wd: number, dir: string): void {
    const previous = this.#dirByWd.get(wd);
    if (previous !== undefined && previous !== dir) this.#wdByDir.delete(previous);
    this.#dirByWd.set(wd, dir);
    this.#wdByDir.set(dir, wd);
  }

  /** The kernel removed a watch (IN_IGNORED). */
  dropWd(wd: number): void {
    const dir = this.#dirByWd.get(wd);
    if (dir === undefined) return;
    this.#dirByWd.delete(wd);
    if (this.#wdByDir.get(dir) === wd) this.#wdByDir.delete(dir);
  }

  /** Forgets every watch at or below `dir`, returning their wds (for inotify_rm_watch). */
  forget(dir: string): number[] {
    const wds: number[] = [];
    for (const [d, wd] of [...this.#wdByDir]) {
      if (!isWithin(d, dir)) continue;
      this.#wdByDir.delete(d);
      this.#dirByWd.delete(wd);
      wds.push(wd);
    }
    return wds;
  }

  /** A watched directory's IN_MOVED_FROM was read. */
  movingOut(cookie: number, path: string): void {
    if (this.#wdByDir.has(path)) this.#movingOut.set(cookie, { path, age: 0 });
  }

  /**
   * Its IN_MOVED_TO was read: the watches at and below the old path now watch
   * the new one. Returns the old path, or undefined if this was no watched directory's move.
   */
  movedIn(cookie: number, to: string): string | undefined {
    const from = this.#movingOut.get(cookie);
    if (!from) return undefined;
    this.#movingOut.delete(cookie);
    for (const [dir, wd] of [...this.#wdByDir]) {
      if (!isWithin(dir, from.path)) continue;
      const moved = to + dir.slice(from.path.length);
      this.#wdByDir.delete(dir);
      this.#wdByDir.set(moved, wd);
      this.#dirByWd.set(wd, moved);
    }
    return from.path;
  }

  /** Called once per batch: a move whose other half has not come within a few reads left the tree (core deletes it). */
  age(): void {
    for (const [cookie, m] of this.#movingOut) if (++m.age > 4) this.#movingOut.delete(cookie);
  }
}
