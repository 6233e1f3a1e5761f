/**
 * The seam between core and backends. Everything a backend needs from core
 * and everything core needs from a backend crosses here, and nothing else
 * does. packages/core/README.md says how to write a backend against it.
 *
 * A backend's job is narrow: watch one directory tree and translate what the
 * OS says into one of two inputs, both handled in order on the root's queue:
 *
 * 1. what happened ({@link BackendSink.events}): creates, deletes, modifies,
 *    close-writes and the halves of moves, each half with a key that pairs it
 *    (an OS link such as an inotify cookie, or file identity); and, from a
 *    poller, the difference between two scans ({@link BackendSink.diff});
 * 2. where to look ({@link BackendSink.changed}): "something happened at these
 *    paths (or under them)". Core stats them and compares with its index.
 *    FSEvents records, noise on Windows directories, and any record a
 *    backend cannot decode go this way.
 *
 * Core does the rest for every backend alike: pairing move halves (R5),
 * expanding directory creates and deletes (R1, R4), ignore filtering,
 * coalescing (R2), close-write emulation (R3), ordering (R6), rescans (R7),
 * single-file roots and symlinked roots (R9), the index, and polling the
 * directories a backend cannot watch (R10).
 */
import type { EntryKind } from './events.js';
import type { VigilError } from './errors.js';
import type { IndexEntry, Listing } from './tree-index.js';
import type { IgnorePredicate } from './ignore.js';
import type { ResolvedWatchOptions } from './options.js';
import type { FilesystemDescription } from './platform.js';

/** What a backend can do on one root, as data (never discovered by catching errors). */
export interface BackendCapabilities {
  /** Where rename pairs come from: an OS link (inotify cookies, RDCW old/new records), file identity (dev+inode), or nowhere. */
  renamePairing: 'os' | 'identity' | 'none';
  /** The OS reports close-after-write natively; when false, core emulates it by settling (R3). */
  closeWrite: boolean;
  /** The backend can tell core it lost events (and core then rescans, R7). */
  overflowSignal: boolean;
}

/**
 * The answer to "can you watch this root here, and how?". Never thrown: a
 * reason is data. `unexpected` marks a backend that belongs on this platform
 * but cannot run (its addon is missing or broken): `auto` then says so with a
 * warning instead of passing over it without a word.
 */
export type ProbeResult = { ok: true; capabilities: BackendCapabilities; note?: string } | { ok: false; reason: string; unexpected?: boolean };

/** How the two halves of a move find each other. */
export type MoveKey =
  /** An OS link: inotify's cookie, a counter a backend gives adjacent old/new records. Halves with the same link pair. */
  | { link: number | string }
  /** File identity: core takes the old half's from its index and the new half's from an lstat. */
  | 'identity';

/** A backend's report of what happened, in vigil's vocabulary. Paths are absolute, as the backend watches them. */
export type BackendEvent =
  /** An entry appeared. `displaces`: it was moved in over whatever stood there (an atomic save from outside the tree). */
  | { type: 'create'; path: string; kind: EntryKind; displaces?: boolean }
  /** A file's content changed. */
  | { type: 'modify'; path: string }
  /** A file opened for writing was closed. */
  | { type: 'close-write'; path: string }
  /** An entry was removed. */
  | { type: 'delete'; path: string; kind: EntryKind }
  /** The old half of a move: the entry left `path`. Held until its partner comes or nothing more can (see BackendSubscription.pending). */
  | { type: 'moved-from'; path: string; kind: EntryKind; key: MoveKey }
  /** The new half of a move: an entry arrived at `path`. Without a partner it is a create that displaces. */
  | { type: 'moved-to'; path: string; kind: EntryKind; key: MoveKey };

/** One entry found by a scan, with what a stat said about it. */
export interface ScanEntry {
  path: string;
  stat: IndexEntry;
}

/**
 * The difference between a fresh look at (part of) the tree and what was
 * there before: what a poller reports. Core pairs `removed` with `added` by
 * identity into renames (R5), expands removed directories from the index
 * (R4), orders everything (R6) and applies it.
 */
