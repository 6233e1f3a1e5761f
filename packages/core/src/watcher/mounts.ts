/**
 * Mounts inside a watched tree (S1's hybrid watching). A root the user named
 * is one group: a primary session, plus a polled session for each network or
 * FUSE mount below it when the primary is native, since the native backend
 * never sees other machines' changes there. The primary leaves what lies
 * below those mount points to them. Mounts come and go while watching: when
 * the mount table changes (the platform says so, or a backend that learns of
 * mounts itself), the mounts below the root are compared with what was seen
 * and what changed is re-watched.
 */
import type { PollingBackend } from '../backend.js';
import { fromSystemError, type VigilError } from '../errors.js';
import { isWithin } from '../paths.js';
import type { SubMount } from '../platform.js';
import type { RootSession } from '../session/root-session.js';
import { remoteUnseen } from './choose-backend.js';

/** One root as the user named it, with the mounts below it. */
export class RootGroup {
  readonly root: string;
  readonly requested: string;
  primary!: RootSession;
  /** Mounts below the root as last seen: mount point → mount id and its polled session, if any. */
  readonly mounts = new Map<string, { id: SubMount['id']; session?: RootSession }>();
  /** Mount points whose subtrees the primary leaves to a polled session. */
  readonly excluded = new Set<string>();

  constructor(root: string, requested: string) {
    this.root = root;
    this.requested = requested;
  }

  /** True for paths strictly below an excluded mount point. */
  isExcluded(p: string): boolean {
    for (const m of this.excluded) if (p !== m && isWithin(p, m)) return true;
    return false;
  }

  /** Whether a remote mount gets its own polled session: only under `auto`, below a native primary, outside other polled mounts. */
  pollsMount(mount: SubMount, primaryIsPoller: boolean): boolean {
    if (!mount.remote || this.requested !== 'auto' || primaryIsPoller) return false;
    for (const m of this.excluded) if (m !== mount.mountPoint && isWithin(mount.mountPoint, m)) return false;
    return true;
  }
}

/** What mount reconciliation needs from the factory. */
export interface MountHost {
  poller: PollingBackend | undefined;
  subMounts(root: string): SubMount[];
  /** Starts a polled session on a mount point below `group`'s root (and reports its entries as created). */
  startMountSession(group: RootGroup, mount: SubMount): Promise<void>;
  /** Stops a mount's polled session (reporting its entries deleted). */
  stopMountSession(session: RootSession): Promise<void>;
  warning(error: VigilError): void;
  closed(): boolean;
}

/** Re-checks a group's mounts whenever asked, one check at a time, again if asked meanwhile. */
export class MountReconciler {
  readonly #host: MountHost;
  readonly #checking = new Map<RootGroup, Promise<void>>();
  readonly #again = new Set<RootGroup>();

  constructor(host: MountHost) {
    this.#host = host;
  }

  /** The mount table may have changed: look again under `group`'s root. */
  check(group: RootGroup): void {
    if (this.#host.closed() || group.primary?.rootKind !== 'directory') return;
    if (this.#checking.has(group)) {
      this.#again.add(group);
      return;
    }
    const run = (async () => {
      do {
        this.#again.delete(group);
        try {
          await this.#reconcile(group);
        } catch (error) {
          this.#host.warning(fromSystemError(error));
        }
      } while (this.#again.has(group) && !this.#host.closed());
    })();
    this.#checking.set(group, run);
    void run.finally(() => this.#checking.delete(group));
  }

  /** A mount at `mountPoint` went away (or was replaced): hand the place back to the primary. */
  async unmounted(group: RootGroup, mountPoint: string): Promise<void> {
    const known = group.mounts.get(mountPoint);
    group.mounts.delete(mountPoint);
    if (known?.session) await this.#host.stopMountSession(known.session);
    group.excluded.delete(mountPoint);
    if (group.primary.backend !== this.#host.poller) await group.primary.remount(mountPoint);
  }

  async #reconcile(group: RootGroup): Promise<void> {
    const host = this.#host;
    const primaryIsPoller = group.primary.backend === host.poller;
    const current = new Map(host.subMounts(group.root).map((m) => [m.mountPoint, m]));
    for (const [mountPoint, known] of [...group.mounts]) {
      const now = current.get(mountPoint);
      if (!now || now.id !== known.id) await this.unmounted(group, mountPoint);
    }
    for (const m of current.values()) {
      if (group.mounts.has(m.mountPoint) || group.isExcluded(m.mountPoint)) continue;
      if (host.poller && group.pollsMount(m, primaryIsPoller)) {
        group.excluded.add(m.mountPoint);
        await group.primary.remount(m.mountPoint);
        await host.startMountSession(group, m);
      } else {
        group.mounts.set(m.mountPoint, { id: m.id });
        if (m.remote && group.requested !== 'auto' && !primaryIsPoller) host.warning(remoteUnseen(m.mountPoint, m.type, group.primary.backend.name));
        if (!primaryIsPoller) await group.primary.remount(m.mountPoint);
      }
    }
  }
}
