/**
 * Whether a filesystem compares names without regard to case, found by
 * looking: the same entry reached under a name with its case toggled (same
 * dev and inode) means it does. NTFS and APFS do by default; a case-sensitive
 * APFS volume, or a directory with Windows' per-directory case sensitivity
 * turned on, does not. Two lstat calls, no file created.
 */
import { lstatSync } from 'node:fs';

/** True or false when the path says; undefined when it has no letter to toggle (then the platform's default applies). */
export function probeCaseInsensitive(path: string): boolean | undefined {
  // The last component with a letter whose case can change.
  const parts = path.split(/([/\\])/);
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i]!;
    const toggled = [...part].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
    if (toggled === part) continue;
    try {
      const a = lstatSync(parts.join(''), { bigint: true });
      const b = lstatSync([...parts.slice(0, i), toggled, ...parts.slice(i + 1)].join(''), { bigint: true });
      return a.dev === b.dev && a.ino === b.ino;
    } catch {
      return false;
    }
  }
  return undefined;
}
