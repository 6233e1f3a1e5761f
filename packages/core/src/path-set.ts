/**
 * A set of absolute paths that follows renames and deletes of the subtrees
 * holding them (what the index does for entries, for a side note about some).
 */
import { isWithin } from './paths.js';

/** Paths kept in step with renames and deletes of their ancestors. */
export class PathSet {
  #paths = new Set<string>();

  /** Number of paths held. */
  get size(): number {
    return this.#paths.size;
  }

  add(path: string): void {
    this.#paths.add(path);
  }

  delete(path: string): void {
    this.#paths.delete(path);
  }

  has(path: string): boolean {
    return this.#paths.has(path);
  }

  /** The held paths at or below `dir`, shallowest first. */
  within(dir: string): string[] {
    if (this.#paths.size === 0) return [];
    return [...this.#paths].filter((p) => isWithin(p, dir)).sort((a, b) => a.length - b.length);
  }

  /** Forgets every held path at or below `dir`. */
  deleteWithin(dir: string): void {
    for (const p of this.within(dir)) this.#paths.delete(p);
  }

  /** Re-roots every held path at or below `from` under `to`. */
  move(from: string, to: string): void {
    for (const p of this.within(from)) {
      this.#paths.delete(p);
      this.#paths.add(to + p.slice(from.length));
    }
  }
}
