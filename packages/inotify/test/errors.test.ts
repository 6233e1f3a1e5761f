import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VigilError } from '@vigilfs/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IN, Inotify, inotifyError } from '../src/index.js';
import { makeTempDir } from './helpers.js';

let tmp: { dir: string; cleanup: () => void };
let ino: Inotify;

beforeEach(() => {
  tmp = makeTempDir();
  ino = new Inotify();
});

afterEach(async () => {
  await ino.close();
  tmp.cleanup();
});

function caught(fn: () => unknown): VigilError {
  try {
    fn();
  } catch (error) {
    expect(VigilError.isVigilError(error)).toBe(true);
    return error as VigilError;
  }
  throw new Error('expected a VigilError');
}

describe('addWatch errors are typed VigilErrors', () => {
  it('ENOENT → PATH_NOT_FOUND', () => {
    const missing = path.join(tmp.dir, 'missing');
    const e = caught(() => ino.addWatch(missing, IN.IN_CREATE));
    expect(e).toMatchObject({ code: 'PATH_NOT_FOUND', errno: 'ENOENT', syscall: 'inotify_add_watch', path: missing, backend: 'inotify' });
  });

  it('ENOTDIR → NOT_A_DIRECTORY (a path through a file, and IN_ONLYDIR on a file)', () => {
    const file = path.join(tmp.dir, 'file');
    writeFileSync(file, '');
    const through = path.join(file, 'below');
    expect(caught(() => ino.addWatch(through, IN.IN_CREATE))).toMatchObject({ code: 'NOT_A_DIRECTORY', errno: 'ENOTDIR', path: through });
    expect(caught(() => ino.addWatch(file, IN.IN_CREATE | IN.IN_ONLYDIR))).toMatchObject({ code: 'NOT_A_DIRECTORY', errno: 'ENOTDIR' });
  });

  it('EINVAL → INVALID_ARGUMENT (no event bits; IN_MASK_ADD with IN_MASK_CREATE)', () => {
    expect(caught(() => ino.addWatch(tmp.dir, 0))).toMatchObject({ code: 'INVALID_ARGUMENT', errno: 'EINVAL', path: tmp.dir });
    expect(caught(() => ino.addWatch(tmp.dir, IN.IN_CREATE | IN.IN_MASK_ADD | IN.IN_MASK_CREATE))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('EEXIST with IN_MASK_CREATE on a watched inode → IO_ERROR carrying errno', () => {
    ino.addWatch(tmp.dir, IN.IN_CREATE);
    expect(caught(() => ino.addWatch(tmp.dir, IN.IN_CREATE | IN.IN_MASK_CREATE))).toMatchObject({ code: 'IO_ERROR', errno: 'EEXIST' });
  });

  it('a NUL byte in the path → INVALID_ARGUMENT before any syscall', () => {
    expect(caught(() => ino.addWatch(`${tmp.dir}/a\0b`, IN.IN_CREATE))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  // Root bypasses permission checks (CAP_DAC_OVERRIDE), so the watch is added
  // with the effective uid switched to `nobody` (seteuid is reversible, unlike
  // setuid); the kernel then really answers EACCES.
  const canDrop = typeof process.seteuid === 'function' && process.geteuid?.() === 0;
  it.runIf(canDrop)('EACCES → PERMISSION_DENIED (as nobody via seteuid; runs only as root)', () => {
    chmodSync(tmp.dir, 0o755);
    const locked = path.join(tmp.dir, 'locked');
    mkdirSync(locked, { mode: 0o700 });
    chmodSync(locked, 0o700);
    let e: VigilError;
    process.seteuid!('nobody');
    try {
      e = caught(() => ino.addWatch(locked, IN.IN_CREATE));
    } finally {
      process.seteuid!(0);
    }
    expect(e).toMatchObject({ code: 'PERMISSION_DENIED', errno: 'EACCES', syscall: 'inotify_add_watch', path: locked, backend: 'inotify' });
  });
});

describe('the limits name their sysctl and its current value', () => {
  it('ENOSPC from inotify_add_watch → WATCH_LIMIT naming fs.inotify.max_user_watches', () => {
    const value = readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8').trim();
    const e = inotifyError({ errno: 'ENOSPC', syscall: 'inotify_add_watch' }, '/x');
    expect(e).toMatchObject({ code: 'WATCH_LIMIT', errno: 'ENOSPC', syscall: 'inotify_add_watch', path: '/x', backend: 'inotify' });
    expect(e.message).toContain(`fs.inotify.max_user_watches = ${value}`);
  });

  it('EMFILE from inotify_init1 → INSTANCE_LIMIT naming fs.inotify.max_user_instances', () => {
    const value = readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8').trim();
    const e = inotifyError({ errno: 'EMFILE', syscall: 'inotify_init1' });
    expect(e).toMatchObject({ code: 'INSTANCE_LIMIT', errno: 'EMFILE', syscall: 'inotify_init1', backend: 'inotify' });
    expect(e.message).toContain(`fs.inotify.max_user_instances = ${value}`);
  });

  it('maps the rest by errno, unknown ones to IO_ERROR', () => {
    expect(inotifyError({ errno: 'EACCES', syscall: 'inotify_add_watch' }).code).toBe('PERMISSION_DENIED');
    expect(inotifyError({ errno: 'ENOSPC', syscall: 'write' }).code).toBe('IO_ERROR');
    expect(inotifyError({ errno: 'E1234', syscall: 'read' })).toMatchObject({ code: 'IO_ERROR', errno: 'E1234' });
  });
});
