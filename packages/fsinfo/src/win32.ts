/**
 * The platform facts of Windows: the drive type (GetDriveTypeW) and the
 * volume's filesystem name (GetVolumeInformationW), from the rdcw addon.
 * Unlike Linux's CIFS client, Windows' SMB client hears of changes other
 * clients make: the server sends change notifications, so an SMB share to a
 * Windows server is watched natively, and a share that gives none
 * (ERROR_INVALID_FUNCTION) is polled by the rdcw backend's own fallback.
 * Nothing here has run on Windows outside Wine: the table is tested on Linux
 * (test/win32.test.ts).
 */
import type { PlatformFacts } from '@vigilfs/core';
import { probeCaseInsensitive } from './case-probe.js';

/** What GetDriveTypeW says. */
export const DRIVE_TYPES = ['unknown', 'no-root-dir', 'removable', 'fixed', 'remote', 'cdrom', 'ramdisk'] as const;

/** A volume as the rdcw addon describes it. */
export interface VolumeInfo {
  /** GetDriveTypeW: 0 unknown … 4 remote … 6 ramdisk. */
  driveType: number;
  /** GetVolumeInformationW's filesystem name: `NTFS`, `ReFS`, `FAT32`, `exFAT`, `NFS`, … */
  fsName: string;
}

/** What vigil does on a Windows volume, and why. */
export interface Win32Policy {
  watch: 'native' | 'poll';
  reason: string;
}

const SERVER_NOTIFIES = 'SMB share: the server sends change notifications for every client (a share that gives none is polled)';
const NO_NOTIFY = 'network filesystem without change notification: polled';
const LOCAL = 'local volume: every change is a ReadDirectoryChangesW record';

/** Filesystem names that, on a remote drive, never notify. */
const POLLED_REMOTE = new Set(['NFS', 'WebDAV', '9P', 'DAVFS', 'WebDavFS']);

/** The policy for a volume. */
export function win32PolicyFor(volume: VolumeInfo): Win32Policy {
  if (DRIVE_TYPES[volume.driveType] !== 'remote') return { watch: 'native', reason: LOCAL };
  if (POLLED_REMOTE.has(volume.fsName)) return { watch: 'poll', reason: NO_NOTIFY };
  return { watch: 'native', reason: SERVER_NOTIFIES };
}

/** Windows' facts. `volumeInfo` is the rdcw addon's (undefined where it cannot load: then nothing is known). */
export function win32Platform(volumeInfo: ((path: string) => VolumeInfo | undefined) | undefined): PlatformFacts {
  return {
    describeFilesystem(path) {
      const volume = volumeInfo?.(path);
      if (!volume) return undefined;
      const policy = win32PolicyFor(volume);
      const kind = DRIVE_TYPES[volume.driveType] ?? 'unknown';
      return {
        type: `${volume.fsName} (${kind})`,
        remote: policy.watch === 'poll',
        reason: policy.reason,
        caseInsensitive: probeCaseInsensitive(path) ?? true,
      };
    },
  };
}
