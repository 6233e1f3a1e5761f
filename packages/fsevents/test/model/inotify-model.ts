/**
 * A model of FSEvents driven by real changes: a {@link RecordSource} that
 * turns the Linux inotify stream of a tree into the `(path, flags, id)`
 * records FSEvents would deliver through the `fsevents` package, by the
 * documented rules. It lets the whole conformance suite run against the
 * fsevents backend's decoding on Linux. It is a model, not FSEvents: the rules,
 * their sources and every known difference from macOS are in MODEL.md beside
 * this file.
 *
 * Rules (MODEL.md numbers them M1–M9):
 * - M1 one stream per root, recursive, no exclusions: every directory under
 *   the root is watched (inotify needs a watch per directory; FSEvents does not).
 * - M2 flags of one path accumulate (OR) within a latency window; the window
 *   opens with the first record and closes `latencyMs` later (the package's
 *   fixed 0.1 s, no `NoDefer`); then every path's record is delivered in one
 *   callback, ordered by the id of its first change in the window.
 * - M3 a rename is two records, each with `Renamed` and the item's kind, no
 *   cookie; a move in or out of the tree has only its inside half.
 * - M4 `ItemIsFile` / `ItemIsDir` / `ItemIsSymlink` on every item record.
 * - M5 ids increase; a path keeps the id of its first change in the window.
 * - M6 a path created earlier keeps `Created` on later records until it is
 *   removed or renamed (notify-rs/notify#900: a later record repeats Created).
 * - M7 a directory created in the tree reports `Created` for what is found in
 *   it when it is first watched (FSEvents logs those creates itself; inotify
 *   cannot, its watch comes later); a directory moved in reports only itself.
 * - M8 the root itself removed or moved away: `RootChanged` on the root, id 0.
 * - M9 `IN_Q_OVERFLOW` becomes `MustScanSubDirs|KernelDropped` on the root;
 *   {@link ModelSource.dropEvents} injects `MustScanSubDirs|UserDropped` for a subtree.
 */
import fs from 'node:fs';
import { joinPath } from '@vigilfs/core';
import { IN, Inotify, type InotifyEvent, watchTree } from '@vigilfs/inotify';
import { F, type FseventsRecord, type RecordSource } from '../../src/index.js';

/** The package's fixed latency (fsevents/fsevents src/fsevents.cc: 0.1 s). */
export const FSEVENTS_LATENCY_MS = 100;

const MASK =
  IN.IN_CREATE |
  IN.IN_DELETE |
  IN.IN_MODIFY |
  IN.IN_ATTRIB |
  IN.IN_MOVED_FROM |
  IN.IN_MOVED_TO |
  IN.IN_DELETE_SELF |
  IN.IN_MOVE_SELF |
  IN.IN_ONLYDIR |
  IN.IN_DONT_FOLLOW;

export interface ModelOptions {
  /** The latency window (M2); default {@link FSEVENTS_LATENCY_MS}. Tests use a smaller one. */
  latencyMs?: number;
  /** Keep `Created` on later records of a created path (M6); default true. */
  repeatCreated?: boolean;
  /** Every delivered batch, for tests and for the replay corpus's "recorded by the model" notes. */
  onBatch?: (records: FseventsRecord[]) => void;
}

/** A model source, with the hooks tests use. */
export interface ModelSource extends RecordSource {
  /** Injects `MustScanSubDirs|UserDropped` for `dir` (M9), and drops what is accumulated under it, as a real drop loses it. */
  dropEvents(dir: string): void;
}

function kindFlag(path: string, isDir: boolean): number {
  if (isDir) return F.ItemIsDir;
  const st = fs.lstatSync(path, { throwIfNoEntry: false });
  if (st?.isSymbolicLink()) return F.ItemIsSymlink;
  if (st?.isDirectory()) return F.ItemIsDir;
  return F.ItemIsFile;
}

