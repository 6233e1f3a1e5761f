// The mount-table signal: with watchMountTable the reader thread waits for
// /proc/self/mountinfo's POLLPRI and delivers a wd -2 record per change, so
// vigil notices mounts inside a watched tree without a timer.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Inotify, MOUNTS_CHANGED_WD } from '../src/index.js';
import { Collector } from './helpers.js';

const canMount = process.platform === 'linux' && process.getuid?.() === 0;
if (!canMount && process.env.CI === 'true') throw new Error('the mount-signal test must run under CI (needs root)');

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe.skipIf(!canMount)(`mount table signal${canMount ? '' : ' (skipped: needs root to mount)'}`, () => {
  it('delivers one record with wd -2 for a mount and one for an unmount, and none while nothing changes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-mountsig-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const inotify = new Inotify({ watchMountTable: true });
    cleanups.push(() => inotify.close());
    const seen = new Collector(inotify);
    const signals = () => seen.events.filter((e) => e.wd === MOUNTS_CHANGED_WD).length;
    execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', dir]);
    cleanups.push(() => void spawnSync('umount', ['-l', dir]));
    await seen.until(() => signals() >= 1, 5000, 'the mount signal');
    execFileSync('umount', [dir]);
    await seen.until(() => signals() >= 2, 5000, 'the unmount signal');
    expect(seen.events.filter((e) => e.wd === MOUNTS_CHANGED_WD).every((e) => e.mask === 0 && e.name === '')).toBe(true);
  });
});
