/**
 * Where a path lives: its mount (from /proc/self/mountinfo, which names FUSE
 * subtypes such as `fuse.sshfs`) with statfs(2) as the fallback.
 */
import { readFileSync, statfsSync } from 'node:fs';
import type { SubMount } from '@vigilfs/core';
import { STATFS_MAGIC, policyFor, type FilesystemPolicy } from './filesystems.js';

/** One line of /proc/self/mountinfo. */
export interface MountInfo {
  /** The kernel's mount id: a mount replaced at the same place gets a new one. */
  id: number;
  mountPoint: string;
  type: string;
  source: string;
}

/** Decodes mountinfo's octal escapes (`\040` for a space). */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parses /proc/self/mountinfo text (see proc(5)). */
export function parseMountInfo(text: string): MountInfo[] {
  const mounts: MountInfo[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    if (left.length < 5 || right.length < 2) continue;
    mounts.push({ id: Number(left[0]), mountPoint: unescapeMountField(left[4]!), type: right[0]!, source: unescapeMountField(right[1]!) });
  }
  return mounts;
}

/** The current mount table, or [] where there is no /proc (non-Linux). */
export function readMounts(): MountInfo[] {
  let text: string;
  try {
    text = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  // Watchers read the table at every start and on every mount-table change signal: parse only when the text changed.
  if (text !== lastMountText) {
    lastMountText = text;
    lastMounts = parseMountInfo(text);
  }
  return lastMounts;
}

let lastMountText = '';
let lastMounts: MountInfo[] = [];

/** The mount a path lives on: the longest mount point that contains it (the last one mounted wins). */
export function mountOf(path: string, mounts: readonly MountInfo[] = readMounts()): MountInfo | undefined {
  let best: MountInfo | undefined;
  for (const m of mounts) {
    const inside = m.mountPoint === '/' || path === m.mountPoint || path.startsWith(m.mountPoint.endsWith('/') ? m.mountPoint : `${m.mountPoint}/`);
    if (inside && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/** Mount points strictly below `root` (for hybrid watching). */
export function mountsBelow(root: string, mounts: readonly MountInfo[] = readMounts()): MountInfo[] {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return mounts.filter((m) => m.mountPoint.startsWith(prefix));
}

/**
 * The mounts strictly below `root`, outermost first, each with its policy.
 * Only the last mount at a mount point counts (it hides the ones beneath).
 */
export function subMounts(root: string, mounts: readonly MountInfo[] = readMounts()): SubMount[] {
  if (mounts !== lastMounts) return computeSubMounts(root, mounts);
  if (subMountsCacheFor !== mounts) {
    subMountsCache.clear();
    subMountsCacheFor = mounts;
  }
  let result = subMountsCache.get(root);
  if (!result) {
    result = computeSubMounts(root, mounts);
    subMountsCache.set(root, result);
  }
  return result;
}

/** subMounts() answers for the current table, per root (cleared when the table changes). */
const subMountsCache = new Map<string, SubMount[]>();
let subMountsCacheFor: readonly MountInfo[] | undefined;

function computeSubMounts(root: string, mounts: readonly MountInfo[]): SubMount[] {
  const below = new Map<string, MountInfo>();
  for (const m of mountsBelow(root, mounts)) below.set(m.mountPoint, m);
  return [...below.values()]
    .sort((a, b) => a.mountPoint.length - b.mountPoint.length)
    .map((m) => ({ id: m.id, mountPoint: m.mountPoint, type: m.type, remote: policyFor(m.type).watch === 'poll' }));
}

/** What vigil knows of the filesystem under `path`. */
export interface FilesystemReport extends FilesystemPolicy {
  /** The f_type magic from statfs(2), when it could be read. */
  magic?: number;
  /** The mount point holding `path`, when the mount table could be read. */
  mountPoint?: string;
  /** True where vigil polls by default (the kernel misses remote changes). */
  remote: boolean;
}

/** Describes the filesystem holding `path` (which must exist). */
export function describeFilesystem(path: string): FilesystemReport | undefined {
  let magic: number | undefined;
  try {
    magic = Number(statfsSync(path).type);
  } catch {
    magic = undefined;
  }
  const mount = mountOf(path);
  const type = mount?.type ?? (magic !== undefined ? (STATFS_MAGIC[magic] ?? `0x${magic.toString(16)}`) : undefined);
  if (type === undefined) return undefined;
  const policy = policyFor(type);
  const report: FilesystemReport = { ...policy, remote: policy.watch === 'poll' };
  if (magic !== undefined) report.magic = magic;
  if (mount) report.mountPoint = mount.mountPoint;
  return report;
}
