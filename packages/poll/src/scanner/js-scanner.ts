import type { Stats } from 'node:fs';
import { lstat, opendir, stat } from 'node:fs/promises';
import { decodeName, toFsPath } from '@vigil/core';
import { closedError, SerialQueue } from './serial.js';
import { ScanSyscall, type DirChanges, type DirSetScanner, type EntryKind, type ScanFailure, type ScannedEntry } from './types.js';

/** Directories read at once, and stats in flight per directory. */
const DIR_CONCURRENCY = 4;
const STAT_CONCURRENCY = 16;
const SLASH = Buffer.from('/');

interface DirRecord {
  readonly dir: string;
  readonly bytes: Buffer;
  listing: Map<string, ScannedEntry>;
  /** `errno:syscall` of the failure last reported, so it is reported once. */
  failure: string | undefined;
}

type ReadResult = { ok: true; entries: ScannedEntry[] } | { ok: false; failure: ScanFailure };

function kindOf(st: Stats): EntryKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  return 'other';
}

function failureOf(err: unknown, syscall: ScanSyscall): ScanFailure {
  const code = (err as NodeJS.ErrnoException).code;
  return { errno: typeof code === 'string' ? code : 'EIO', syscall };
}

/** Runs `fn` over `items` with at most `limit` in flight; results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
}

/**
 * The pure-JS implementation, used when the addon is not built: the same
 * semantics as the native one with fs.promises.opendir and lstat, so both
 * pass the same tests. It costs one JS object per entry per scan.
 */
export class JsDirSetScanner implements DirSetScanner {
  readonly kind = 'js' as const;
  readonly nativeUnavailableReason: string | undefined;
  #follow: boolean;
  #dirs = new Map<string, DirRecord>();
  #queue = new SerialQueue();

  constructor(options: { followSymlinks?: boolean; nativeUnavailableReason?: string } = {}) {
    this.#follow = options.followSymlinks === true;
    this.nativeUnavailableReason = options.nativeUnavailableReason;
  }

  track(dirs: readonly string[]): void {
    if (this.#queue.closed) throw closedError();
    for (const dir of dirs) {
      if (this.#dirs.has(dir)) continue;
      const fsPath = toFsPath(dir);
      const bytes = Buffer.isBuffer(fsPath) ? fsPath : Buffer.from(fsPath, 'utf8');
      this.#dirs.set(dir, { dir, bytes, listing: new Map(), failure: undefined });
    }
  }

  untrack(dirs: readonly string[]): void {
    if (this.#queue.closed) throw closedError();
    for (const dir of dirs) this.#dirs.delete(dir);
  }

  scan(dirs?: readonly string[]): Promise<DirChanges[]> {
    return this.#queue.run(async () => {
      const records = (dirs ?? [...this.#dirs.keys()]).map((d) => this.#dirs.get(d)).filter((r) => r !== undefined);
      const results = await mapLimit(records, DIR_CONCURRENCY, (r) => this.#scanOne(r));
      // A directory untracked (or untracked and tracked again) meanwhile is dropped.
      return results.filter((c, i): c is DirChanges => c !== undefined && this.#dirs.get(records[i]!.dir) === records[i]);
    });
  }

  close(): void {
    this.#queue.close();
    this.#dirs.clear();
  }

  async #scanOne(record: DirRecord): Promise<DirChanges | undefined> {
    const read = await this.#read(record.bytes);
    if (!read.ok) {
      const key = `${read.failure.errno}:${read.failure.syscall}`;
      const report = record.failure !== key;
      const removed = [...record.listing.keys()];
      record.failure = key;
      record.listing = new Map();
      return report ? { dir: record.dir, added: [], removed, changed: [], error: read.failure } : undefined;
    }
    record.failure = undefined;
    const before = record.listing;
    const after = new Map<string, ScannedEntry>();
    const changes: DirChanges = { dir: record.dir, added: [], removed: [], changed: [] };
    for (const entry of read.entries) {
      after.set(entry.name, entry);
      const old = before.get(entry.name);
      if (!old) {
        changes.added.push(entry);
      } else if (old.ino !== entry.ino || old.dev !== entry.dev || old.kind !== entry.kind) {
        changes.removed.push(entry.name);
        changes.added.push(entry);
      } else if (old.size !== entry.size || old.mtimeMs !== entry.mtimeMs) {
        changes.changed.push(entry);
      }
    }
    for (const name of before.keys()) if (!after.has(name)) changes.removed.push(name);
    record.listing = after;
    const any = changes.added.length + changes.removed.length + changes.changed.length > 0;
    return any ? changes : undefined;
  }

  async #read(dirBytes: Buffer): Promise<ReadResult> {
    const names: Buffer[] = [];
    try {
      // 'buffer' works at runtime (names as raw bytes); @types/node only lists string encodings.
      const dir = await opendir(dirBytes, { encoding: 'buffer' as BufferEncoding, bufferSize: 128 });
      try {
        for await (const dirent of dir) names.push(dirent.name as unknown as Buffer);
      } catch (err) {
        return { ok: false, failure: failureOf(err, ScanSyscall.readdir) };
      }
    } catch (err) {
      return { ok: false, failure: failureOf(err, ScanSyscall.opendir) };
    }
    const prefix = dirBytes.at(-1) === 0x2f ? dirBytes : Buffer.concat([dirBytes, SLASH]);
    let failure: ScanFailure | undefined;
    const stats = await mapLimit(names, STAT_CONCURRENCY, async (name) => {
      if (failure) return undefined;
      const full = Buffer.concat([prefix, name]);
      let st: Stats;
      try {
        st = this.#follow ? await stat(full).catch(() => lstat(full)) : await lstat(full);
      } catch (err) {
        // Deleted since readdir: it is simply gone. Anything else fails the directory.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') failure ??= failureOf(err, ScanSyscall.lstat);
        return undefined;
      }
      const entry: ScannedEntry = {
        name: decodeName(name),
        kind: kindOf(st),
        dev: st.dev,
        ino: st.ino,
        size: st.size,
        mtimeMs: st.mtimeMs,
      };
      return entry;
    });
    if (failure) return { ok: false, failure };
    return { ok: true, entries: stats.filter((e) => e !== undefined) };
  }
}
