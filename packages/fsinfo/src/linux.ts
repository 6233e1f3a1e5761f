/**
 * The platform facts of Linux: filesystem types from /proc/self/mountinfo
 * (which names FUSE subtypes) with statfs(2) as the fallback, the mounts below
 * a root, and mount-table changes as a signal (POLLPRI on
 * /proc/self/mountinfo, read by a native thread: no timer while idle).
 */
import type { PlatformFacts } from '@vigilfs/core';
import { probeCaseInsensitive } from './case-probe.js';
import { describeFilesystem, subMounts } from './mounts.js';

/** A source of "the mount table changed" signals (the inotify binding's POLLPRI reader). */
export type MountTableWatch = (onChange: () => void) => { close(): void };

/** Linux's facts; `watchMounts` is the native mount-table signal, when available. */
export function linuxPlatform(watchMounts?: MountTableWatch): PlatformFacts {
  return {
    describeFilesystem(path) {
      const report = describeFilesystem(path);
      return report && { type: report.type, remote: report.remote, reason: report.reason, caseInsensitive: probeCaseInsensitive(path) ?? false };
    },
    subMounts: (root) => subMounts(root),
    watchMounts,
  };
}
