/**
 * The normalizer: turns what a backend says (records, in order) into vigil's
 * events against the index, one batch at a time, on the root's queue. Here
 * are the rules every backend gets alike: move halves paired (R5), a
 * directory that appears read for what it already holds (R1), a directory
 * that leaves taking everything known inside it (R4), ignored paths left out
 * (a move whose other end is hidden becomes a create or a delete), creates
 * of what is already known dropped as duplicates, modifies of what was never
 * seen taken as creates, and symlink loops cut (R11).
 */
import { lstatSync, statSync } from 'node:fs';
import type { ScanEntry } from '../backend.js';
import { diffScan, planDiff, type PlannedEvent } from '../diff.js';
import { ErrorCode, VigilError } from '../errors.js';
import type { EntryKind, EventOrigin } from '../events.js';
import type { IgnorePredicate } from '../ignore.js';
import { PathSet } from '../path-set.js';
import { parentPath, toFsPath } from '../paths.js';
import type { IndexEntry, TreeIndex } from '../tree-index.js';
import { entryFromStats, kindOfStats } from '../walk-tree.js';
import type { InputRecord } from './looks.js';
import { MovePairing } from './move-pairing.js';

/** What the planner needs from its session. */
export interface PlannerHost {
  readonly index: TreeIndex;
  readonly ignore: IgnorePredicate;
  readonly followSymlinks: boolean;
  readonly backend: string;
  /** Where a reported path is on disk (a symlinked root resolved): what to stat. */
  onDisk(path: string): string;
  /** Applies one event to the index (and what follows it); false if it lies outside the picture. */
  apply(e: PlannedEvent): boolean;
  /** Walks a directory with stats; directories found gone are reported to {@link EventPlanner.gone}. */
  scan(start: string): Promise<ScanEntry[]>;
  warning(error: VigilError): void;
  /** Held move halves are due: queue `planner.release()` on the session's queue. */
  releaseHeld(): void;
}

type Keyed = InputRecord & { pairKey?: string };

/** The normalizer of one root (see the module doc). */
export class EventPlanner {
  readonly #host: PlannerHost;
  readonly #pairing: MovePairing<Keyed>;
  /**
   * Directories in the index whose contents are unknown: a scan came to read
   * them and they were gone (renamed or deleted right after they appeared).
   * `mkdir staging; write staging/f; mv staging published` reaches core as a
   * create and a rename, and the create's read finds nothing at `staging`:
   * when the rename moves such a directory, its new place is read (R1).
   */
  readonly #unread = new PathSet();
  /** Following symlinks: directory identity (dev:ino) → path, to spot a link back into the tree (R11). */
  readonly #dirIds = new Map<string, string>();

  constructor(host: PlannerHost, pairing: { windowMs: number; pending: () => boolean }) {
    this.#host = host;
    this.#pairing = new MovePairing(pairing.windowMs, pairing.pending, () => host.releaseHeld());
  }

  /** A scan found `dir` gone: its contents are unknown until it is read again. */
  gone(dir: string): void {
    this.#unread.add(dir);
  }

  /** A rescan of `subtree` is about to read it all again. */
  rescanning(subtree: string): void {
    this.#unread.deleteWithin(subtree);
  }

