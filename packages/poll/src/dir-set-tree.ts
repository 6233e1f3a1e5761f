/**
 * Recursion on top of the directory-set scanner: which directories are
 * tracked, which are ignored (an ignored directory is never read), and how the
 * scanner's per-directory changes become one TreeDiff for core.
 */
import type { ScanEntry, SubscribeContext, TreeDiff } from '@vigilfs/core';
import { ErrorCode, VigilError, entryFromStats, fromSystemError, isContentChange, isReplacement, joinPath, PATH_SEPARATOR, statEntry } from '@vigilfs/core';
import type { DirChanges, DirSetScanner, ScannedEntry } from './scanner/index.js';

/** Errors a network or FUSE filesystem may recover from: retry, don't report deletes. */
const TRANSIENT = new Set(['EIO', 'ESTALE', 'ENOTCONN', 'ETIMEDOUT', 'EHOSTDOWN', 'EHOSTUNREACH', 'ECONNABORTED', 'ECONNRESET', 'EAGAIN', 'ENOLINK', 'EREMOTEIO']);

/** Directories per scan call during the initial scan. */
const INITIAL_SCAN_CHUNK = 200;

/** Keeps the directory-set scanner's tracked set equal to the (non-ignored) directories of the tree. */
export class DirSetTree {
  #ctx: SubscribeContext;
  #scanner: DirSetScanner;
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

  constructor(ctx: SubscribeContext, scanner: DirSetScanner) {
    this.#ctx = ctx;
    this.#scanner = scanner;
  }

  /** Fills the index with the whole tree (during subscribe, before ready). */
  async initialScan(): Promise<void> {
    const { index, root } = this.#ctx;
    const st = await rootStat(this.#ctx);
    index.set(root, st);
    this.#track([root], [`${st.dev}:${st.ino}`]);
    // Straight into the index, listing by listing: the scanner's entries already
    // carry kind, dev, ino, size and mtime, so nothing is copied per entry and no
    // path string is made for a file (100,000 entries cost what their stats cost).
    let level = [root];
    while (level.length) {
      const next: string[] = [];
      const ids: string[] = [];
      // A level in chunks: each scan's result is digested and dropped before the
      // next, so the peak (and with it RSS) stays small on wide trees.
      for (let i = 0; i < level.length; i += INITIAL_SCAN_CHUNK) {
        for (const c of await this.#scanner.scan(level.slice(i, i + INITIAL_SCAN_CHUNK))) this.#digestInitial(c, next, ids);
      }
      this.#track(next, ids);
      level = next;
    }
  }

  /** One directory of the initial scan into the index; its subdirectories onto the next level. */
  #digestInitial(c: DirChanges, next: string[], ids: string[]): void {
    const { index, ignore } = this.#ctx;
    if (c.error) {
      if (c.error.errno === 'EACCES' || c.error.errno === 'EPERM') this.#warnUnreadable(c.dir, c.error.errno, c.error.syscall);
      return;
    }
    const keep = ignore.ignoresNothing?.() ? c.added : c.added.filter((e) => !ignore(joinPath(c.dir, e.name), e.kind));
    index.addListing(c.dir, keep.map((e) => e.name), keep);
    for (const e of keep) {
      if (e.kind !== 'directory') continue;
      const id = `${e.dev}:${e.ino}`;
      if (this.#ctx.options.followSymlinks && this.#identities.has(id)) {
        this.#loopWarning(joinPath(c.dir, e.name));
        continue;
      }
      next.push(joinPath(c.dir, e.name));
      ids.push(id);
    }
  }

  /** One poll: what changed since the previous one, as a TreeDiff (nothing applied yet). */
  async scan(): Promise<TreeDiff> {
    const diff: TreeDiff = { removed: [], added: [], modified: [] };
    const changes = await this.#scanner.scan();
    const newDirs = this.#absorb(changes, diff);
    if (newDirs.length) {
      const more = await this.#collect(newDirs);
      diff.added.push(...more.added);
      diff.removed.push(...more.removed);
      diff.modified.push(...more.modified);
    }
    return diff;
  }

  /** Tracks `dirs` and everything below them (level by level), returning all their entries as added. */
  async #collect(dirs: string[]): Promise<TreeDiff> {
    const diff: TreeDiff = { removed: [], added: [], modified: [] };
    let level = dirs;
    while (level.length) {
      const changes = await this.#scanner.scan(level);
      level = this.#absorb(changes, diff);
    }
    return diff;
  }

