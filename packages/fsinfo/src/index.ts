/**
 * @vigilfs/fsinfo: which filesystem a path lives on and whether vigil must poll
 * it (network and FUSE filesystems), per platform, behind core's
 * PlatformFacts: Linux reads statfs(2) and /proc/self/mountinfo.
 */
export { FILESYSTEMS, STATFS_MAGIC, policyFor, type FilesystemPolicy } from './filesystems.js';
export { describeFilesystem, mountOf, mountsBelow, parseMountInfo, readMounts, subMounts, type FilesystemReport, type MountInfo } from './mounts.js';
export { linuxPlatform, type MountTableWatch } from './linux.js';
export { readInotifyLimits, type InotifyLimits } from './inotify-limits.js';
