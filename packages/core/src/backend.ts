/**
 * The seam between core and backends. Everything a backend needs from core and
 * everything core needs from a backend crosses here, and nothing else does.
 *
 * A backend's job is narrow: watch one root, report what the OS says in vigil's
 * vocabulary ({@link RawEvent}), or report a scan comparison ({@link TreeDiff}).
 * Core does the rest for every backend alike: ignore filtering, pairing renames
 * by identity, expanding directory creates and deletes, coalescing, close-write
 * emulation, ordering, and keeping the index that overflow recovery diffs against.
 */
import type { EntryKind, EventOrigin, EventType } from './events.js';
import type { VigilError } from './errors.js';
import type { IndexEntry, TreeIndex } from './tree-index.js';
import type { IgnorePredicate } from './ignore.js';

/** What a backend can do, as data (never discovered by catching errors). */
export interface BackendCapabilities {
  /** Where rename pairs come from: an OS link (inotify cookies), file identity (dev+inode), or nowhere. */
  renamePairing: 'os' | 'identity' | 'none';
  /** The OS reports close-after-write natively; when false, core emulates it by settling (R3). */
  closeWrite: boolean;
  /** The backend sees changes made by other machines on network and FUSE filesystems (only polling does). */
  seesRemoteChanges: boolean;
  /** The backend can tell core it lost events (and core then rescans, R7). */
  overflowSignal: boolean;
}

/** The answer to "can you watch this root here?". Never thrown: a reason is data. */
export type ProbeResult = { ok: true } | { ok: false; reason: string };

/** A change as a backend reports it, in vigil's vocabulary. */
export interface RawEvent {
  type: EventType;
  /** Absolute path (the new path for a rename). */
  path: string;
  /** Rename only: the old path. */
  oldPath?: string;
  kind: EntryKind;
  /** Defaults to 'os'. */
  origin?: EventOrigin;
  /**
   * Create only: the entry was moved in over whatever stood at the path (an
   * atomic save from outside the tree). Core reports it even when it already
   * knows the path; without this flag a create of a known path of the same
   * kind is taken as a duplicate (a scan and the OS both reporting it).
   */
  displaces?: boolean;
}

/** One entry found by a scan, with what a stat said about it. */
export interface ScanEntry {
  path: string;
  stat: IndexEntry;
}

/**
 * The difference between a fresh look at (part of) the tree and the index.
 * Core pairs `removed` with `added` by identity into renames (R5), expands
 * removed directories from the index (R4), orders everything (R6) and applies it.
 */
export interface TreeDiff {
  /** Paths that were in the index and are gone (or were replaced by another entry). */
  removed: string[];
  /** Entries that are new at their path (or replaced what was there), parents before children. */
  added: ScanEntry[];
  /** Files whose identity is unchanged but whose size or mtime changed. */
  modified: ScanEntry[];
}

/** How a rescan judges files whose stat vigil never recorded (backends that index from listings alone). */
export interface RescanOptions {
  /**
   * Epoch ms since when vigil may have missed events: a file whose stat vigil
   * did not know is reported as modified if its mtime is at or after this.
   * Without it such files only have their stat recorded.
   */
  since?: number;
}

/** Where a backend sends what it sees. Methods may be called at any time until `close()` resolves. */
export interface BackendSink {
  /** OS events for this root, in the order they happened. */
  events(batch: readonly RawEvent[]): void;
  /** The result of comparing a scan with the index (polling). */
  diff(diff: TreeDiff, origin: EventOrigin): void;
  /**
   * The backend lost events for `subtree` (or cannot trust its view of it): core
   * rescans it, reports the differences as `rescan` events, and for `overflow`
   * emits one OVERFLOW warning. Resolves when the differences were delivered.
   */
  rescan(subtree: string, reason: 'overflow' | 'unknown', options?: RescanOptions): Promise<void>;
  /** Something went wrong that does not end the watcher (an unreadable subdirectory, a watch limit). */
  warning(error: VigilError): void;
  /**
   * The root was deleted or moved away: core reports the deletes (marked with
   * `origin`, default 'os') and ends this root with ROOT_REMOVED (R9).
   */
  rootRemoved(origin?: EventOrigin): void;
  /** An error that ends this root. */
  fatal(error: VigilError): void;
  /**
   * The mount table changed (a backend that can tell, like inotify, says so):
   * core looks again for mounts inside this root and re-watches what changed.
   */
  mountsChanged(): void;
}