export interface TreeDiff {
  /** Paths that were in the index and are gone (or were replaced by another entry). */
  removed: string[];
  /** Entries that are new at their path (or replaced what was there), parents before children. */
  added: ScanEntry[];
  /** Files whose identity is unchanged but whose size or mtime changed. */
  modified: ScanEntry[];
  /** Entries whose stat is now known and whose content did not change: recorded without an event. */
  learned?: ScanEntry[];
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

/** What `changed()` is told about its paths. */
export interface ChangedOptions {
  /** Look at everything below the paths too (a directory whose contents changed in ways the OS did not detail). */
  recursive?: boolean;
  /**
   * The paths are halves of moves whose other halves may come in a later call
   * (FSEvents' `Renamed`): a path found gone is held for its partner, paired
   * by identity, instead of reported deleted at once.
   */
  moved?: boolean;
  /**
   * The backend reports every entry that appears or goes with records of its
   * own (ReadDirectoryChangesW's ADDED, REMOVED and RENAMED): the look only
   * tells a content change from a metadata change or noise, so it reports a
   * `modify` or nothing. A path found gone or replaced is left to those
   * records: the look sees the disk as it is when core gets to it, which can
   * be after a rename whose records are still on their way, and reporting
   * what it found would split that rename into a delete and a create.
   */
  contentOnly?: boolean;
}

/** Where a backend sends what it sees. Methods may be called at any time until `close()` resolves; all are ordered by core. */
export interface BackendSink {
  /** What happened, in the order it happened. */
  events(batch: readonly BackendEvent[]): void;
  /** Something happened at these paths: core looks, compares with its index, and reports what changed (origin `os`). */
  changed(paths: readonly string[], options?: ChangedOptions): void;
  /** A poller's comparison of two scans (origin `rescan`). */
  diff(diff: TreeDiff): void;
  /**
   * The backend lost events for `subtree` (or cannot trust its view of it): core
   * rescans it, reports the differences as `rescan` events, and for `overflow`
   * emits one OVERFLOW warning. Resolves when the differences were delivered.
   */
  rescan(subtree: string, reason: 'overflow' | 'unknown', options?: RescanOptions): Promise<void>;
  /**
   * The backend cannot watch `dir` (the OS's watch limit, a share without change
   * notification): core polls it and everything below it, with one warning
   * carrying `error` (R10), or, where the user asked to fail on a watch limit,
   * ends the root with it.
   */
  unwatchable(dir: string, error: VigilError): void;
  /** Something went wrong that does not end the watcher (an unreadable subdirectory). */
  warning(error: VigilError): void;
  /**
   * The root was deleted or moved away: core reports the deletes and ends this root with ROOT_REMOVED (R9).
   * `found: 'scan'` when a scan found it gone (a poller), not an OS record: the deletes then have origin `rescan`.
   */
  rootRemoved(found?: 'event' | 'scan'): void;
  /** An error that ends this root. */
  fatal(error: VigilError): void;
  /** Something was mounted or unmounted (the backend can tell, as FSEvents can): core looks at the mounts under the root again. */
  mountsChanged(): void;
}

/** What core asks of a walk (see BackendSubscription.walk). */
export interface WalkOptions {
  /** Entries to leave out; ignored directories are not descended into, and no directory `ignore.hidesBelow` is listed. */
  ignore: IgnorePredicate;
  /** Entries must carry dev, ino, size and mtime (a rescan compares identities); otherwise their kind is enough. */
  stats: boolean;
  /** Each directory's listing, ignored entries left out, parents before children. */
  onListing(dir: string, listing: Listing): void;
  /** Unreadable subdirectories and the like. */
  onWarning(error: VigilError): void;
  /** A directory (`start` included) that was gone when the walk came to it: its contents are unknown, not empty. */
  onGone(dir: string): void;
}

/** Everything a backend gets when asked to watch a directory tree. */
export interface SubscribeContext {
  /** The directory to watch: absolute, symlinks resolved (core reports under the path the user gave). */
  root: string;
  /** False when only the root's own entries matter (a single-file root, depth 0): watch no subdirectory. */
  recursive: boolean;
  /** True for paths to leave out. An ignored directory must never be descended into or watched. */
  ignore: IgnorePredicate;
  /** The resolved options (pollInterval, followSymlinks, persistent, …). */
  options: ResolvedWatchOptions;
  /** What this backend's probe answered for this root. */
  capabilities: BackendCapabilities;
  /** What the platform says about the root's filesystem, when known. */
  filesystem?: FilesystemDescription;
  /** Where to send what the OS says. */
  sink: BackendSink;
  /**
   * What core's index holds at a path, and the names it holds in a directory
   * (read only, and possibly a little behind what is queued). Only a poller
   * needs these: when it reads a directory afresh (after a read error, or one
   * core has read meanwhile), they tell it what is news. A backend that hears
   * from the OS says what happened and lets core compare.
   */
  known(path: string): IndexEntry | undefined;
  knownNames(dir: string): Iterable<string>;
}

/** What `subscribe()` returns: the backend's handle on one root. */
export interface BackendSubscription {
  /**
   * A fast walk of `start` (a native one, off the JS thread), watching each
   * directory before listing it, so nothing created in between is missed
   * (R1). Core fills its index with it when watching starts and uses it for
   * rescans and for directories that appear with contents; without it core
   * walks with `fs` and calls {@link prepareDirectory} first. It must follow
   * symlinks, with loop detection, when `options.followSymlinks` says so
   * (core's walkTree does, for a walker that cannot). Resolves with
   * `start`'s own entry (with its stat when `stats`; a file's entry, with
   * nothing listed, when `start` is no directory), or undefined when `start`
   * is gone.
   */
  walk?(start: string, options: WalkOptions): Promise<IndexEntry | undefined>;
  /**
   * Core is about to read a directory it learned of: add its watch first.
   * Failures are the backend's to report (unwatchable, warning).
   */
  prepareDirectory?(dir: string): void;
  /** A directory left the tree (or a mount replaced it): drop its watches. */
  forgetDirectory?(dir: string): void;
  /**
   * True while records may still be on their way from the OS (read but not
   * delivered, or queued in the kernel): core keeps an unpaired move half
   * waiting while this is true.
   */
  pending?(): boolean;
  /**
   * How long (ms) an unpaired `moved-from` waits for its partner once nothing
   * is pending. Default 20: the kernel queues the two halves back to back, so
   * only a read boundary falls between them. FSEvents delivers halves up to
   * one latency period apart.
   */
  readonly moveWindowMs?: number;
  /** Short facts for `info()` (for example "2221 inotify watches"). */
  describe?(): string;
  /** Releases every OS resource. Once it resolves, no sink method may be called. */
  close(): Promise<void>;
}

/** A watching mechanism (inotify, rdcw, fsevents, poll). Listed explicitly in the umbrella package. */
export interface Backend {
  /** The mechanism's name, one spelling everywhere: 'inotify', 'rdcw', 'fsevents', 'poll'. */
  readonly name: string;
  /** Whether (and how) this backend can watch `root` here; never throws. */
  probe(root: string, filesystem?: FilesystemDescription): Promise<ProbeResult>;
  /** Starts watching. Resolves once the OS is watching (core then walks the tree to fill its index, R8). */
  subscribe(ctx: SubscribeContext): Promise<BackendSubscription>;
}

/**
 * The polling machinery, lent to core: it polls whole roots (the poll backend)
 * and the directories another backend cannot watch (R10).
 */
export interface DirectoryPoller {
  /** Starts polling `dir` and everything below it. Entries the index already holds are not news; files modified since `since` are. */
  add(dir: string, since: number): void;
  /** Stops polling `dir` and everything below it. */
  remove(dir: string): void;
  /** A polled directory was renamed (the index moved it): follow it. */
  move(from: string, to: string): void;
  /** Number of directories polled. */
  readonly size: number;
  /** Short facts for `info()`. */
  describe(): string;
  close(): Promise<void>;
}

/** What core gives a {@link DirectoryPoller}. */
export interface DirectoryPollerContext {
  /** What core knows at a path (read only; the poller reports differences, core applies them). */
  known(path: string): IndexEntry | undefined;
  /** The names core knows in a directory. */
  knownNames(dir: string): Iterable<string>;
  ignore: IgnorePredicate;
  options: ResolvedWatchOptions;
  /** A scan's differences, for core's queue. */
  onDiff(diff: TreeDiff): void;
  onWarning(error: VigilError): void;
  /** Backend name for errors. */
  backend: string;
}

/** A backend that can also lend core its polling: the explicit fallback poller of the environment. */
export interface PollingBackend extends Backend {
  createDirectoryPoller(ctx: DirectoryPollerContext): DirectoryPoller;
}
