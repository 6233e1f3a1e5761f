// The path rules of every platform, tested on this one (path-policy.ts, names.ts).
import { describe, expect, it } from 'vitest';
import { posixPaths, win32Paths } from '../src/path-policy.js';
import { win32FsPath } from '../src/names.js';
import { RootMapping } from '../src/session/root-mapping.js';

describe('Windows path rules', () => {
  const w = win32Paths;
  it('resolves drive paths, UNC shares and \\\\?\\ long paths, normalised', () => {
    expect(w.resolve('C:\\work', 'src\\..\\lib\\.\\x')).toBe('C:\\work\\lib\\x');
    expect(w.resolve('C:\\work', 'd:/Data/a')).toBe('D:\\Data\\a');
    expect(w.resolve('C:\\work', '\\top')).toBe('C:\\top');
    expect(w.resolve('C:\\work', '\\\\?\\C:\\very\\long')).toBe('C:\\very\\long');
    expect(w.resolve('C:\\work', '\\\\?\\UNC\\srv\\share\\x')).toBe('\\\\srv\\share\\x');
    expect(w.resolve('C:\\', '\\\\srv\\share\\a\\..\\b\\')).toBe('\\\\srv\\share\\b');
    expect(w.resolve('C:\\work', 'C:\\')).toBe('C:\\');
  });
  it('finds parents, names and roots without leaving the volume', () => {
    expect(w.parent('C:\\a\\b')).toBe('C:\\a');
    expect(w.parent('C:\\a')).toBe('C:\\');
    expect(w.parent('C:\\')).toBe('C:\\');
    expect(w.parent('\\\\srv\\share\\a')).toBe('\\\\srv\\share\\');
    expect(w.parent('\\\\srv\\share\\')).toBe('\\\\srv\\share\\');
    expect(w.base('C:\\a\\b.txt')).toBe('b.txt');
    expect(w.base('C:\\')).toBe('');
    expect(w.rootOf('\\\\srv\\share\\a\\b')).toBe('\\\\srv\\share\\');
    expect(w.join('C:\\', 'x')).toBe('C:\\x');
    expect(w.join('C:\\a', 'x')).toBe('C:\\a\\x');
    expect(w.isAbsolute('c:\\x')).toBe(true);
    expect(w.isAbsolute('x\\y')).toBe(false);
  });
  it('compares without regard to case where the filesystem does, and relative paths use / for globs', () => {
    expect(w.isWithin('C:\\Users\\Me\\Src\\a.ts', 'c:\\users\\me', true)).toBe(true);
    expect(w.isWithin('C:\\Users\\Me\\Src\\a.ts', 'c:\\users\\me', false)).toBe(false);
    expect(w.isWithin('C:\\ab', 'C:\\a', true)).toBe(false);
    expect(w.relative('C:\\r', 'C:\\r\\a\\b.txt')).toBe('a/b.txt');
    expect(w.relative('C:\\', 'C:\\a')).toBe('a');
  });
  it('hands names with a lone surrogate to fs as WTF-8, which libuv turns back into the exact UTF-16', () => {
    expect(win32FsPath('C:\\plain\\ünï€')).toBe('C:\\plain\\ünï€');
    const lone = 'C:\\x\\a\uD800b';
    const bytes = win32FsPath(lone) as Buffer;
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect([...bytes.subarray(bytes.length - 5)]).toEqual([0x61, 0xed, 0xa0, 0x80, 0x62]);
    // A valid pair is plain UTF-8.
    expect(win32FsPath('C:\\😀')).toBe('C:\\😀');
  });
});

describe('POSIX path rules (Linux, macOS)', () => {
  const p = posixPaths;
  it('resolves and normalises lexically', () => {
    expect(p.resolve('/work', 'a/./b/../c//d/')).toBe('/work/a/c/d');
    expect(p.resolve('/work', '/x/..')).toBe('/');
    expect(p.parent('/a')).toBe('/');
    expect(p.isWithin('/a/bc', '/a/b')).toBe(false);
    expect(p.isWithin('/Users/Me/x', '/users/me', true)).toBe(true);
  });
});

describe('root mapping: events reported under the path the user gave', () => {
  it("maps macOS' /var to /private/var and back", () => {
    const m = new RootMapping('/var/folders/x', '/private/var/folders/x', 'directory');
    expect(m.watchRoot).toBe('/private/var/folders/x');
    expect(m.toUser('/private/var/folders/x/a/b')).toBe('/var/folders/x/a/b');
    expect(m.toWatch('/var/folders/x/a')).toBe('/private/var/folders/x/a');
    expect(m.toUser('/private/var/folders/x')).toBe('/var/folders/x');
  });
  it('watches a file root through its parent, and keeps its siblings apart (one may be the link itself)', () => {
    const m = new RootMapping('/home/me/link', '/data/target', 'file');
    expect(m.watchRoot).toBe('/data');
    expect(m.toUser('/data/target')).toBe('/home/me/link');
    expect(m.toUser('/data/link')).toBe('/data/link');
    expect(m.toWatch('/home/me/link')).toBe('/data/target');
    const listing = m.listing('/data', {
      length: 2,
      names: () => ['link', 'target'],
      at: (i) => ({ kind: i ? 'file' : 'symlink', dev: 1, ino: i, size: 0, mtimeMs: 0 }),
    });
    expect(listing.names()).toEqual(['link']);
    expect(listing.at(0).kind).toBe('file');
  });
});
