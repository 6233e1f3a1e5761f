/** The Linux inotify limits (`/proc/sys/fs/inotify/*`), for `vigil info` and error messages. */
import { readFileSync } from 'node:fs';

/** The three inotify sysctls; undefined where they cannot be read (not Linux). */
export interface InotifyLimits {
  maxUserWatches: number;
  maxUserInstances: number;
  maxQueuedEvents: number;
}

function readNumber(name: string): number | undefined {
  try {
    return Number(readFileSync(`/proc/sys/fs/inotify/${name}`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** Reads the current inotify limits. */
export function readInotifyLimits(): InotifyLimits | undefined {
  const maxUserWatches = readNumber('max_user_watches');
  const maxUserInstances = readNumber('max_user_instances');
  const maxQueuedEvents = readNumber('max_queued_events');
  if (maxUserWatches === undefined || maxUserInstances === undefined || maxQueuedEvents === undefined) return undefined;
  return { maxUserWatches, maxUserInstances, maxQueuedEvents };
}
