/**
 * @vigilfs/fsinfo: which filesystem a path lives on and whether vigil must poll
 * it (network and FUSE filesystems), per platform, behind core's
 * PlatformFacts: Linux reads statfs(2) and /proc/self/mountinfo, macOS the
 * mount table's type names, Windows the drive type and volume filesystem name.
 */
export { FILESYSTEMS, STATFS_MAGIC, policyFor, type FilesystemPolicy } from './filesystems.js';
export { describeFilesystem, mountOf, mountsBelow, parseMountInfo, readMounts, subMounts, type FilesystemReport, type MountInfo } from './mounts.js';
export { linuxPlatform, type MountTableWatch } from './linux.js';
export { DARWIN_FILESYSTEMS, darwinPlatform, darwinPolicyFor, parseDarwinMounts, type DarwinMount, type DarwinPolicy } from './darwin.js';
export { DRIVE_TYPES, win32Platform, win32PolicyFor, type VolumeInfo, type Win32Policy } from './win32.js';
export { probeCaseInsensitive } from './case-probe.js';
export { readInotifyLimits, type InotifyLimits } from './inotify-limits.js';
