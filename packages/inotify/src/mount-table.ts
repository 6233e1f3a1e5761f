/**
 * The mount table's change signal, on Linux: the kernel makes
 * /proc/self/mountinfo pollable, with POLLPRI after every mount or unmount.
 * An inotify reader thread (with no watches) waits for it, so mounts are
 * noticed without any timer. Platform facts (@vigilfs/fsinfo) use this.
 */
import { Inotify, MOUNTS_CHANGED_WD } from './inotify.js';

/**
 * Calls `onChange` after each change of the mount table until closed. Does not
 * keep the process alive on its own. Throws a VigilError where the addon cannot load.
 */
export function watchMountTable(onChange: () => void): { close(): void } {
  const inotify = new Inotify({
    watchMountTable: true,
    persistent: false,
    onEvents: (batch) => {
      if (batch.some((r) => r.wd === MOUNTS_CHANGED_WD)) onChange();
    },
  });
  return { close: () => void inotify.close() };
}
