// macOS and Windows platform facts, from recorded inputs (they cannot run here), and the case probe, for real.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { darwinPlatform, parseDarwinMounts, probeCaseInsensitive, win32PolicyFor } from '../src/index.js';

// `/sbin/mount` on macOS 14 with an SMB share, an NFS export, a macFUSE (sshfs) mount and an external disk.
const MACOS_MOUNT = `/dev/disk3s1s1 on / (apfs, sealed, local, read-only, journaled)
devfs on /dev (devfs, local, nobrowse)
/dev/disk3s5 on /System/Volumes/Data (apfs, local, journaled, nobrowse, protect, root data)
map auto_home on /System/Volumes/Data/home (autofs, automounted, nobrowse)
//me@nas.local/share on /Volumes/share (smbfs, nodev, nosuid, mounted by me)
nas.local:/export on /Users/me/work/nfs (nfs, nodev, nosuid, mounted by me)
me@host:/srv on /Users/me/work/remote (macfuse, nodev, nosuid, synchronous, mounted by me)
/dev/disk4s1 on /Volumes/My Disk (exfat, local, nodev, nosuid, noowners, mounted by me)
`;

describe('macOS facts (recorded mount table)', () => {
  it('parses the mount table, names with spaces included', () => {
    const mounts = parseDarwinMounts(MACOS_MOUNT);
    expect(mounts).toHaveLength(8);
    expect(mounts[7]).toEqual({ source: '/dev/disk4s1', mountPoint: '/Volumes/My Disk', type: 'exfat' });
  });
  it('polls smbfs, nfs and macFUSE; APFS and exFAT stay native; mounts below a root are found', () => {
    const p = darwinPlatform(() => MACOS_MOUNT);
    expect(p.describeFilesystem('/Volumes/share/docs')).toMatchObject({ type: 'smbfs', remote: true });
    expect(p.describeFilesystem('/Users/me/work/nfs/x')).toMatchObject({ type: 'nfs', remote: true });
    expect(p.describeFilesystem('/Volumes/My Disk/x')).toMatchObject({ type: 'exfat', remote: false });
    expect(p.describeFilesystem('/private/var/folders/x')).toMatchObject({ type: 'apfs', remote: false });
    expect(p.subMounts!('/Users/me/work').map((m) => [m.mountPoint, m.type, m.remote])).toEqual([
      ['/Users/me/work/nfs', 'nfs', true],
      ['/Users/me/work/remote', 'macfuse', true],
    ]);
  });
});

describe('Windows facts (what GetDriveTypeW and GetVolumeInformationW would say)', () => {
  it('watches local volumes and SMB shares natively (the server notifies), polls NFS, WebDAV and WSL shares', () => {
    expect(win32PolicyFor({ driveType: 3, fsName: 'NTFS' }).watch).toBe('native');
    expect(win32PolicyFor({ driveType: 2, fsName: 'exFAT' }).watch).toBe('native');
    expect(win32PolicyFor({ driveType: 4, fsName: 'NTFS' }).watch).toBe('native');
    for (const fsName of ['NFS', 'WebDAV', '9P']) expect(win32PolicyFor({ driveType: 4, fsName }).watch, fsName).toBe('poll');
  });
});

describe('case probe', () => {
  it('says a Linux filesystem tells case apart, and has no say for a path without letters', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-CaseProbe-'));
    try {
      expect(probeCaseInsensitive(dir)).toBe(false);
      expect(probeCaseInsensitive('/')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
