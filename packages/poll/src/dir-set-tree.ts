/**
 * Recursion on top of the directory-set scanner: which directories are
 * tracked, which are ignored (an ignored directory is never read), and how the
 * scanner's per-directory changes become one TreeDiff for core.
 */
import type { IgnorePredicate, IndexEntry, Listing, ScanEntry, TreeDiff, VigilError } from '@vigilfs/core';
import { ErrorCode, VigilError as Vigil, entryFromStats, fromSystemError, isContentChange, isReplacement, joinPath, isWithin, statEntry } from '@vigilfs/core';
import type { DirChanges, DirSetScanner, ScannedEntry } from './scanner/index.js';

/** Errors a network or FUSE filesystem may recover from: retry, don't report deletes. */
const TRANSIENT = new Set([
  'EIO',
  'ESTALE',
  'ENOTCONN',
  'ETIMEDOUT',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'ECONNRESET',
  'EAGAIN',
  'ENOLINK',
  'EREMOTEIO',
]);

/** Directories per scan call while a subtree is read for the first time. */
const FIRST_READ_CHUNK = 200;

/** What the tree needs to know of what core knows, and where to say things. */
export interface TreeHost {
  /** What core's index holds at a path (read only). */
  known(path: string): IndexEntry | undefined;
  /** The names core's index holds in a directory. */
  knownNames(dir: string): Iterable<string>;
  ignore: IgnorePredicate;
  followSymlinks: boolean;
  warning(error: VigilError): void;
  backend: string;
}

/** A scanner's directory listing handed to core as it is: entries already carry kind, dev, ino, size and mtime. */
class ScannedListing implements Listing {
  readonly length: number;
  readonly #entries: readonly ScannedEntry[];
  #names: string[] | undefined;

  constructor(entries: readonly ScannedEntry[]) {
    this.#entries = entries;
    this.length = entries.length;
  }

  names(): readonly string[] {
    return (this.#names ??= this.#entries.map((e) => e.name));
  }

  at(i: number): IndexEntry {
    return this.#entries[i]!;
  }
}

/** Keeps the directory-set scanner's tracked set equal to the (non-ignored) directories of the polled subtrees. */
export class DirSetTree {
  readonly #host: TreeHost;
  readonly #scanner: DirSetScanner;
  /** Tracked directory → its dev:ino (for loop detection when following symlinks). */
  #tracked = new Map<string, string>();
  #identities = new Set<string>();
  /** Directories already warned about (EACCES), so a warning is given once, not once per interval. */
  #warned = new Set<string>();
  /**
   * Directories whose last read failed with an error that may pass (EIO,
   * ESTALE, ENOTCONN … on a sick network mount): their entries are kept, not
   * reported deleted, and compared afresh with the index once readable again.
   */
  #failing = new Set<string>();

  constructor(host: TreeHost, scanner: DirSetScanner) {
    this.#host = host;
    this.#scanner = scanner;
  }

  /** Number of tracked directories. */
  get size(): number {
    return this.#tracked.size;
  }