  /** Keeps side notes in step with an event applied to the index. */
  applied(e: PlannedEvent): void {
    if (e.type === 'delete') this.#unread.deleteWithin(e.path);
    else if (e.type === 'rename') this.#unread.move(e.oldPath!, e.path);
    if (this.#host.followSymlinks && e.kind === 'directory' && (e.type === 'create' || e.type === 'rename')) {
      const entry = e.stat ?? this.#host.index.get(e.path);
      // A link to a directory already known keeps the first path: #isLoop compares against it.
      if (entry?.ino && !this.#dirIds.has(`${entry.dev}:${entry.ino}`)) this.#dirIds.set(`${entry.dev}:${entry.ino}`, e.path);
    }
  }

  /** Following symlinks: remembers the directories of the initial index, for loop detection. */
  learnDirectories(): void {
    if (!this.#host.followSymlinks) return;
    const index = this.#host.index;
    for (const p of index.paths()) {
      const e = index.get(p)!;
      if (e.kind !== 'directory') continue;
      if (e.ino) this.#dirIds.set(`${e.dev}:${e.ino}`, p);
      else {
        // Indexed from a listing alone (a walk without stats, as backends without a native walk do): stat it.
        try {
          const st = statSync(toFsPath(this.#host.onDisk(p)));
          this.#dirIds.set(`${st.dev}:${st.ino}`, p);
        } catch {
          // Gone meanwhile: nothing to compare against.
        }
      }
    }
  }

  /** Forgets held halves (the session is closing). */
  clear(): void {
    this.#pairing.clear();
  }

  /**
   * What the held records will make of their paths once handled (an entry, or undefined for gone), so that
   * a look taken meanwhile compares with that rather than with the index they have not reached yet; none
   * while nothing is held.
   */
  heldEntries(): Map<string, IndexEntry | undefined> | undefined {
    if (!this.#pairing.holding) return undefined;
    const after = new Map<string, IndexEntry | undefined>();
    for (const r of this.#pairing.held) {
      if (r.type === 'moved-from' || r.type === 'delete') after.set(r.path, undefined);
      else if ((r.type === 'moved-to' || r.type === 'create' || r.type === 'modify') && r.stat) after.set(r.path, r.stat);
    }
    return after;
  }

  /** Plans a batch of records: the events to deliver, already applied to the index. */
  async plan(batch: readonly InputRecord[]): Promise<PlannedEvent[]> {
    return this.#planTurn(this.#keyed(batch), false);
  }

  /** Held halves are due: decides them (unpaired moved-froms become deletes). */
  async release(): Promise<PlannedEvent[]> {
    return this.#planTurn([], true);
  }

  /** Resolves each half's key to a string: `link:…`, or `identity:dev:ino` from the index (old half) or a stat (new half). */
  #keyed(batch: readonly InputRecord[]): Keyed[] {
    const index = this.#host.index;
    // An old half's identity is what its path holds once the records still held are handled.
    const held = this.heldEntries();
    return batch.map((r): Keyed => {
      if (r.type !== 'moved-from' && r.type !== 'moved-to') return r;
      if (r.key !== 'identity') return { ...r, pairKey: `link:${r.key.link}` };
      let entry = r.type === 'moved-from' ? (held?.has(r.path) ? held.get(r.path) : index.get(r.path)) : r.stat;
      if (r.type === 'moved-to' && !entry) {
        try {
          entry = entryFromStats(lstatSync(toFsPath(this.#host.onDisk(r.path))));
        } catch {
          entry = undefined;
        }
      }
      const withStat: Keyed = r.type === 'moved-to' && entry ? { ...r, stat: entry } : { ...r };
      if (entry?.ino) withStat.pairKey = `identity:${entry.dev}:${entry.ino}`;
      return withStat;
    });
  }

  async #planTurn(batch: Keyed[], final: boolean): Promise<PlannedEvent[]> {
    const { records, partnerAt } = this.#pairing.take(batch, final);
    const host = this.#host;
    const index = host.index;
    const out: PlannedEvent[] = [];
    const push = (e: PlannedEvent): void => {
      if (host.apply(e)) out.push(e);
    };
    /** Reports what a directory holds that the index does not know yet (R1). */
    const expand = async (path: string): Promise<void> => {
      this.#unread.delete(path);
      const scanned = await host.scan(path);
      const diff = diffScan(index, path, scanned);
      diff.removed = [];
      for (const e of planDiff(index, diff, 'rescan')) push(e);
    };
    const created = async (path: string, kind: EntryKind, origin: EventOrigin, displaces = false, stat?: ScanEntry['stat']): Promise<void> => {
      const known = index.get(path);
      if (known && known.kind === kind && !displaces) return; // already reported, e.g. by the read of its parent
      push({ type: 'create', path, kind, origin, stat });
      if (kind === 'directory' && !this.#isLoop(path)) await expand(path);
    };
    const deleted = (path: string, origin: EventOrigin): void => {
      const known = index.get(path);
      if (!known) return;
      if (known.kind === 'directory') {
        for (const p of index.descendants(path, 'post')) out.push({ type: 'delete', path: p, kind: index.get(p)!.kind, origin });
      }
      push({ type: 'delete', path, kind: known.kind, origin });
    };
    const renamed = async (oldPath: string, path: string, hint: EntryKind, origin: EventOrigin, stat?: ScanEntry['stat']): Promise<void> => {
      const known = index.get(oldPath);
      const kind = known && known.kind !== 'unknown' ? known.kind : this.#refineKind(path, hint);
      const newIgnored = host.ignore(path, kind);
      if (!known || host.ignore(oldPath, kind)) {
        // Only the new end is visible: it appeared (R5).
        if (!newIgnored) await created(path, kind, origin, true, stat);
      } else if (newIgnored || index.get(parentPath(path))?.kind !== 'directory') {
        // Only the old end is visible: it left (R5).
        deleted(oldPath, origin);
      } else if (oldPath !== path) {
        push({ type: 'rename', path, oldPath, kind, origin, stat });
        // A directory whose read found it gone was (or held) what moved here: read it now.
        for (const dir of this.#unread.within(path)) await expand(dir);
      }
    };

    /** Path -> position of the last new half arriving there (built on first use; positions do not change). */
    let arrivals: Map<string, number> | undefined;
    /** The entry `pairKey` names at `path` is gone from the index already, or a later half moves something in there. */
    const displacedAt = (i: number, path: string, pairKey: string): boolean => {
      const now = index.get(path);
      if (now?.ino && `identity:${now.dev}:${now.ino}` !== pairKey) return true;
      if (!arrivals) {
        arrivals = new Map();
        for (let k = 0; k < records.length; k++) {
          // A new half already consumed by its pair is marked 'paired': it arrived all the same.
          const type: string = records[k]!.type;
          if (type === 'moved-to' || type === 'paired') arrivals.set(records[k]!.path, k);
        }
      }
      return (arrivals.get(path) ?? -1) > i;
    };

    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const origin = r.origin ?? 'os';
      const path = r.path;
      switch (r.type) {
        case 'create': {
          const kind = r.stat?.kind ?? this.#refineKind(path, r.kind);
          if (host.ignore(path, kind)) break;
          await created(path, kind, origin, r.displaces, r.stat);
          break;
        }
        case 'modify':
        case 'close-write': {
          const known = index.get(path);
          if (host.ignore(path, known?.kind ?? 'file')) break;
          if (!known) {
            // A write to a file vigil never saw appear: it exists, so it was created.
            if (r.type === 'modify') await created(path, this.#refineKind(path, 'file'), origin);
            else break;
          }
          if (index.get(path)?.kind === 'directory') break;
          push({ type: r.type, path, kind: index.get(path)?.kind ?? 'file', origin, stat: r.type === 'modify' ? r.stat : undefined });
          break;
        }
        case 'delete':
          if (host.ignore(path, r.kind)) break;
          deleted(path, origin);
          break;
        case 'moved-from': {
          const j = partnerAt.get(i);
          if (j === undefined) {
            // Paired by identity, the old entry may have been displaced rather than moved away: something
            // moved in over it (an atomic save), reported by that half's rename or displacing create.
            if (r.pairKey?.startsWith('identity:') && displacedAt(i, path, r.pairKey)) break;
            // No partner, and none can come any more: a move out of the tree.
            if (!host.ignore(path, r.kind)) deleted(path, origin);
            break;
          }
          const to = records[j]! as Keyed & { type: 'moved-to' };
          // The partner is consumed here; mark it so its own turn does nothing.
          records[j] = { ...to, type: 'paired' } as unknown as Keyed;
          await renamed(path, to.path, to.kind !== 'unknown' ? to.kind : r.kind, origin, to.stat);
          break;
        }
        case 'moved-to': {
          // Moved in from outside the tree, possibly over an existing entry (atomic save).
          const kind = r.stat?.kind ?? this.#refineKind(path, r.kind);
          if (host.ignore(path, kind)) break;
          await created(path, kind, origin, true, r.stat);
          break;
        }
      }
    }
    return out;
  }

  /**
   * Resolves a kind the backend could not tell (inotify does not say symlink
   * or file; Windows says nothing). When following symlinks, a link to a
   * directory is a directory.
   */
  #refineKind(path: string, kind: EntryKind): EntryKind {
    const follow = this.#host.followSymlinks;
    if (kind !== 'unknown' && !(follow && kind !== 'directory')) return kind;
    try {
      const fsPath = toFsPath(this.#host.onDisk(path));
      if (follow) {
        try {
          return kindOfStats(statSync(fsPath));
        } catch {
          // A dangling link: report the link itself.
        }
      }
      return kindOfStats(lstatSync(fsPath));
    } catch {
      return kind;
    }
  }

  /** Following symlinks: true (with a SYMLINK_LOOP warning) when `path` is a directory already in the tree under another path. */
  #isLoop(path: string): boolean {
    const host = this.#host;
    if (!host.followSymlinks) return false;
    let id: string;
    try {
      const st = statSync(toFsPath(this.#host.onDisk(path)));
      id = `${st.dev}:${st.ino}`;
    } catch {
      return false;
    }
    const other = this.#dirIds.get(id);
    if (other === undefined || other === path || host.index.get(other)?.kind !== 'directory') return false;
    host.warning(
      new VigilError(ErrorCode.SYMLINK_LOOP, `${path}: leads to ${other}, already watched (symlink loop or duplicate link); not descending`, {
        path,
        backend: host.backend,
      }),
    );
    return true;
  }
}
