import { describe, expect, it } from 'vitest';
import { TreeIndex, kindOnly } from '../src/tree-index.js';

describe('TreeIndex', () => {
  const build = (): TreeIndex => {
    const index = new TreeIndex('/r');
    index.set('/r', kindOnly('directory'));
    index.set('/r/a', kindOnly('directory'));
    index.set('/r/a/b', kindOnly('directory'));
    index.set('/r/a/b/f', kindOnly('file'));
    index.set('/r/g', kindOnly('file'));
    return index;
  };
  it('lists descendants in pre and post order', () => {
    const index = build();
    expect(index.descendants('/r/a', 'pre')).toEqual(['/r/a/b', '/r/a/b/f']);
    expect(index.descendants('/r/a', 'post')).toEqual(['/r/a/b/f', '/r/a/b']);
    expect(index.size).toBe(5);
  });
  it('moves a subtree and deletes it', () => {
    const index = build();
    index.move('/r/a', '/r/z');
    expect(index.paths()).toEqual(['/r', '/r/g', '/r/z', '/r/z/b', '/r/z/b/f']);
    index.delete('/r/z');
    expect(index.paths()).toEqual(['/r', '/r/g']);
    expect(index.size).toBe(2);
  });
  it('replacing a directory by a file drops what was below it', () => {
    const index = build();
    index.set('/r/a', kindOnly('file'));
    expect(index.paths()).toEqual(['/r', '/r/a', '/r/g']);
    expect(index.size).toBe(3);
  });
  it('refuses an entry whose parent is unknown', () => {
    expect(() => build().set('/r/nope/x', kindOnly('file'))).toThrow();
  });
});

describe('TreeIndex listings recorded in bulk', () => {
  it('answers by name, moves and deletes exactly as entry-by-entry records do', () => {
    const index = new TreeIndex('/r');
    index.set('/r', kindOnly('directory'));
    index.addListing('/r', ['a', 'f'], [kindOnly('directory'), kindOnly('file')]);
    index.addListing('/r/a', ['x', 'y'], [kindOnly('file'), kindOnly('symlink')]);
    expect(index.size).toBe(5);
    expect(index.descendants('/r', 'pre')).toEqual(['/r/a', '/r/a/x', '/r/a/y', '/r/f']);
    expect(index.get('/r/a/y')?.kind).toBe('symlink');
    index.move('/r/a', '/r/b');
    expect(index.paths()).toEqual(['/r', '/r/f', '/r/b', '/r/b/x', '/r/b/y']);
    index.addListing('/r/b', ['z'], [kindOnly('file')]);
    expect(index.size).toBe(6);
    index.delete('/r/b');
    expect(index.paths()).toEqual(['/r', '/r/f']);
    expect(index.size).toBe(2);
  });
});

describe('TreeIndex listings as Listing objects', () => {
  const listing = (names: string[], kinds: Parameters<typeof kindOnly>[0][]) => {
    let decoded = 0;
    return {
      length: names.length,
      names: () => {
        decoded++;
        return names;
      },
      at: (i: number) => kindOnly(kinds[i]!),
      decoded: () => decoded,
    };
  };
  it('knows a subdirectory from its parent listing before its own listing arrives, without decoding names', () => {
    const index = new TreeIndex('/r');
    index.set('/r', kindOnly('directory'));
    const top = listing(['a', 'f'], ['directory', 'file']);
    index.addListing('/r', top);
    const a = listing(['x'], ['file']);
    index.addListing('/r/a', a);
    expect(top.decoded()).toBe(0);
    expect(a.decoded()).toBe(0);
    expect(index.size).toBe(4);
    expect(index.paths()).toEqual(['/r', '/r/a', '/r/a/x', '/r/f']);
  });
  it('treats a listed subdirectory whose listing never came as empty, and accepts entries in it', () => {
    const index = new TreeIndex('/r');
    index.set('/r', kindOnly('directory'));
    index.addListing('/r', listing(['a', 'f'], ['directory', 'file']));
    expect(index.hasDirectory('/r/a')).toBe(true);
    expect(index.hasDirectory('/r/f')).toBe(false);
    expect(index.children('/r/a')?.size).toBe(0);
    index.set('/r/a/new', kindOnly('file'));
    expect(index.paths()).toEqual(['/r', '/r/a', '/r/a/new', '/r/f']);
    expect(() => index.set('/r/f/x', kindOnly('file'))).toThrow();
    expect(() => index.addListing('/r/zz/deep', listing([], []))).toThrow();
    // A file, or a name its (decoded) parent never listed, is not a directory to list.
    expect(() => index.addListing('/r/a/new', listing([], []))).toThrow();
    expect(() => index.addListing('/r/a/nope', listing([], []))).toThrow();
    expect(() => new TreeIndex('/q').addListing('/q', listing([], []))).toThrow();
    expect(index.get('/elsewhere/x')).toBeUndefined();
  });
});
