/**
 * Recursive watch-then-list, level by level: every directory of a level is
 * watched and listed natively (Inotify.walk), then JS picks the next level.
 * Filters stay in JS; the native side never decides what to descend into.
 */
import { EntryKind, joinPath } from '@vigilfs/core';
import { DT } from './constants.js';
import type { WalkChunk } from './batch.js';
import { walkResultOf, type Inotify, type WalkEntry, type WalkResult } from './inotify.js';

/**
 * One level: `inotify.walk(dirs, mask)` as a free function (the name the
 * backend uses). See {@link Inotify.walk}.
 */
export function walkAndWatch(inotify: Inotify, dirs: readonly string[], mask: number): Promise<WalkResult[]> {
  return inotify.walk(dirs, mask);
}

/** Options of {@link watchTree}. */
export interface WatchTreeOptions {
  /**
   * Whether to descend into an entry (called for directories only; default:
   * always). Ignore filters go here. Symlinks are never followed (R11).
   */
  descend?: (path: string, entry: WalkEntry) => boolean;
  /** Called with each directory's result as soon as its level is done, parents before children. */
  onDirectory?: (result: WalkResult) => void;
  /**
   * Called with each walker call's outcome as soon as it is back, parents
   * before children: the same as `onDirectory`, without an object per
   * directory (what a large tree's ready time wants).
   */
  onChunk?: (chunk: WalkChunk) => void;
  /** Native walks run in parallel per level (libuv pool threads; default 2). */
  concurrency?: number;
  /** lstat every entry on the pool threads too (see {@link Inotify.walkChunk}). */
  stats?: boolean;
}

/** Totals of a {@link watchTree} run. */
export interface WatchTreeSummary {
  /** Directories walked (watched or not). */
  directories: number;
  /** Entries seen, directories included. */
  entries: number;
  /** Directories whose watch or listing failed (see each result's watchError/readError). */
  failed: WalkResult[];
}

/** Below this many directories a level is one native call; splitting costs more than it saves. */
const MIN_CHUNK = 64;
/** Chunks per pool thread in a level, so that walking and digesting overlap. */
const CHUNKS_PER_THREAD = 2;

/**
 * Watches `roots` and every directory below them: level by level, each level
 * split over `concurrency` native walks. Resolves when every directory has
 * been watched and listed. Use a mask with `IN_ONLYDIR | IN_DONT_FOLLOW` so a
 * directory replaced by a file or symlink in the meantime is not watched.
 */
export async function watchTree(inotify: Inotify, roots: readonly string[], mask: number, options: WatchTreeOptions = {}): Promise<WatchTreeSummary> {
  const summary: WatchTreeSummary = { directories: 0, entries: 0, failed: [] };
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const { descend, onDirectory, onChunk } = options;
  const walkOptions = { stats: options.stats ?? false };
  let level: string[] = [...roots];
  while (level.length > 0) {
    // More chunks than threads, each handled as soon as it is back: the JS side
    // digests one chunk while the pool still walks the others.
    const chunks = Math.min(concurrency * CHUNKS_PER_THREAD, Math.max(1, Math.floor(level.length / MIN_CHUNK)));
    const size = Math.ceil(level.length / chunks);
    const next: string[] = [];
    const digest = (chunk: WalkChunk): void => {
      summary.directories += chunk.length;
      summary.entries += chunk.types.length;
      if (chunk.anyFailed) {
        for (let i = 0; i < chunk.length; i++) {
          if (chunk.wd(i) < 0 || chunk.readErrno(i) !== undefined) summary.failed.push(walkResultOf(chunk, i));
        }
      }
      onChunk?.(chunk);
      if (onDirectory) for (let i = 0; i < chunk.length; i++) onDirectory(walkResultOf(chunk, i));
      // Names are decoded only for directories that have subdirectories.
      chunk.forEachOfType(DT.DT_DIR, (i, k) => {
        const name = chunk.names(i)[k]!;
        const child = joinPath(chunk.dirs[i]!, name);
        if (!descend || descend(child, { name, kind: EntryKind.DIRECTORY, dType: DT.DT_DIR })) next.push(child);
      });
    };
    const parts: Promise<void>[] = [];
    for (let i = 0; i < level.length; i += size) parts.push(inotify.walkChunk(level.slice(i, i + size), mask, walkOptions).then(digest));
    await Promise.all(parts);
    level = next;
  }
  return summary;
}
