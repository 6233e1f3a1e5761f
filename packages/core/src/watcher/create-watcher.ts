/**
 * watch(): checks the arguments (options.ts), examines and merges the roots
 * (roots.ts), picks a backend per root (choose-backend.ts), starts a session
 * per root and one per network/FUSE mount inside it (mounts.ts), and resolves
 * once every root is fully watched (R8). The list of backends and the
 * platform's facts are handed in by the umbrella package, so core stays free
 * of any OS.
 */
import type { PollingBackend } from '../backend.js';
import { ErrorCode, VigilError, fromSystemError } from '../errors.js';
import type { EntryKind } from '../events.js';
import { createIgnorePredicate, type IgnorePredicate } from '../ignore.js';
import { resolvePaths, resolveWatchOptions, type ResolvedWatchOptions, type WatchOptions } from '../options.js';
import { isWithin, parentPath } from '../paths.js';
import type { FilesystemDescription, PlatformFacts, SubMount } from '../platform.js';
import { RootMapping } from '../session/root-mapping.js';
import { RootSession } from '../session/root-session.js';
import { chooseBackend, type BackendRegistry } from './choose-backend.js';
import { MountReconciler, RootGroup } from './mounts.js';
import { examineRoot, mergeRoots, type ExaminedRoot } from './roots.js';
import { Watcher, controlOf, type WatcherControl } from './watcher.js';

/** What the factory needs from the umbrella package. */
export interface WatcherEnvironment extends BackendRegistry {
  /** The running platform's facts (filesystems, mounts). */
  platform?: PlatformFacts;
}

/**
 * Watches `paths` (one or many; directories recursively, files by name) and
 * resolves once every root is fully watched (R8).
 */
export async function createWatcher(env: WatcherEnvironment, paths: string | readonly string[], options: WatchOptions = {}): Promise<Watcher> {
  const resolved = resolveWatchOptions(options);
  const list = resolvePaths(paths, resolved.cwd);
  const starter = new RootStarter(env, resolved);
  try {
    await starter.add(list);
  } catch (error) {
    await starter.watcher.close();
    throw fromSystemError(error);
  }
  starter.control.manage({
    add: async (more) => starter.add(resolvePaths(more, resolved.cwd)),
    remove: async (gone) => starter.remove(resolvePaths(gone, resolved.cwd)),
  });
  starter.control.started();
  return starter.watcher;
}

/** Starts roots for one watcher: at watch() time, and later through `add()`. */
class RootStarter {
  readonly watcher = new Watcher();
  readonly control: WatcherControl;
  readonly #env: WatcherEnvironment;
  readonly #options: ResolvedWatchOptions;
  readonly #groups: RootGroup[] = [];
  /** Every root named so far (watched or covered), in order. */
  #examined: ExaminedRoot[] = [];
  readonly #filesystems = new Map<string, FilesystemDescription | undefined>();
  readonly #mounts: MountReconciler;
  #mountWatch: { close(): void } | undefined;

