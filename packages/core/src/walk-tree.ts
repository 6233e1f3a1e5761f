/**
 * The portable tree walker: `fs.readdir` and `fs.lstat`, breadth-first, so
 * parents always come before children. Core uses it where a backend has no
 * walk of its own (to fill the index, for directories that appear with
 * contents (R1), and for recovery after the OS dropped events (R7)), and
 * whenever symlinks are followed, for its loop detection (R11).
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import type { EntryKind } from './events.js';
import { ErrorCode, VigilError, fromSystemError } from './errors.js';
import type { IgnorePredicate } from './ignore.js';
import type { ScanEntry, WalkOptions } from './backend.js';
import type { IndexEntry, Listing } from './tree-index.js';
import { decodeName, joinPath, toFsPath } from './paths.js';

/**
 * The part of `fs.Stats` vigil reads. Named here, not imported from `node:fs`,
 * so that core's public declarations need nothing from @types/node.
 */
export interface EntryStats {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

/** The kind of entry a Stats describes. */
export function kindOfStats(st: EntryStats): EntryKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

/** An index entry from a Stats. */
export function entryFromStats(st: EntryStats): IndexEntry {
  return { kind: kindOfStats(st), dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

/** lstat (or stat when following links, falling back to lstat for a dangling link); undefined if gone. */
export async function statEntry(path: string, followSymlinks: boolean): Promise<EntryStats | undefined> {
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

/** Options of {@link walkTree}: core's WalkOptions, plus how to walk. */
export interface TreeWalkOptions extends Partial<Omit<WalkOptions, 'stats'>> {
  /** stat() symlinks instead of lstat(), descending into linked directories once, with loop detection (R11). */
  followSymlinks?: boolean;
  /** Called right before a directory is read (a native backend adds its watch here). */
  beforeRead?: (dir: string) => void;
  /** Backend name for error reports. */
  backend?: string;
  /** How many directories are read at once. */
  concurrency?: number;
}

/** A listing over the walker's own entries. */
class EntryListing implements Listing {
  readonly length: number;
  readonly #names: string[];
  readonly #entries: IndexEntry[];

  constructor(entries: ScanEntry[], names: string[]) {
    this.length = entries.length;
    this.#names = names;
    this.#entries = entries.map((e) => e.stat);
  }

  names(): readonly string[] {
    return this.#names;
  }

  at(i: number): IndexEntry {
    return this.#entries[i]!;
  }
}

/**
 * Walks `start` and everything below it, handing each directory's listing
 * (with stats, ignored entries left out, sorted by name) to `onListing`,
 * parents before children. Resolves with `start`'s own entry, or undefined if
 * it is gone. Throws only if `start` itself cannot be examined for another
 * reason.
 */
export async function walkTree(start: string, options: TreeWalkOptions = {}): Promise<IndexEntry | undefined> {
  const follow = options.followSymlinks ?? false;
  const ignore: IgnorePredicate = options.ignore ?? (() => false);
  const rootStats = await statEntry(start, follow).catch((error: unknown) => {
    throw fromSystemError(error, { path: start, backend: options.backend, syscall: follow ? 'stat' : 'lstat' });
  });
  if (!rootStats) {
    options.onGone?.(start);
    return undefined;
  }
  const startEntry = entryFromStats(rootStats);
  if (!rootStats.isDirectory()) return startEntry;

  const seenDirs = new Set<string>([`${rootStats.dev}:${rootStats.ino}`]);
  let level: string[] = ignore.hidesBelow?.(start) ? [] : [start];
  const concurrency = options.concurrency ?? 32;
  while (level.length) {
    const next: string[] = [];
    const perDir: { dir: string; entries: ScanEntry[] | undefined; names: string[] }[] = new Array(level.length);
    let cursor = 0;
    const worker = async (): Promise<void> => {
      while (cursor < level.length) {
        const i = cursor++;
        const dir = level[i]!;
        perDir[i] = { dir, ...(await readOneDirectory(dir, options, ignore, follow, seenDirs)) };
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, level.length) }, worker));
    for (const { dir, entries, names } of perDir) {
      if (!entries) continue;
      options.onListing?.(dir, new EntryListing(entries, names));
      for (const e of entries) {
        if (e.stat.kind === 'directory' && !(e as DescendFlag).noDescend && !ignore.hidesBelow?.(e.path)) next.push(e.path);
      }
    }
    level = next;
  }
  return startEntry;
}

type DescendFlag = ScanEntry & { noDescend?: boolean };

async function readOneDirectory(
  dir: string,
  options: TreeWalkOptions,
  ignore: IgnorePredicate,
  follow: boolean,
  seenDirs: Set<string>,
): Promise<{ entries: ScanEntry[]; names: string[] } | { entries: undefined; names: [] }> {
  options.beforeRead?.(dir);
  let raw: Buffer[];
  try {
    raw = (await readdir(toFsPath(dir) as string, { encoding: 'buffer' })) as unknown as Buffer[];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') options.onGone?.(dir);
    else options.onWarning?.(fromSystemError(error, { path: dir, backend: options.backend, syscall: 'scandir' }));
    return { entries: undefined, names: [] };
  }
  const entries: (DescendFlag & { name: string })[] = [];
  await Promise.all(
    raw.map(async (bytes) => {
      const name = decodeName(bytes);
      const path = joinPath(dir, name);
      let st: EntryStats | undefined;
      try {
        st = await statEntry(path, follow);
      } catch (error) {
        options.onWarning?.(fromSystemError(error, { path, backend: options.backend, syscall: 'lstat' }));
        return;
      }
      if (!st) return;
      const entry: DescendFlag & { name: string } = { path, name, stat: entryFromStats(st) };
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
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { entries, names: entries.map((e) => e.name) };
}

/**
 * Turns a walk's listings into the flat list diffScan compares: `start`
 * first, then breadth first, each directory's entries in the order listed.
 */
export class ScanCollector {
  readonly #byDir = new Map<string, Listing>();

  /** Pass as `onListing`. */
  readonly onListing = (dir: string, listing: Listing): void => {
    this.#byDir.set(dir, listing);
  };

  /** The entries of `start` (whose own entry the walk returned) and below, parents first. */
  entries(start: string, startEntry: IndexEntry | undefined): ScanEntry[] {
    if (!startEntry) return [];
    const out: ScanEntry[] = [{ path: start, stat: startEntry }];
    let level = [start];
    while (level.length) {
      const next: string[] = [];
      for (const dir of level) {
        const listing = this.#byDir.get(dir);
        if (!listing) continue;
        const names = listing.names();
        for (let i = 0; i < listing.length; i++) {
          const path = joinPath(dir, names[i]!);
          const stat = listing.at(i);
          out.push({ path, stat });
          if (stat.kind === 'directory') next.push(path);
        }
      }
      level = next;
    }
    return out;
  }
}

/** {@link walkTree} as one flat list: `start` first with its stat, parents before children; [] when `start` is gone. */
export async function scanTree(start: string, options: TreeWalkOptions = {}): Promise<ScanEntry[]> {
  const collector = new ScanCollector();
  const startEntry = await walkTree(start, { ...options, onListing: collector.onListing });
  return collector.entries(start, startEntry);
}