/** An inotify-driven model of one FSEvents stream (see the module doc). */
export function inotifyModelSource(options: ModelOptions = {}): ModelSource {
  const latency = options.latencyMs ?? FSEVENTS_LATENCY_MS;
  const repeatCreated = options.repeatCreated ?? true;
  let inotify: Inotify | undefined;
  let root = '';
  let deliver: (records: FseventsRecord[]) => void = () => {};
  let nextId = 1_000_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  /** Path → the record accumulating in the open window (M2). */
  let window = new Map<string, FseventsRecord>();
  /** Paths created and not removed since (M6). */
  const created = new Set<string>();
  /** Directory walks under way (their records may still come). */
  let walking = 0;

  const add = (path: string, flags: number, id?: number): void => {
    if (stopped) return;
    if (flags & F.MustScanSubDirs) {
      // A drop is a record of its own, never merged with the item flags of the same path.
      window.set(`\0${path}`, { path, flags, id: id ?? ++nextId });
      timer ??= setTimeout(flush, latency);
      return;
    }
    if (repeatCreated) {
      if (flags & F.ItemCreated) created.add(path);
      else if (created.has(path)) flags |= F.ItemCreated;
      if (flags & (F.ItemRemoved | F.ItemRenamed)) created.delete(path);
    }
    const open = window.get(path);
    if (open) open.flags |= flags;
    else window.set(path, { path, flags, id: id ?? ++nextId });
    timer ??= setTimeout(flush, latency);
  };

  const flush = (): void => {
    timer = undefined;
    if (stopped || window.size === 0) return;
    const records = [...window.values()].sort((a, b) => a.id - b.id);
    window = new Map();
    options.onBatch?.(records);
    deliver(records);
  };

  /** Watches `dirs` and everything below; with `report`, records `Created` for what is found (M7). */
  const watch = async (dirs: string[], report: boolean): Promise<void> => {
    const ino = inotify;
    if (!ino) return;
    walking++;
    try {
      await watchTree(ino, dirs, MASK, {
        onDirectory(result) {
          if (!report || stopped) return;
          for (const entry of result.entries) {
            const p = joinPath(result.path, entry.name);
            const kind = entry.kind === 'directory' ? F.ItemIsDir : entry.kind === 'symlink' ? F.ItemIsSymlink : F.ItemIsFile;
            add(p, F.ItemCreated | kind);
          }
        },
      });
    } catch {
      // Closed meanwhile.
    } finally {
      walking--;
    }
  };

  const onEvents = (events: InotifyEvent[]): void => {
    if (stopped) return;
    for (const e of events) {
      const m = e.mask;
      if (m & IN.IN_Q_OVERFLOW) {
        add(root, F.MustScanSubDirs | F.KernelDropped);
        continue;
      }
      if (m & IN.IN_IGNORED || e.path === undefined) continue;
      const isDir = (m & IN.IN_ISDIR) !== 0;
      if (e.name === '') {
        // Events on a watched directory itself: only the root's matter (M8); subdirectories are reported by their parent.
        if (e.path === root && m & (IN.IN_DELETE_SELF | IN.IN_MOVE_SELF)) {
          flush();
          deliver([{ path: root, flags: F.RootChanged, id: 0 }]);
        }
        continue;
      }
      const p = e.path;
      if (m & IN.IN_CREATE) {
        add(p, F.ItemCreated | kindFlag(p, isDir));
        if (isDir) void watch([p], true);
      }
      if (m & IN.IN_MOVED_TO) {
        add(p, F.ItemRenamed | kindFlag(p, isDir));
        if (isDir) void watch([p], false);
      }
      if (m & IN.IN_MOVED_FROM) add(p, F.ItemRenamed | (isDir ? F.ItemIsDir : F.ItemIsFile));
      if (m & IN.IN_DELETE) add(p, F.ItemRemoved | (isDir ? F.ItemIsDir : F.ItemIsFile));
      if (m & IN.IN_MODIFY) add(p, F.ItemModified | F.ItemIsFile);
      if (m & IN.IN_ATTRIB) add(p, F.ItemInodeMetaMod | kindFlag(p, isDir));
    }
  };

  return {
    async start(r, onRecords) {
      root = r;
      deliver = onRecords;
      inotify = new Inotify({ onEvents, persistent: false });
      await watch([root], false);
    },
    pending: () => window.size > 0 || walking > 0 || (inotify?.pendingBytes() ?? 0) > 0,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inotify?.close();
    },
    describe: () => `FSEvents model over inotify (latency ${latency} ms; ${inotify?.watchCount ?? 0} inotify watches)`,
    dropEvents(dir) {
      for (const p of [...window.keys()]) if (p === dir || p.startsWith(`${dir}/`)) window.delete(p);
      add(dir, F.MustScanSubDirs | F.UserDropped);
    },
  };
}

/**
 * The latency the conformance run uses: smaller than the package's 0.1 s so the suite stays fast; the rules
 * are the same. `VIGIL_FSEVENTS_MODEL_LATENCY=100` runs it at the package's own.
 */
export const MODEL_TEST_LATENCY_MS = Number(process.env.VIGIL_FSEVENTS_MODEL_LATENCY) || 30;

/**
 * Conformance scenarios the fsevents decoding fed by this model is known to
 * fail, by id, each with its reason (see MODEL.md). They run as expected
 * failures: one that starts passing fails the run.
 */
export const FSEVENTS_MODEL_EXPECTED_FAILURES: Readonly<Record<string, string>> = {
  'symlink/follow-dir-existing':
    'the fsevents backend runs one FSEvents stream per root and none for a followed link to a directory outside the tree, so changes made there are not seen (true on macOS too: a stream reports real paths under its root only)',
};
