import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DARWIN_FILESYSTEMS, FILESYSTEMS, policyFor, parseMountInfo, mountOf, subMounts, STATFS_MAGIC, describeFilesystem } from '../src/index.js';

describe('filesystem table', () => {
  it('polls network, FUSE and host-shared filesystems and keeps local ones native', () => {
    for (const t of [
      'nfs',
      'nfs4',
      'cifs',
      'smb3',
      'smbfs',
      'fuse',
      'fuse.sshfs',
      'fuse.rclone',
      'fuse.s3fs',
      'fuse.gcsfuse',
      '9p',
      'virtiofs',
      'ceph',
      'glusterfs',
      'lustre',
      'afs',
      'davfs',
      'ncpfs',
    ]) {
      expect(policyFor(t).watch, t).toBe('poll');
    }
    for (const t of ['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'tmpfs', 'overlay', 'zfs', 'f2fs', 'fuseblk']) expect(policyFor(t).watch, t).toBe('native');
    expect(policyFor('fuse.somethingnew').watch).toBe('poll');
    expect(policyFor('brandnewfs').watch).toBe('native');
  });

  it('is documented, row for row, in docs/filesystems.md (Linux and macOS tables)', () => {
    const doc = readFileSync(new URL('../../../docs/filesystems.md', import.meta.url), 'utf8');
    for (const f of [...FILESYSTEMS, ...DARWIN_FILESYSTEMS]) expect(doc, f.type).toContain(`| \`${f.type}\` | ${f.watch} | ${f.reason} |`);
  });

  it('parses mountinfo, including escaped spaces, and finds the mount holding a path', () => {
    const text = [
      '22 1 0:21 / / rw - ext4 /dev/vda rw',
      '40 22 0:39 / /mnt/my\\040share rw,relatime - cifs //server/share rw',
      '41 22 0:40 / /home/u/remote rw - fuse.sshfs u@host:/ rw',
      '42 41 0:41 / /home/u/remote/inner rw - tmpfs tmpfs rw',
    ].join('\n');
    const mounts = parseMountInfo(text);
    expect(mounts[1]).toEqual({ id: 40, mountPoint: '/mnt/my share', type: 'cifs', source: '//server/share' });
    expect(mountOf('/mnt/my share/x', mounts)?.type).toBe('cifs');
    expect(mountOf('/mnt/my sharex', mounts)?.type).toBe('ext4');
    expect(subMounts('/home/u', mounts)).toEqual([
      { id: 41, mountPoint: '/home/u/remote', type: 'fuse.sshfs', remote: true },
      { id: 42, mountPoint: '/home/u/remote/inner', type: 'tmpfs', remote: false },
    ]);
  });

  it('describes a real path on this machine', () => {
    const d = describeFilesystem(process.cwd());
    expect(d?.type).toBeTypeOf('string');
    if (process.platform === 'linux') {
      expect(d?.magic).toBeTypeOf('number');
      expect(STATFS_MAGIC[0xef53]).toBe('ext4');
      expect(describeFilesystem('/dev/shm')?.type).toBe('tmpfs');
    }
  });
});
