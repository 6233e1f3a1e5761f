/**
 * The one table of filesystem types vigil knows, and what it does on each.
 *
 * `poll` means the kernel cannot announce every change on that filesystem:
 * changes made by another machine (NFS, SMB, a FUSE daemon talking to a server,
 * a 9p/virtiofs host) never reach inotify, FSEvents or ReadDirectoryChangesW.
 * `native` means a change is a local kernel event, whoever makes it.
 */

/** What vigil does on a filesystem type, and why. */
export interface FilesystemPolicy {
  /** Filesystem type as in /proc/self/mountinfo (`fuse.sshfs` for FUSE subtypes). */
  type: string;
  /** `poll`: changes from other machines are invisible to the kernel; `native`: a local filesystem. */
  watch: 'native' | 'poll';
  /** Why, in one line (shown by `vigil info`). */
  reason: string;
}

const NETWORK = 'network filesystem: changes made on the server or by other clients never reach this kernel';
const FUSE = 'FUSE filesystem: the daemon serves data the kernel does not see change (remote storage, another view of a directory)';
const VM = 'host-shared filesystem: changes made by the host never reach this kernel';
const LOCAL = 'local filesystem: every change is a kernel event';

/** Types by name. FUSE subtypes (`fuse.*`) not listed here are polled too. */
export const FILESYSTEMS: readonly FilesystemPolicy[] = [
  ...[
    'nfs',
    'nfs4',
    'cifs',
    'smb3',
    'smbfs',
    'smb2',
    'ncpfs',
    'ncp',
    'afs',
    'coda',
    'ceph',
    'glusterfs',
    'lustre',
    'gpfs',
    'ocfs2',
    'gfs2',
    'davfs',
    'beegfs',
    'orangefs',
    'cvfs',
  ].map((type) => ({ type, watch: 'poll' as const, reason: NETWORK })),
  ...[
    'fuse',
    'fuseblk-remote',
    'fuse.sshfs',
    'fuse.rclone',
    'fuse.s3fs',
    'fuse.gcsfuse',
    'fuse.bindfs',
    'fuse.davfs2',
    'fuse.glusterfs',
    'fuse.juicefs',
    'fuse.goofys',
    'fuse.blobfuse',
    'fuse.blobfuse2',
    'fuse.mergerfs',
  ].map((type) => ({ type, watch: 'poll' as const, reason: FUSE })),
  ...['9p', 'virtiofs', 'vboxsf', 'vmhgfs', 'fuse.vmhgfs-fuse', 'prl_fs', 'drvfs', 'v9fs'].map((type) => ({ type, watch: 'poll' as const, reason: VM })),
  // fuseblk is a FUSE driver for a local block device (ntfs-3g, exfat): local changes only.
  ...[
    'ext2',
    'ext3',
    'ext4',
    'xfs',
    'btrfs',
    'tmpfs',
    'ramfs',
    'overlay',
    'zfs',
    'f2fs',
    'jfs',
    'reiserfs',
    'bcachefs',
    'vfat',
    'exfat',
    'ntfs',
    'ntfs3',
    'fuseblk',
    'hfsplus',
    'apfs',
    'udf',
    'iso9660',
    'squashfs',
    'erofs',
    'nilfs2',
    'devtmpfs',
    'aufs',
  ].map((type) => ({ type, watch: 'native' as const, reason: LOCAL })),
];

const BY_TYPE = new Map(FILESYSTEMS.map((f) => [f.type, f]));

/** The policy for a filesystem type name; unknown FUSE subtypes poll, other unknown types stay native. */
export function policyFor(type: string): FilesystemPolicy {
  const known = BY_TYPE.get(type);
  if (known) return known;
  if (type === 'fuse' || type.startsWith('fuse.') || type.startsWith('fuse3')) return { type, watch: 'poll', reason: FUSE };
  return { type, watch: 'native', reason: 'not a known network or FUSE filesystem: treated as local' };
}

/** statfs(2) f_type magic numbers → type names (Linux). */
export const STATFS_MAGIC: Readonly<Record<number, string>> = {
  0xef53: 'ext4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x01021994: 'tmpfs',
  0x858458f6: 'ramfs',
  0x794c7630: 'overlay',
  0x2fc12fc1: 'zfs',
  0xf2f52010: 'f2fs',
  0x6969: 'nfs',
  0xff534d42: 'cifs',
  0xfe534d42: 'smb3',
  0x517b: 'smbfs',
  0x65735546: 'fuse',
  0x65735543: 'fusectl',
  0x01021997: '9p',
  0x6a656a63: 'virtiofs',
  0x00c36400: 'ceph',
  0x5346414f: 'afs',
  0x564c: 'ncpfs',
  0x0bd00bd0: 'lustre',
  0x73757245: 'coda',
  0x4d44: 'vfat',
  0x2011bab0: 'exfat',
  0x5346544e: 'ntfs',
  0x73717368: 'squashfs',
  0xe0f5e1e2: 'erofs',
  0x1373: 'devtmpfs',
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0xca451a4e: 'bcachefs',
  0x786f4256: 'vboxsf',
};
