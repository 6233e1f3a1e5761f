/**
 * The path rules of a platform, as data and pure functions, so that the rules
 * of every platform can be tested on any of them: POSIX (`/a/b`) and Windows
 * (`C:\a\b`, UNC `\\server\share\a`, `\\?\` long paths, drive letters, names
 * compared without regard to case where the filesystem does so).
 *
 * Core works in the running platform's policy ({@link hostPaths}); the
 * functions exported from paths.ts are that policy's.
 */
import { decodePosixName, posixFsPath, win32FsPath, type FsPathBytes } from './names.js';

/** How a platform spells and compares paths. */
export interface PathPolicy {
  /** `'posix'` or `'win32'`. */
  readonly name: 'posix' | 'win32';
  /** The separator paths are reported with. */
  readonly sep: '/' | '\\';
  /**
   * Whether names usually compare without regard to case here (NTFS and APFS
   * by default). The filesystem decides in the end: see
   * `FilesystemDescription.caseInsensitive`.
   */
  readonly caseInsensitiveByDefault: boolean;
  /** True for an absolute path (`/x`; `C:\x`, `\\server\share`, `\\?\C:\x`). */
  isAbsolute(p: string): boolean;
  /**
   * `p` made absolute against `cwd` and normalised lexically (`a/./b/../c` →
   * `a/c`, repeated separators folded, no trailing separator except on a
   * root). Windows: `/` read as `\`, the drive letter upper-cased, a `\\?\`
   * prefix removed (paths are reported without it).
   */
  resolve(cwd: string, p: string): string;
  /** The root part of an absolute path: `/`, `C:\`, `\\server\share\`. */
  rootOf(p: string): string;
  /** `dir` and one entry name. */
  join(dir: string, name: string): string;
  /** The parent directory; a root is its own parent. */
  parent(p: string): string;
  /** The last component ('' for a root). */
  base(p: string): string;
  /** True when `p` is `ancestor` or lies below it. */
  isWithin(p: string, ancestor: string, caseInsensitive?: boolean): boolean;
  /** `p` relative to `root`, with `/` separators ('' for the root itself): what ignore globs are matched against. */
  relative(root: string, p: string): string;
  /** What `fs` calls must be given for a reported path (see names.ts): exact bytes, or the string. */
  toFsPath(p: string): string | FsPathBytes;
  /** A name from the bytes the OS gave (POSIX); Windows names arrive as UTF-16 and need no decoding. */
  decodeName(bytes: Uint8Array): string;
}

function withinBy(sep: string, fold: (s: string) => string) {
  return (p: string, ancestor: string, caseInsensitive = false): boolean => {
    const a = caseInsensitive ? fold(p) : p;
    const b = caseInsensitive ? fold(ancestor) : ancestor;
    if (a === b) return true;
    return a.startsWith(b.endsWith(sep) ? b : b + sep);
  };
}

const foldCase = (s: string): string => s.toUpperCase();

/** POSIX paths: one root `/`, `/` separators, bytes decoded losslessly (surrogateescape). */
export const posixPaths: PathPolicy = {
  name: 'posix',
  sep: '/',
  caseInsensitiveByDefault: false,
  isAbsolute: (p) => p.startsWith('/'),
  resolve(cwd, p) {
    const parts: string[] = [];
    for (const part of (p.startsWith('/') ? p : `${cwd}/${p}`).split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') parts.pop();
      else parts.push(part);
    }
    return `/${parts.join('/')}`;
  },
  rootOf: () => '/',
  join: (dir, name) => (dir.endsWith('/') ? dir + name : `${dir}/${name}`),
  parent(p) {
    const i = p.lastIndexOf('/');
    return i <= 0 ? '/' : p.slice(0, i);
  },
  base: (p) => p.slice(p.lastIndexOf('/') + 1),
  isWithin: withinBy('/', foldCase),
  relative(root, p) {
    if (p === root) return '';
    return p.slice(root.endsWith('/') ? root.length : root.length + 1);
  },
  toFsPath: posixFsPath,
  decodeName: decodePosixName,
};

/** `\\?\C:\x` → `C:\x`, `\\?\UNC\srv\share` → `\\srv\share`: the form users write and see. */
function stripVerbatim(p: string): string {
  if (p.startsWith('\\\\?\\UNC\\')) return `\\\\${p.slice(8)}`;
  if (p.startsWith('\\\\?\\') || p.startsWith('\\\\.\\')) return p.slice(4);
  return p;
}

/** The root of a Windows path (`C:\`, `\\server\share\`), or '' for a relative one. */
function win32Root(p: string): string {
  const drive = /^([A-Za-z]):(?:\\|$)/.exec(p);
  if (drive) return `${drive[1]!.toUpperCase()}:\\`;
  const unc = /^\\\\([^\\]+)\\([^\\]+)(?:\\|$)/.exec(p);
  if (unc) return `\\\\${unc[1]}\\${unc[2]}\\`;
  return '';
}

/** Windows paths: drive letters, UNC shares, `\` separators, case-insensitive by default, UTF-16 names. */
export const win32Paths: PathPolicy = {
  name: 'win32',
  sep: '\\',
  caseInsensitiveByDefault: true,
  isAbsolute: (p) => win32Root(stripVerbatim(p.replace(/\//g, '\\'))) !== '',
  resolve(cwd, p) {
    let full = stripVerbatim(p.replace(/\//g, '\\'));
    if (!win32Root(full)) {
      const base = stripVerbatim(cwd.replace(/\//g, '\\'));
      // `\x` is relative to the current drive's root; `C:x` (drive-relative) is taken against cwd when on that drive.
      if (full.startsWith('\\')) full = win32Root(base).slice(0, -1) + full;
      else if (/^[A-Za-z]:/.test(full)) full = `${full.slice(0, 2)}\\${full.slice(2)}`;
      else full = `${base}\\${full}`;
    }
    const root = win32Root(full);
    const parts: string[] = [];
    for (const part of full.slice(root.length).split('\\')) {
      if (part === '' || part === '.') continue;
      if (part === '..') parts.pop();
      else parts.push(part);
    }
    return root + parts.join('\\');
  },
  rootOf: (p) => win32Root(p),
  join: (dir, name) => (dir.endsWith('\\') ? dir + name : `${dir}\\${name}`),
  parent(p) {
    const root = win32Root(p);
    if (p.length <= root.length) return p;
    const i = p.lastIndexOf('\\');
    return i < root.length ? root : p.slice(0, i);
  },
  base(p) {
    const root = win32Root(p);
    return p.length <= root.length ? '' : p.slice(p.lastIndexOf('\\') + 1);
  },
  isWithin: withinBy('\\', foldCase),
  relative(root, p) {
    if (p === root) return '';
    return p
      .slice(root.endsWith('\\') ? root.length : root.length + 1)
      .split('\\')
      .join('/');
  },
  toFsPath: win32FsPath,
  // Windows hands names over as UTF-16, which a JS string holds as is (lone surrogates included).
  decodeName: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
};

/** The policy of the platform this process runs on. */
export const hostPaths: PathPolicy = process.platform === 'win32' ? win32Paths : posixPaths;