  constructor(env: WatcherEnvironment, options: ResolvedWatchOptions) {
    this.#env = env;
    this.#options = options;
    this.control = controlOf(this.watcher);
    this.#mounts = new MountReconciler({
      poller: env.poller,
      subMounts: (root) => env.platform?.subMounts?.(root) ?? [],
      startMountSession: (group, mount) => this.#startMountSession(group, mount, true),
      stopMountSession: async (session) => {
        this.control.removeRoot(session);
        await session.retire();
      },
      warning: (error) => this.control.warning(error),
      closed: () => this.watcher.closed,
    });
    this.watcher.once('close', () => this.#mountWatch?.close());
  }

  /** Examines `roots` (absolute) and watches them along with those already named (see roots.ts for how overlaps merge). */
  async add(roots: readonly string[]): Promise<void> {
    const examined = [...this.#examined];
    for (const r of roots) if (!examined.some((e) => e.root === r)) examined.push(await examineRoot(r));
    await this.#watchRoots(examined);
  }

  /** Stops watching `roots` (as named); what they covered is watched on its own again. */
  async remove(roots: readonly string[]): Promise<void> {
    for (const r of roots) {
      if (!this.#examined.some((e) => e.root === r)) {
        throw new VigilError(
          ErrorCode.INVALID_ARGUMENT,
          `${r} is not a root of this watcher (remove() takes paths given to watch() or add(); use ignore to leave out part of a tree)`,
          { path: r },
        );
      }
    }
    await this.#watchRoots(this.#examined.filter((e) => !roots.includes(e.root)));
  }

  /** Makes the watched roots those of `examined`, merged: stops what is no longer watched, starts what is new. */
  async #watchRoots(examined: ExaminedRoot[]): Promise<void> {
    const filesystemOf = (r: ExaminedRoot): FilesystemDescription | undefined => {
      if (!this.#filesystems.has(r.real)) this.#filesystems.set(r.real, this.#env.platform?.describeFilesystem(r.real));
      return this.#filesystems.get(r.real);
    };
    const { watched, covered } = mergeRoots(
      examined,
      (outer) => this.#userIgnore(outer.root, filesystemOf(outer)),
      (r) => filesystemOf(r)?.caseInsensitive ?? false,
    );
    for (const group of [...this.#groups]) if (!watched.some((w) => w.root === group.root)) await this.#stopGroup(group);
    for (const e of this.#examined) if (!examined.includes(e) || covered.some((c) => c.root === e)) this.control.removeRootNamed(e.root);
    this.#examined = examined;
    for (const r of watched) if (!this.#groups.some((g) => g.root === r.root)) await this.#startRoot(r, filesystemOf(r));
    for (const c of covered) {
      this.control.addRoot(
        undefined,
        { root: c.root.root, kind: c.root.kind, backend: '', reason: `covered by ${c.by.root}`, rejected: [], coveredBy: c.by.root },
        false,
      );
    }
  }

  async #stopGroup(group: RootGroup): Promise<void> {
    this.#groups.splice(this.#groups.indexOf(group), 1);
    for (const { session } of group.mounts.values()) if (session) this.control.removeRoot(session);
    this.control.removeRoot(group.primary);
    await Promise.all([group.primary.close(), ...[...group.mounts.values()].map((m) => m.session?.close())]);
  }

  /** The user's ignore rules and depth for a directory root, on its filesystem. */
  #userIgnore(root: string, filesystem: FilesystemDescription | undefined): IgnorePredicate {
    return createIgnorePredicate(root, this.#options.ignore, { depth: this.#options.depth, caseInsensitive: filesystem?.caseInsensitive });
  }

  async #startRoot(r: ExaminedRoot, filesystem: FilesystemDescription | undefined): Promise<void> {
    const env = this.#env;
    const control = this.control;
    const choice = await chooseBackend(env, r.real, this.#options, filesystem);
    const group = new RootGroup(r.root, this.#options.backend);
    const mounts = r.kind === 'directory' ? (env.platform?.subMounts?.(r.real) ?? []) : [];
    const primaryIsPoller = choice.backend === env.poller;
    for (const m of mounts) {
      if (env.poller && group.pollsMount(m, primaryIsPoller)) group.excluded.add(m.mountPoint);
      else group.mounts.set(m.mountPoint, { id: m.id });
    }
    for (const w of choice.warnings) control.warning(w);
    const userIgnore = r.kind === 'file' ? fileRootIgnore(r.root) : this.#userIgnore(r.root, filesystem);
    // Mounts below a directory root come and go: what the primary leaves to a polled session is looked up live.
    const ignore: IgnorePredicate =
      r.kind === 'file'
        ? userIgnore
        : Object.assign((q: string, k?: EntryKind) => userIgnore(q, k) || group.isExcluded(q), {
            ignoresNothing: () => (userIgnore.ignoresNothing?.() ?? false) && group.excluded.size === 0,
            hidesBelow: (dir: string) => (userIgnore.hidesBelow?.(dir) ?? false) || group.excluded.has(dir) || group.isExcluded(dir),
          });
    const session: RootSession = await RootSession.start({
      backend: choice.backend,
      capabilities: choice.capabilities,
      mapping: new RootMapping(r.root, r.real, r.kind),
      rootEntry: r.entry,
      filesystem,
      options: this.#options,
      ignore,
      poller: env.poller,
      output: {
        events: (batch) => control.batch(batch),
        warning: (error) => control.warning(error),
        ended: (error) => control.rootEnded(session, error),
        mountsChanged: () => this.#mounts.check(group),
      },
    });
    group.primary = session;
    this.#groups.push(group);
    control.addRoot(
      session,
      {
        root: r.root,
        kind: r.kind,
        backend: choice.backend.name,
        reason: choice.reason,
        capabilities: choice.capabilities,
        filesystem,
        rejected: choice.rejected,
      },
      true,
    );
    for (const m of mounts) {
      if (group.excluded.has(m.mountPoint)) await this.#startMountSession(group, m, false);
      else if (m.remote && this.#options.backend !== 'auto' && !primaryIsPoller) {
        control.warning(
          new VigilError(
            ErrorCode.REMOTE_CHANGES_UNSEEN,
            `${m.mountPoint} is on ${m.type}: the forced ${choice.backend.name} backend will not see changes made by other machines`,
            { path: m.mountPoint, backend: choice.backend.name },
          ),
        );
      }
    }
    if (r.kind === 'directory') {
      // Off the way to ready: the mount-table signal starts on the next turn, then the mounts
      // are compared once, which also catches a mount made while the tree was being walked.
      setImmediate(() => {
        this.#watchMountTable();
        this.#mounts.check(group);
      });
    }
  }

  /** Platform mount-table signals reach every directory group. */
  #watchMountTable(): void {
    if (this.#mountWatch || !this.#env.platform?.watchMounts) return;
    this.#mountWatch = this.#env.platform.watchMounts(() => {
      for (const g of this.#groups) this.#mounts.check(g);
    });
  }

  async #startMountSession(group: RootGroup, mount: SubMount, announce: boolean): Promise<void> {
    const poller = this.#env.poller as PollingBackend;
    const probe = await poller.probe(mount.mountPoint);
    if (!probe.ok) throw new VigilError(ErrorCode.BACKEND_UNAVAILABLE, probe.reason, { path: mount.mountPoint, backend: poller.name });
    const examined = await examineRoot(mount.mountPoint);
    const options = { ...this.#options, pollInterval: this.#options.remotePollInterval };
    const session = await RootSession.start({
      backend: poller,
      capabilities: probe.capabilities,
      mapping: new RootMapping(mount.mountPoint, examined.real, 'directory'),
      rootEntry: examined.entry,
      filesystem: { type: mount.type, remote: true },
      options: { ...options, initial: false },
      ignore: this.#userIgnore(group.root, undefined),
      poller,
      isMount: true,
      output: {
        events: (batch) => this.control.batch(batch),
        warning: (error) => this.control.warning(error),
        // The mount went away under the poller: hand the place back to the primary.
        ended: () => void this.#mounts.unmounted(group, mount.mountPoint),
      },
    });
    group.mounts.set(mount.mountPoint, { id: mount.id, session });
    this.control.addRoot(
      session,
      {
        root: mount.mountPoint,
        kind: 'directory',
        backend: poller.name,
        reason: `${mount.type} mount inside ${group.root}: a network/FUSE filesystem, polled every ${options.pollInterval} ms because ${group.primary.backend.name} does not see changes made by other machines`,
        capabilities: probe.capabilities,
        filesystem: { type: mount.type, remote: true },
        rejected: [],
      },
      false,
    );
    if (announce) await session.announce();
  }
}

/** A single-file root watches its parent directory for that one name (R9). */
function fileRootIgnore(file: string): IgnorePredicate {
  const parent = parentPath(file);
  return Object.assign((p: string) => p !== file && p !== parent && !isWithin(file, p), {
    ignoresNothing: () => false,
    hidesBelow: (dir: string) => dir !== parent,
  });
}
