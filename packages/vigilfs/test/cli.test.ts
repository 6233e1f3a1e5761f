// The vigil CLI, run as a user runs it: the built bin in a child process.
// `npm test` builds first; run `node scripts/setup.mjs --build-only` before
// running this file alone.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkBuilt, cleanUp, cli, run, tempDir } from './cli-helpers.js';

beforeAll(checkBuilt);
afterEach(cleanUp);

describe('vigil CLI', () => {
  it('prints one JSON object per event with --json, and exits 0 on SIGINT', async () => {
    const dir = tempDir();
    const p = run(['watch', dir, '--json', '--backend', 'poll', '--poll-interval', '50']);
    await p.waitFor('stderr', (l) => l.includes('"ready"'));
    writeFileSync(path.join(dir, 'new file.txt'), 'hello');
    const line = await p.waitFor('stdout', (l) => l.includes('new file.txt'));
    expect(JSON.parse(line)).toMatchObject({ type: 'create', kind: 'file', path: path.join(dir, 'new file.txt'), origin: 'rescan' });
    mkdirSync(path.join(dir, 'd'));
    // A scan that read the root between the mkdir and the rename would see the file both in the root and in d.
    await p.waitFor('stdout', (l) => l.includes('"create"') && l.includes(JSON.stringify(path.join(dir, 'd'))));
    renameSync(path.join(dir, 'new file.txt'), path.join(dir, 'd', 'moved.txt'));
    const rename = JSON.parse(await p.waitFor('stdout', (l) => l.includes('"rename"')));
    expect(rename).toMatchObject({ type: 'rename', oldPath: path.join(dir, 'new file.txt'), path: path.join(dir, 'd', 'moved.txt') });
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(0);
  });

  it('prints a human line per event, with old -> new for renames, and watches the current directory by default', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a'), 'x');
    const p = run(['--backend', 'poll', '--poll-interval', '50'], dir);
    await p.waitFor('stderr', (l) => l.startsWith('vigil: watching'));
    renameSync(path.join(dir, 'a'), path.join(dir, 'b'));
    const line = await p.waitFor('stdout', (l) => l.includes('rename'));
    expect(line).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}rename +file +.*\/a -> .*\/b/);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });

  it('ignores what --ignore names', async () => {
    const dir = tempDir();
    const p = run([dir, '--json', '--backend', 'poll', '--poll-interval', '50', '--ignore', '*.tmp', '--ignore', 'cache']);
    await p.waitFor('stderr', (l) => l.includes('"ready"'));
    mkdirSync(path.join(dir, 'cache'));
    writeFileSync(path.join(dir, 'cache', 'x'), '1');
    writeFileSync(path.join(dir, 'skip.tmp'), '1');
    writeFileSync(path.join(dir, 'keep.txt'), '1');
    await p.waitFor('stdout', (l) => l.includes('keep.txt'));
    expect(p.lines.stdout.filter((l) => l.includes('cache') || l.includes('skip.tmp'))).toEqual([]);
  });

  it('exits 1 with ROOT_REMOVED when the watched directory goes away', async () => {
    const dir = tempDir();
    const p = run([dir, '--backend', 'poll', '--poll-interval', '50']);
    await p.waitFor('stderr', (l) => l.startsWith('vigil: watching'));
    rmSync(dir, { recursive: true });
    await p.waitFor('stderr', (l) => l.includes('ROOT_REMOVED'));
    expect(await p.exited).toBe(1);
  });

  it('fails clearly, with exit 2, for a missing path and an unknown backend', () => {
    const missing = spawnSync(process.execPath, [cli, '/nonexistent/vigil-path'], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('PATH_NOT_FOUND');
    expect(missing.stderr).toContain('/nonexistent/vigil-path');
    const unknown = spawnSync(process.execPath, [cli, tempDir(), '--backend', 'carrier-pigeon'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('BACKEND_UNAVAILABLE');
    expect(unknown.stderr).toContain('carrier-pigeon');
    const badOption = spawnSync(process.execPath, [cli, '--frobnicate'], { encoding: 'utf8' });
    expect(badOption.status).toBe(2);
  });

  it('vigil info names the filesystem, the backend auto picks and the inotify limits', () => {
    const dir = tempDir();
    const r = spawnSync(process.execPath, [cli, 'info', dir, '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.path).toBe(dir);
    expect(typeof report.filesystem.type).toBe('string');
    expect(report.auto[0].backend).toBeTypeOf('string');
    expect(report.auto[0].subtree).toBe(dir);
    expect(report.backends.map((b: { name: string }) => b.name)).toContain('poll');
    if (process.platform === 'linux') expect(report.inotifyLimits.maxUserWatches).toBeGreaterThan(0);
    const human = spawnSync(process.execPath, [cli, 'info', dir], { encoding: 'utf8' });
    expect(human.stdout).toMatch(/filesystem: +\S+/);
    expect(human.stdout).toMatch(/auto picks: +\S+/);
  });

  it('prints help and version', () => {
    const help = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('vigil info');
    const version = spawnSync(process.execPath, [cli, '--version'], { encoding: 'utf8' });
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