/** Everything a backend gets when asked to watch a root. */
export interface SubscribeContext {
  /** Absolute path of the root, symlinks not resolved. */
  root: string;
  /** A directory tree, or a single file watched by name (R9). */
  rootKind: 'directory' | 'file';
  /**
   * The index core keeps for this root. A backend fills it during `subscribe()`
   * (with {@link scanTree} or its own walk) and must not change it afterwards:
   * core applies every event to it.
   */
  index: TreeIndex;
  /** True for paths the user asked to ignore. An ignored directory must never be descended into. */
  ignore: IgnorePredicate;
  /** Resolved options (see WatchOptions). */
  options: ResolvedWatchOptions;
  /** Where to send events. */
  sink: BackendSink;
}

/** What core passes to {@link BackendSubscription.scan}. */
export interface BackendScanOptions {
  /** Entries to leave out (and directories not to descend into). */
  ignore: IgnorePredicate;
  /** Unreadable subdirectories and the like. */
  onWarning: (error: VigilError) => void;
  /** A directory (`start` included) that was gone when the walk came to it: its contents are unknown (see scanTree). */
  onGone: (dir: string) => void;
}

/** What `subscribe()` returns; the backend's handle on one root. */
export interface BackendSubscription {
  /**
   * Called by core right before it reads a directory it learned of from an
   * event or a rescan, so that a native backend can add its watch first and
   * nothing created in between is missed (R1). Failures are the backend's to
   * report as warnings.
   */
  prepareDirectory?(path: string): void;
  /**
   * A faster scanTree for this backend (a native walk, say), used by core for
   * rescans and for directories that appear with contents, unless symlinks
   * are followed. It must return what scanTree would (`start` first with its
   * stat, parents before children, each directory's entries sorted by path,
   * ignored entries left out and not descended into, [] when `start` is
   * gone), and prepare each directory before reading it as prepareDirectory
   * does. Unreadable subdirectories go to `onWarning`.
   */
  scan?(start: string, options: BackendScanOptions): Promise<ScanEntry[]>;
  /** Called by core after a directory left the tree, so the backend can drop its watch. */
  forgetDirectory?(path: string): void;
  /** Short human-readable facts for `info()` (for example "2221 inotify watches"). */
  describe?(): string;
  /** Releases every OS resource. Once it resolves, no sink method may be called. */
  close(): Promise<void>;
}

/** A watching mechanism (inotify, poll, …). Registered explicitly in the umbrella package. */
export interface Backend {
  /** The mechanism's name, one spelling everywhere: 'inotify', 'poll', 'fsevents', 'rdcw'. */
  readonly name: string;
  readonly capabilities: BackendCapabilities;
  /** Whether this backend can watch `root` on this machine; never throws. */
  probe(root: string): Promise<ProbeResult>;
  /** Start watching. Resolves once the whole root is watched and `ctx.index` is complete (R8). */
  subscribe(ctx: SubscribeContext): Promise<BackendSubscription>;
}

/** WatchOptions with every default filled in; what backends see. */
export interface ResolvedWatchOptions {
  /** Milliseconds between two scans for polled roots. */
  pollInterval: number;
  /** Quiet period for emulated close-write, or false to emulate none. */
  settle: number | false;
  /** Follow symlinks (with loop detection) instead of reporting them as entries (R11). */
  followSymlinks: boolean;
  /** What a native backend does when the OS watch limit is reached: poll the rest, or fail. */
  onWatchLimit: 'poll' | 'error';
}