  /** Folds one scan's changes into `diff`; returns newly found directories (now tracked, not yet read). */
  #absorb(changes: DirChanges[], diff: TreeDiff): string[] {
    const { index, ignore } = this.#ctx;
    const newDirs: string[] = [];
    const newIds: string[] = [];
    for (const c of changes) {
      if (c.error && TRANSIENT.has(c.error.errno)) {
        if (!this.#failing.has(c.dir)) {
          this.#failing.add(c.dir);
          this.#ctx.sink.warning(
            fromSystemError({ code: c.error.errno, message: 'cannot read directory; keeping what was known and retrying' }, { path: c.dir, backend: 'poll', syscall: c.error.syscall }),
          );
        }
        continue;
      }
      if (this.#failing.delete(c.dir)) this.#recovered(c, diff);
      if (c.error) {
        this.#untrackBelow(c.dir);
        if (c.error.errno === 'EACCES' || c.error.errno === 'EPERM') this.#warnUnreadable(c.dir, c.error.errno, c.error.syscall);
      }
      for (const name of c.removed) {
        const path = joinPath(c.dir, name);
        diff.removed.push(path);
        if (index.get(path)?.kind === 'directory') this.#untrackBelow(path);
      }
      for (const e of c.added) {
        const path = joinPath(c.dir, e.name);
        const entry = toScanEntry(path, e);
        if (ignore(path, entry.stat.kind)) continue;
        // The scanner starts a directory afresh after a read error: what the index
        // already holds with the same identity is no news (a content change at most).
        const known = index.get(path);
        if (known && !isReplacement(known, entry.stat)) {
          if (isContentChange(known, entry.stat)) diff.modified.push(entry);
          if (entry.stat.kind === 'directory' && !this.#tracked.has(path)) {
            newDirs.push(path);
            newIds.push(`${e.dev}:${e.ino}`);
          }
          continue;
        }
        diff.added.push(entry);
        if (entry.stat.kind !== 'directory') continue;
        const id = `${e.dev}:${e.ino}`;
        if (this.#ctx.options.followSymlinks && this.#identities.has(id)) {
          this.#loopWarning(path);
          continue;
        }
        newDirs.push(path);
        newIds.push(id);
      }
      for (const e of c.changed) {
        if (e.kind !== 'file') continue;
        const path = joinPath(c.dir, e.name);
        if (!ignore(path, 'file')) diff.modified.push(toScanEntry(path, e));
      }
    }
    this.#track(newDirs, newIds);
    return newDirs;
  }

  /** A directory readable again after transient errors: whatever the index holds that is no longer listed is gone. */
  #recovered(c: DirChanges, diff: TreeDiff): void {
    const listed = new Set(c.added.map((e) => e.name));
    for (const name of this.#ctx.index.children(c.dir)?.keys() ?? []) {
      if (!listed.has(name) && !c.removed.includes(name)) diff.removed.push(joinPath(c.dir, name));
    }
  }

  /** An unreadable directory: one warning, not one per interval. */
  #warnUnreadable(dir: string, errno: string, syscall: string): void {
    if (this.#warned.has(dir)) return;
    this.#warned.add(dir);
    this.#ctx.sink.warning(fromSystemError({ code: errno, message: 'permission denied' }, { path: dir, backend: 'poll', syscall }));
  }

  #loopWarning(path: string): void {
    this.#ctx.sink.warning(
      new VigilError(ErrorCode.SYMLINK_LOOP, `${path}: directory already watched through another path (symlink loop or duplicate link); not descending`, {
        path,
        backend: 'poll',
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

  /** Stops tracking `dir` and every tracked directory below it. */
  #untrackBelow(dir: string): void {
    const prefix = dir + PATH_SEPARATOR;
    const gone: string[] = [];
    for (const [d, id] of this.#tracked) {
      if (d === dir || d.startsWith(prefix)) {
        gone.push(d);
        this.#identities.delete(id);
      }
    }
    for (const d of gone) this.#tracked.delete(d);
    if (gone.length) this.#scanner.untrack(gone);
  }
}

function toScanEntry(path: string, e: ScannedEntry): ScanEntry {
  return { path, stat: { kind: e.kind, dev: e.dev, ino: e.ino, size: e.size, mtimeMs: e.mtimeMs } };
}

async function rootStat(ctx: SubscribeContext) {
  const st = await statEntry(ctx.root, true);
  if (!st) throw new VigilError(ErrorCode.PATH_NOT_FOUND, `${ctx.root}: no such directory`, { path: ctx.root, backend: 'poll' });
  return entryFromStats(st);
}
