// Runs every program in examples/ as a user would (`node examples/x.mjs`,
// against the built vigil package), so that none of them can rot. `npm test`
// builds first; run `node scripts/setup.mjs --build-only` before running this
// file alone. No fixed sleeps: every wait polls a condition until a deadline.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from './helpers.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const examples = path.join(root, 'examples');
const dirs: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
const pidFiles: string[] = [];

beforeAll(() => {
  const built = path.join(root, 'packages/vigilfs/dist/index.js');
  if (!existsSync(built)) throw new Error(`${built} is missing: run "node scripts/setup.mjs --build-only" (npm test does) first`);
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const f of pidFiles.splice(0)) {
    // A service a failed test left running.
    if (existsSync(f))
      try {
        process.kill(Number(readFileSync(f, 'utf8')), 'SIGKILL');
      } catch {
        /* gone */
      }
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'vigil examples '));
  dirs.push(d);
  return d;
}

/** Starts `node examples/<name> <args>`; resolves once it printed "ready" on stderr. */
async function example(name: string, args: string[]) {
  const child = spawn(process.execPath, [path.join(examples, name), ...args], { cwd: root, env: { ...process.env, VIGIL_BACKEND: '' } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  let status: number | null | undefined;
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((status = code))));
  const output = (): string => `stdout:\n${stdout}\nstderr:\n${stderr}`;
  await until(() => stderr.includes('ready') || status !== undefined, `${name} to be ready`, output);
  if (status !== undefined) throw new Error(`${name} exited with ${status}\n${output()}`);
  return {
    lines: (): string[] => stdout.split('\n').slice(0, -1),
    output,
    async waitLine(test: (line: string) => boolean, what: string): Promise<void> {
      await until(() => stdout.split('\n').slice(0, -1).some(test), what, output);
    },
    async stop(): Promise<number | null> {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('examples', () => {
  it('print-events.mjs prints every event', async () => {
    const dir = tempDir();
    const ex = await example('print-events.mjs', [dir]);
    const f = path.join(dir, 'a file');
    writeFileSync(f, 'x');
    renameSync(f, path.join(dir, 'renamed'));
    await ex.waitLine((l) => l.startsWith('rename'), 'the rename');
    // The kind column is 'unknown' when the file was renamed before vigil could look at it: leave it out.
    expect(ex.lines().map((l) => l.replace(/^(\S+) \S+ /, '$1 '))).toEqual([
      `create ${f}`,
      `modify ${f}`,
      `close-write ${f}`,
      `rename ${f} -> ${path.join(dir, 'renamed')}`,
    ]);
    expect(await ex.stop()).toBe(0);
  });

  it('chain.mjs filters, then logs', async () => {
    const dir = tempDir();
    const ex = await example('chain.mjs', [dir]);
    writeFileSync(path.join(dir, 'scratch.tmp'), 'x');
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'kept.txt'), 'x');
    await ex.waitLine((l) => l.includes('close-write'), 'the kept file');
    expect(ex.lines().map((l) => JSON.parse(l) as unknown)).toEqual(
      ['create', 'modify', 'close-write'].map((type) => ({ type, path: path.join(dir, 'kept.txt') })),
    );
    expect(await ex.stop()).toBe(0);
  });

  it('stats.mjs counts events per type and prints them periodically', async () => {
    const dir = tempDir();
    const ex = await example('stats.mjs', [dir, '100']);
    for (const n of ['a', 'b', 'c']) writeFileSync(path.join(dir, n), 'x');
    rmSync(path.join(dir, 'a'));
    renameSync(path.join(dir, 'b'), path.join(dir, 'b2'));
    await ex.waitLine((l) => (JSON.parse(l) as { rename: number }).rename === 1, 'totals with the rename');
    const last = JSON.parse(ex.lines().at(-1)!) as Record<string, number>;
    expect(last).toMatchObject({ create: 3, modify: 3, 'close-write': 3, delete: 1, rename: 1, rescan: 0 });
    expect(ex.lines().length).toBeGreaterThanOrEqual(1);
    expect(await ex.stop()).toBe(0);
  });

  it('follow-log.mjs prints new lines and follows the file through rotation', async () => {
    const dir = tempDir();
    const log = path.join(dir, 'app.log');
    writeFileSync(log, 'old line, before the follower started\n');
    const ex = await example('follow-log.mjs', [log]);
    appendFileSync(log, 'one\ntw');
    appendFileSync(log, 'o\n');
    await ex.waitLine((l) => l === 'two', 'the first lines');
    // Rotation: the file is renamed away (a last line lands in it after the rename,
    // as when the writer has not reopened yet), is gone for a while, then comes back
    // as a new file. The follower reads the old file to its end before switching.
    renameSync(log, `${log}.1`);
    appendFileSync(`${log}.1`, 'three (written to the rotated file)\n');
    writeFileSync(log, 'four (in the new file)\n');
    await ex.waitLine((l) => l.startsWith('four'), 'the new file');
    appendFileSync(log, 'five\n');
    await ex.waitLine((l) => l === 'five', 'a line appended to the new file');
    writeFileSync(log, 'six (after truncation)\n'); // copytruncate-style rotation: same file, shorter
    await ex.waitLine((l) => l.startsWith('six'), 'the truncated file');
    expect(ex.lines()).toEqual(['one', 'two', 'three (written to the rotated file)', 'four (in the new file)', 'five', 'six (after truncation)']);
    expect(await ex.stop()).toBe(0);
  });

  it('service.mjs runs detached with a pid file and a log file, and stops on request', async () => {
    const dir = tempDir();
    const watched = path.join(dir, 'watched');
    mkdirSync(watched);
    const log = path.join(dir, 'service.log');
    const pid = path.join(dir, 'service.pid');
    pidFiles.push(pid);
    const run = (cmd: string) =>
      spawnSync(process.execPath, [path.join(examples, 'service.mjs'), cmd, watched, '--log', log, '--pid', pid], { encoding: 'utf8', timeout: 20_000 });
    const started = run('start');
    expect(started.status, started.stderr).toBe(0);
    const servicePid = Number(readFileSync(pid, 'utf8'));
    expect(started.stdout).toContain(`started (pid ${servicePid})`);
    expect(run('status').stdout).toBe(`running (pid ${servicePid})\n`);
    expect(run('start').status).toBe(1); // already running

    writeFileSync(path.join(watched, 'report.csv'), 'a,b\n');
    const text = (): string => readFileSync(log, 'utf8');
    await until(() => text().includes(`close-write file ${path.join(watched, 'report.csv')}`), 'the event in the log', text);
    expect(text()).toMatch(/^\S+ watching .* \(pid \d+\)\n\S+ create file .*report\.csv\n/);

    const stopped = run('stop');
    expect(stopped.stdout).toBe(`stopped (pid ${servicePid})\n`);
    expect(existsSync(pid)).toBe(false);
    expect(() => process.kill(servicePid, 0)).toThrow();
    expect(text()).toMatch(/ stopped\n$/);
    expect(run('status').status).toBe(3);
  });

  it('ingest.mjs processes each file once it is complete, exactly once', async () => {
    const dir = tempDir();
    const incoming = path.join(dir, 'incoming');
    const done = path.join(dir, 'done');
    const outside = path.join(dir, 'outside');
    mkdirSync(incoming);
    mkdirSync(outside);
    writeFileSync(path.join(incoming, 'waiting'), 'there before the start');
    // quiet = 1 s (the example's default): slow.bin's create and first modify may reach it in two batches on a loaded machine.
    const ex = await example('ingest.mjs', [incoming, done, '1000']);
    const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
    const ingested = (name: string): string[] => ex.lines().filter((l) => l.startsWith(`ingested ${name} `));
    await ex.waitLine((l) => l.startsWith('ingested waiting '), 'the file there before the start');

    // 1. Written in place, slowly: not ingested while the writer has it open.
    const slow = path.join(incoming, 'slow.bin');
    const fd = openSync(slow, 'w');
    writeSync(fd, 'first half, ');
    // 2. Meanwhile, a file moved in from outside the folder (one create, no write session).
    writeFileSync(path.join(outside, 'moved in.txt'), 'moved');
    renameSync(path.join(outside, 'moved in.txt'), path.join(incoming, 'moved in.txt'));
    await ex.waitLine((l) => l.startsWith('ingested moved in.txt '), 'the moved-in file');
    expect(ingested('slow.bin')).toEqual([]); // still open, so still waiting
    writeSync(fd, 'second half');
    closeSync(fd);
    await ex.waitLine((l) => l.startsWith('ingested slow.bin '), 'the slow file once closed');
    // 3. Written under a temporary name inside the folder, then renamed into place.
    writeFileSync(path.join(incoming, 'report.csv.part'), 'a,b\n');
    renameSync(path.join(incoming, 'report.csv.part'), path.join(incoming, 'report.csv'));
    await ex.waitLine((l) => l.startsWith('ingested report.csv '), 'the renamed file');
    // A cookie written last: once it is ingested, every earlier event has been handled.
    writeFileSync(path.join(incoming, 'zz-cookie'), '');
    await ex.waitLine((l) => l.startsWith('ingested zz-cookie '), 'the cookie');

    expect(ingested('slow.bin')).toEqual([`ingested slow.bin 23 bytes sha256=${sha('first half, second half')}`]);
    expect(ingested('moved in.txt')).toEqual([`ingested moved in.txt 5 bytes sha256=${sha('moved')}`]);
    expect(ingested('report.csv')).toEqual([`ingested report.csv 4 bytes sha256=${sha('a,b\n')}`]);
    expect(ex.lines()).toHaveLength(5); // waiting, moved in, slow, report, cookie: each once, no .part
    expect(readFileSync(path.join(done, 'slow.bin'), 'utf8')).toBe('first half, second half');
    expect(readdirSync(incoming)).toEqual([]);
    expect(await ex.stop()).toBe(0);
  });
});
