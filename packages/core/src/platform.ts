/**
 * Platform facts behind one interface: what filesystem a path lives on,
 * whether native watching sees every change there, which mounts lie below a
 * root, and when the mount table changes. Linux reads /proc/self/mountinfo
 * and statfs, Windows the drive type and the volume's filesystem name, macOS
 * the mount table's f_fstypename; the umbrella package hands core the
 * running platform's implementation (core itself reads none of them).
 */

/** What the filesystem under a path is, as far as watching is concerned. */
export interface FilesystemDescription {
  /** Filesystem type name (`ext4`, `nfs4`, `fuse.sshfs`, `NTFS`, `apfs`, `smbfs`, …). */
  type: string;
  /** True where the kernel never hears of changes made by other machines (NFS, SMB, FUSE, 9p, …): such roots are polled (S1). */
  remote: boolean;
  /** Why, in one line (shown by `info()`). */
  reason?: string;
  /** Names compare without regard to case here (NTFS, APFS and HFS+ by default). */
  caseInsensitive?: boolean;
}

/** A mount point below a watched root. */
export interface SubMount {
  /** An id that changes when another filesystem is mounted at the same place. */
  id: number | string;
  mountPoint: string;
  type: string;
  remote: boolean;
}

/** What core needs to know about the machine it runs on. */
export interface PlatformFacts {
  /** Describes the filesystem a path lives on; undefined when unknown. */
  describeFilesystem(path: string): FilesystemDescription | undefined;
  /** The mount points strictly below a root, outermost first (hybrid watching, S1). */
  subMounts?(root: string): SubMount[];
  /**
   * Calls `onChange` whenever the mount table may have changed (Linux: POLLPRI
   * on /proc/self/mountinfo), until the returned handle is closed. A backend
   * that learns of mounts itself (FSEvents' Mount/Unmount flags) says so
   * through its sink instead.
   */
  watchMounts?(onChange: () => void): { close(): void };
}