  /** True when `dir` (or an ancestor) is tracked. */
  covers(dir: string): boolean {
    for (const d of this.#tracked.keys()) if (isWithin(dir, d)) return true;
    return false;
  }

  /**
   * Reads `start` and everything below it for the first time, handing each
   * listing to `onListing` (parents first) without reporting anything: the
   * index starts from what is there. Resolves with `start`'s entry, or
   * undefined when it is gone.
   */
  async walk(start: string, onListing: (dir: string, listing: Listing) => void, onGone: (dir: string) => void): Promise<IndexEntry | undefined> {
    const st = await statEntry(start, true);
    if (!st) {
      onGone(start);
      return undefined;
    }
    const entry = entryFromStats(st);
    if (!st.isDirectory()) return entry;
    this.#track([start], [`${st.dev}:${st.ino}`]);
    let level = [start];
    while (level.length) {
      const next: string[] = [];
      const ids: string[] = [];
      // A level in chunks: each scan's result is digested and dropped before the
      // next, so the peak (and with it RSS) stays small on wide trees.
      for (let i = 0; i < level.length; i += FIRST_READ_CHUNK) {
        for (const c of await this.#scanner.scan(level.slice(i, i + FIRST_READ_CHUNK))) {
          if (c.error) {
            if (c.error.errno === 'ENOENT' || c.error.errno === 'ENOTDIR') onGone(c.dir);
            else if (c.error.errno === 'EACCES' || c.error.errno === 'EPERM') this.#warnUnreadable(c.dir, c.error.errno, c.error.syscall);
            continue;
          }
          const keep = this.#visible(c.dir, c.added);
          onListing(c.dir, new ScannedListing(keep));
          this.#subdirectories(c.dir, keep, next, ids);
        }
      }
      this.#track(next, ids);
      level = next;
    }
    return entry;
  }

  /**
   * Starts polling `dir` and everything below it, which core's index already
   * holds (from a listing of another backend): returns what differs now.
   * Entries whose stat core never had are recorded (`learned`), and reported
   * as modified when their mtime is at or after `since`.
   */
  async add(dir: string, since: number): Promise<TreeDiff> {
    const diff: TreeDiff = { removed: [], added: [], modified: [], learned: [] };
    if (this.covers(dir)) return diff;
    const st = await statEntry(dir, this.#host.followSymlinks).catch(() => undefined);
    if (!st?.isDirectory()) return diff;
    this.#track([dir], [`${st.dev}:${st.ino}`]);
    let level = [dir];
    while (level.length) {
      const next: string[] = [];
      for (let i = 0; i < level.length; i += FIRST_READ_CHUNK) {
        const changes = await this.#scanner.scan(level.slice(i, i + FIRST_READ_CHUNK));
        next.push(...this.#absorb(changes, diff, since));
        for (const c of changes) if (!c.error) this.#recovered(c, diff);
      }
      level = next;
    }
    return diff;
  }

  /** One poll: what changed since the previous one, as a TreeDiff (nothing applied yet). */
  async scan(): Promise<TreeDiff> {
    const diff: TreeDiff = { removed: [], added: [], modified: [] };
    const changes = await this.#scanner.scan();
    let level = this.#absorb(changes, diff);
    // Directories found by this scan are read at once, level by level.
    while (level.length) level = this.#absorb(await this.#scanner.scan(level), diff);
    return diff;
  }

  /** Stops tracking `dir` and every tracked directory below it. */
  remove(dir: string): void {
    const gone: string[] = [];
    for (const [d, id] of this.#tracked) {
      if (!isWithin(d, dir)) continue;
      gone.push(d);
      this.#identities.delete(id);
    }
    for (const d of gone) this.#tracked.delete(d);
    if (gone.length) this.#scanner.untrack(gone);
  }

  /** A tracked subtree was renamed: track it under its new name (its listings are read afresh and compared with the index). */
  move(from: string, to: string): void {
    const moved: [string, string][] = [];
    for (const [d, id] of this.#tracked) if (isWithin(d, from)) moved.push([to + d.slice(from.length), id]);
    if (!moved.length) return;
    this.remove(from);
    this.#track(
      moved.map(([d]) => d),
      moved.map(([, id]) => id),
    );
  }

  /** Entries not ignored. */
  #visible(dir: string, entries: ScannedEntry[]): ScannedEntry[] {
    const ignore = this.#host.ignore;
    if (ignore.ignoresNothing?.()) return entries;
    return entries.filter((e) => !ignore(joinPath(dir, e.name), e.kind));
  }

  /** The subdirectories among `entries` to read next, with loop detection when following symlinks. */
  #subdirectories(dir: string, entries: ScannedEntry[], next: string[], ids: string[]): void {
    for (const e of entries) {
      if (e.kind !== 'directory') continue;
      const path = joinPath(dir, e.name);
      if (this.#host.ignore.hidesBelow?.(path)) continue;
      const id = `${e.dev}:${e.ino}`;
      if (this.#host.followSymlinks && this.#identities.has(id)) {
        this.#loopWarning(path);
        continue;
      }
      next.push(path);
      ids.push(id);
    }
  }

  /**
   * Folds one scan's changes into `diff`; returns newly found directories (now
   * tracked, not yet read). With `since`, this is a first read of directories
   * core knows from elsewhere (see {@link add}).
   */
  #absorb(changes: DirChanges[], diff: TreeDiff, since?: number): string[] {
    const host = this.#host;
    const newDirs: string[] = [];
    const newIds: string[] = [];
    for (const c of changes) {
      if (c.error && TRANSIENT.has(c.error.errno)) {
        if (!this.#failing.has(c.dir)) {
          this.#failing.add(c.dir);
          host.warning(
            fromSystemError(
              { code: c.error.errno, message: 'cannot read directory; keeping what was known and retrying' },
              { path: c.dir, backend: host.backend, syscall: c.error.syscall },
            ),
          );
        }
        continue;
      }
      if (this.#failing.delete(c.dir)) this.#recovered(c, diff);
      if (c.error) {
        this.remove(c.dir);
        if (c.error.errno === 'EACCES' || c.error.errno === 'EPERM') this.#warnUnreadable(c.dir, c.error.errno, c.error.syscall);
      }
      for (const name of c.removed) {
        const path = joinPath(c.dir, name);
        diff.removed.push(path);
        if (host.known(path)?.kind === 'directory') this.remove(path);
      }
      for (const e of this.#visible(c.dir, c.added)) {
        const path = joinPath(c.dir, e.name);
        const entry = toScanEntry(path, e);
        // A directory read afresh (first read, after a read error, after a move):
        // what the index already holds with the same identity is no news (a content change at most).
        const known = host.known(path);
        if (known && !isReplacement(known, entry.stat)) {
          if (known.ino === 0) {
            // Known from a listing alone: record the stat; whether it changed can only be judged by its age.
            (diff.learned ??= []).push(entry);
            if (entry.stat.kind === 'file' && since !== undefined && entry.stat.mtimeMs >= since) diff.modified.push(entry);
          } else if (isContentChange(known, entry.stat)) diff.modified.push(entry);
          if (entry.stat.kind === 'directory' && !this.#tracked.has(path)) this.#subdirectories(c.dir, [e], newDirs, newIds);
          continue;
        }
        diff.added.push(entry);
        if (entry.stat.kind === 'directory') this.#subdirectories(c.dir, [e], newDirs, newIds);
      }
      for (const e of c.changed) {
        if (e.kind !== 'file') continue;
        const path = joinPath(c.dir, e.name);
        if (!host.ignore(path, 'file')) diff.modified.push(toScanEntry(path, e));
      }
    }
    this.#track(newDirs, newIds);
    return newDirs;
  }

  /** A directory read afresh: whatever the index holds that is no longer listed is gone. */
  #recovered(c: DirChanges, diff: TreeDiff): void {
    const listed = new Set(c.added.map((e) => e.name));
    for (const name of this.#host.knownNames(c.dir)) {
      if (!listed.has(name) && !c.removed.includes(name)) diff.removed.push(joinPath(c.dir, name));
    }
  }

  /** An unreadable directory: one warning, not one per interval. */
  #warnUnreadable(dir: string, errno: string, syscall: string): void {
    if (this.#warned.has(dir)) return;
    this.#warned.add(dir);
    this.#host.warning(fromSystemError({ code: errno, message: 'permission denied' }, { path: dir, backend: this.#host.backend, syscall }));
  }

  #loopWarning(path: string): void {
    this.#host.warning(
      new Vigil(ErrorCode.SYMLINK_LOOP, `${path}: directory already watched through another path (symlink loop or duplicate link); not descending`, {
        path,
        backend: this.#host.backend,
      }),
    );
  }

  #track(dirs: string[], ids: string[]): void {
    if (!dirs.length) return;
    dirs.forEach((d, i) => {
      this.#tracked.set(d, ids[i]!);
      this.#identities.add(ids[i]!);
      this.#warned.delete(d);
    });
    this.#scanner.track(dirs);
  }
}

function toScanEntry(path: string, e: ScannedEntry): ScanEntry {
  return { path, stat: { kind: e.kind, dev: e.dev, ino: e.ino, size: e.size, mtimeMs: e.mtimeMs } };
}
