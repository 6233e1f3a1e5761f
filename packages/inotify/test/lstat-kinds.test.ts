import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { toFsPath } from '@vigilfs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { lstatKinds } from '../src/index.js';
import { makeTempDir } from './helpers.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('lstatKinds', () => {
  it('tells every kind apart in one call, names with a newline and invalid UTF-8 included, and unknown for what is gone', () => {
    const { dir, cleanup } = makeTempDir();
    cleanups.push(cleanup);
    writeFileSync(path.join(dir, 'file'), 'x');
    mkdirSync(path.join(dir, 'dir'));
    symlinkSync('file', path.join(dir, 'link'));
    symlinkSync('nowhere', path.join(dir, 'dangling'));
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    writeFileSync(path.join(dir, 'line\nbreak'), '');
    // Byte 0xff is not UTF-8: vigil names it U+DCFF, and toFsPath turns it back into the byte.
    const invalid = `${dir}/bad\udcff`;
    writeFileSync(toFsPath(invalid), '');
    const paths = ['file', 'dir', 'link', 'dangling', 'fifo', 'line\nbreak', 'missing'].map((n) => path.join(dir, n));
    expect(lstatKinds([...paths, invalid])).toEqual(['file', 'directory', 'symlink', 'symlink', 'other', 'file', 'unknown', 'file']);
    expect(lstatKinds(paths.slice(0, 3))).toEqual(['file', 'directory', 'symlink']);
    expect(lstatKinds([])).toEqual([]);
  });
});
