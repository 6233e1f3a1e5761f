/**
 * The portable tree walker every backend may use: for its initial index, for a
 * directory that appeared with contents (R1), and for recovery after the OS
 * dropped events (R7). Breadth-first, so parents always come before children.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { EntryKind } from './events.js';
import { ErrorCode, VigilError, fromSystemError } from './errors.js';
import type { IgnorePredicate } from './ignore.js';
import type { ScanEntry } from './backend.js';
import type { IndexEntry } from './tree-index.js';
import { decodeName, joinPath, toFsPath } from './paths.js';

/** How {@link scanTree} walks. */
export interface ScanOptions {
  /** Paths to leave out; an ignored directory is not read. */
  ignore?: IgnorePredicate;
  /** stat() symlinks instead of lstat(), descending into linked directories once, with loop detection (R11). */
  followSymlinks?: boolean;
  /** Called right before a directory is read (a native backend adds its watch here). */
  beforeRead?: (dir: string) => void;
  /** Unreadable subdirectories and symlink loops are reported here and skipped. */
  onWarning?: (error: VigilError) => void;
  /**
   * Called for each directory (`start` included) that was gone or no longer a
   * directory when the walk came to read it: its contents are unknown, not empty.
   */
  onGone?: (dir: string) => void;
  /** Backend name for error reports. */
  backend?: string;
  /** How many directories are read at once. */
  concurrency?: number;
}

/** The kind of entry a Stats describes. */
export function kindOfStats(st: Stats): EntryKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** An index entry from a Stats. */
export function entryFromStats(st: Stats): IndexEntry {
  return { kind: kindOfStats(st), dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

/** lstat (or stat when following links, falling back to lstat for a dangling link); undefined if gone. */
export async function statEntry(path: string, followSymlinks: boolean): Promise<Stats | undefined> {
  const fsPath = toFsPath(path);
  try {
    return followSymlinks ? await stat(fsPath) : await lstat(fsPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (followSymlinks && (code === 'ENOENT' || code === 'ELOOP')) {
      try {
        return await lstat(fsPath);
      } catch {
        return undefined;
      }
    }
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * Walks `start` and everything below it, returning each entry with its stat,
 * `start` first and parents before children. Returns [] if `start` is gone.
 * Throws only if `start` itself cannot be examined for another reason.
 */
export async function scanTree(start: string, options: ScanOptions = {}): Promise<ScanEntry[]> {
  const follow = options.followSymlinks ?? false;
  const ignore = options.ignore ?? (() => false);
  const rootStats = await statEntry(start, follow).catch((error: unknown) => {
    throw fromSystemError(error, { path: start, backend: options.backend, syscall: follow ? 'stat' : 'lstat' });
  });
  if (!rootStats) {
    options.onGone?.(start);
    return [];
  }
  const out: ScanEntry[] = [{ path: start, stat: entryFromStats(rootStats) }];
  if (!rootStats.isDirectory()) return out;

  const seenDirs = new Set<string>([`${rootStats.dev}:${rootStats.ino}`]);
  let level: string[] = [start];
  const concurrency = options.concurrency ?? 32;
  while (level.length) {
    const next: string[] = [];
    const perDir: ScanEntry[][] = new Array(level.length);
    let cursor = 0;
    const worker = async (): Promise<void> => {
      while (cursor < level.length) {
        const i = cursor++;
        const dir = level[i]!;
        perDir[i] = await readOneDirectory(dir, options, ignore, follow, seenDirs);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, level.length) }, worker));
    for (const entries of perDir) {
      for (const e of entries) {
        out.push(e);
        if (e.stat.kind === 'directory' && !(e as DescendFlag).noDescend) next.push(e.path);
      }
    }
    level = next;
  }
  for (const e of out) delete (e as DescendFlag).noDescend;
  return out;
}

type DescendFlag = ScanEntry & { noDescend?: boolean };

async function readOneDirectory(
  dir: string,
  options: ScanOptions,
  ignore: IgnorePredicate,
  follow: boolean,
  seenDirs: Set<string>,
): Promise<ScanEntry[]> {
  options.beforeRead?.(dir);
  let names: Buffer[];
  try {
    names = await readdir(toFsPath(dir) as string, { encoding: 'buffer' }) as unknown as Buffer[];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      options.onGone?.(dir);
      return [];
    }
    options.onWarning?.(fromSystemError(error, { path: dir, backend: options.backend, syscall: 'scandir' }));
    return [];
  }
  const entries: ScanEntry[] = [];
  await Promise.all(
    names.map(async (raw) => {
      const path = joinPath(dir, decodeName(raw));
      let st: Stats | undefined;
      try {
        st = await statEntry(path, follow);
      } catch (error) {
        options.onWarning?.(fromSystemError(error, { path, backend: options.backend, syscall: 'lstat' }));
        return;
      }
      if (!st) return;
      const entry: DescendFlag = { path, stat: entryFromStats(st) };
      if (ignore(path, entry.stat.kind)) return;
      if (entry.stat.kind === 'directory' && follow) {
        const id = `${st.dev}:${st.ino}`;
        if (seenDirs.has(id)) {
          entry.noDescend = true;
          options.onWarning?.(
            new VigilError(ErrorCode.SYMLINK_LOOP, `${path}: directory already watched through another path (symlink loop or duplicate link); not descending`, {
              path,
              backend: options.backend,
            }),
          );
        } else {
          seenDirs.add(id);
        }
      }
      entries.push(entry);
    }),
  );
  // readdir order is the filesystem's; sort for deterministic, reproducible output.
  entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return entries;
}
