/**
 * The platform facts of macOS: filesystem types from the mount table
 * (f_fstypename, as `/sbin/mount` prints it: `//u@srv/share on /Volumes/share
 * (smbfs, nodev, …)`), the mounts below a root, and case sensitivity by probe.
 * Mount changes come from the FSEvents backend (its Mount/Unmount flags).
 * Nothing here has run on a Mac: the parsing is tested from recorded `mount`
 * output (test/darwin.test.ts).
 */
import { spawnSync } from 'node:child_process';
import type { PlatformFacts, SubMount } from '@vigilfs/core';
import { probeCaseInsensitive } from './case-probe.js';

/** What vigil does on a macOS filesystem type, and why. */
export interface DarwinPolicy {
  type: string;
  watch: 'native' | 'poll';
  reason: string;
}

const NETWORK = 'network filesystem: changes made on the server or by other clients never reach FSEvents';
const FUSE = 'FUSE filesystem: the daemon serves data FSEvents does not see change';
const LOCAL = 'local filesystem: every change is an FSEvents record';

/** macOS filesystem types by f_fstypename. Unknown types stay native; `*fuse*` types are polled. */
export const DARWIN_FILESYSTEMS: readonly DarwinPolicy[] = [
  ...['smbfs', 'nfs', 'afpfs', 'webdav', 'cifs', 'ftp'].map((type) => ({ type, watch: 'poll' as const, reason: NETWORK })),
  ...['macfuse', 'osxfuse', 'fuse', 'osxfusefs', 'fuse-t', 'nfs-fuse-t'].map((type) => ({ type, watch: 'poll' as const, reason: FUSE })),
  ...['apfs', 'hfs', 'msdos', 'exfat', 'ntfs', 'udf', 'cd9660', 'devfs', 'autofs', 'lifs'].map((type) => ({ type, watch: 'native' as const, reason: LOCAL })),
];
const BY_TYPE = new Map(DARWIN_FILESYSTEMS.map((f) => [f.type, f]));

/** The policy for a macOS filesystem type name. */
export function darwinPolicyFor(type: string): DarwinPolicy {
  return (
    BY_TYPE.get(type) ??
    (type.includes('fuse')
      ? { type, watch: 'poll', reason: FUSE }
      : { type, watch: 'native', reason: 'not a known network or FUSE filesystem: treated as local' })
  );
}

/** One line of `/sbin/mount`: where, and what type. */
export interface DarwinMount {
  source: string;
  mountPoint: string;
  type: string;
}

/** Parses `/sbin/mount` output: `<source> on <mount point> (<type>, <flags>…)`. */
export function parseDarwinMounts(text: string): DarwinMount[] {
  const out: DarwinMount[] = [];
  for (const line of text.split('\n')) {
    const m = /^(.*) on (.*) \(([^,)]+)[,)]/.exec(line);
    if (m) out.push({ source: m[1]!, mountPoint: m[2]!, type: m[3]!.trim() });
  }
  return out;
}

/** macOS's facts. `readMounts` is `/sbin/mount`'s output (replaceable for tests). */
export function darwinPlatform(readMounts: () => string = () => spawnSync('/sbin/mount', { encoding: 'utf8' }).stdout ?? ''): PlatformFacts {
  let cached: DarwinMount[] | undefined;
  const mounts = (): DarwinMount[] => (cached ??= parseDarwinMounts(readMounts()));
  const holding = (path: string): DarwinMount | undefined => {
    let best: DarwinMount | undefined;
    for (const m of mounts()) {
      const inside = m.mountPoint === '/' || path === m.mountPoint || path.startsWith(`${m.mountPoint}/`);
      if (inside && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
    }
    return best;
  };
  return {
    describeFilesystem(path) {
      const m = holding(path);
      if (!m) return undefined;
      const policy = darwinPolicyFor(m.type);
      return { type: m.type, remote: policy.watch === 'poll', reason: policy.reason, caseInsensitive: probeCaseInsensitive(path) ?? true };
    },
    subMounts(root): SubMount[] {
      cached = undefined; // asked again after a Mount/Unmount record: read the table afresh
      const prefix = root.endsWith('/') ? root : `${root}/`;
      return mounts()
        .filter((m) => m.mountPoint.startsWith(prefix))
        .sort((a, b) => a.mountPoint.length - b.mountPoint.length)
        .map((m) => ({ id: `${m.source} ${m.type}`, mountPoint: m.mountPoint, type: m.type, remote: darwinPolicyFor(m.type).watch === 'poll' }));
    },
  };
}
