// The CLI habits of inotifywait and watchexec users (issue 13): event filters,
// --once, --timeout, --format, -P/-0, -q, --no-recursive, running a command
// (with --restart), EPIPE, exit statuses, usage messages, vigil info. The built
// CLI runs in a child process against real directories; every wait has a
// deadline, none is a fixed sleep.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventVariables } from '@vigilfs/core';
import { checkBuilt, cleanUp, cli, run, tempDir, until } from './cli-helpers.js';

beforeAll(checkBuilt);
afterEach(cleanUp);

const docs = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/cli.md'), 'utf8');
const sync = (args: string[], cwd?: string) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd, timeout: 20_000, env: { ...process.env, VIGIL_BACKEND: '' } });

/** True while `pid` runs; a zombie (dead, waiting for a reaper that this container may lack) counts as gone. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('vigil: filtering and output', () => {
  it('-e keeps only the named types, --once exits 0 after the first, --format fills every placeholder', async () => {
    const dir = tempDir();
    const p = run([dir, '-e', 'close_write', '--once', '--format', '%e %k %O %p|%o|%%|%T']);
    await p.waitFor('stderr', (l) => l.startsWith('vigil: watching'));
    const file = path.join(dir, 'a.txt');
    writeFileSync(file, 'one');
    expect(await p.exit()).toBe(0);
    // The create and modify before it were filtered out; only the first close-write printed.
    expect(p.raw.stdout).toMatch(
      new RegExp(`^close-write file os ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\|\\|%\\|\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\n$`),
    );
  });

  it('-P -0 prints the new path of each rename, NUL-terminated, whatever the name holds', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'with\nnewline'), 'x');
    writeFileSync(path.join(dir, 'b'), 'x');
    const p = run([dir, '-e', 'rename', '-P0']);
    await p.waitFor('stderr', (l) => l.startsWith('vigil: watching'));
    renameSync(path.join(dir, 'b'), path.join(dir, 'c'));
    renameSync(path.join(dir, 'with\nnewline'), path.join(dir, 'still\nnewline'));
    await until(() => p.raw.stdout.split('\0').length === 3, 'two records', p.detail);
    p.child.kill('SIGTERM');
    expect(await p.exit()).toBe(0);
    expect(p.raw.stdout).toBe(`${path.join(dir, 'c')}\0${path.join(dir, 'still\nnewline')}\0`);
  });

  it('-P -0 and --format write a name that is not UTF-8 byte for byte (what xargs -0 needs)', async () => {
    const dir = tempDir();
    const p = run([dir, '-e', 'create', '-P0']);
    const f = run([dir, '-e', 'create', '--format', '[%p]']);
    await p.waitFor('stderr', (l) => l.startsWith('vigil: watching'));
    await f.waitFor('stderr', (l) => l.startsWith('vigil: watching'));
    const name = Buffer.concat([Buffer.from(`${dir}/bad-`), Buffer.from([0xff, 0xfe]), Buffer.from('-name')]);
    writeFileSync(name, 'x');
    await until(() => p.stdoutBytes().includes(0), 'one record', p.detail);
    await until(() => f.stdoutBytes().includes(0x0a), 'one line', f.detail);
    p.child.kill('SIGTERM');
    f.child.kill('SIGTERM');
    expect(await p.exit()).toBe(0);
    expect(await f.exit()).toBe(0);
    expect(p.stdoutBytes()).toEqual(Buffer.concat([name, Buffer.from([0])]));
    expect(f.stdoutBytes()).toEqual(Buffer.concat([Buffer.from('['), name, Buffer.from(']\n')]));
  });

  it("--no-recursive reports the root's entries, not what happens inside its subdirectories", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'sub'));
    const p = run([dir, '--no-recursive', '-P', '-e', 'create']);
    await p.waitFor('stderr', (l) => l.startsWith('vigil: watching'));
    writeFileSync(path.join(dir, 'sub', 'deep'), 'x');
    writeFileSync(path.join(dir, 'top'), 'x');
    await p.waitFor('stdout', (l) => l === path.join(dir, 'top'));
    p.child.kill('SIGINT');
    expect(await p.exit()).toBe(0);
    expect(p.lines.stdout).toEqual([path.join(dir, 'top')]);
  });

  it('--timeout exits 3 when no matching event came (other types do not count), silently with -q', async () => {
    const dir = tempDir();
    const started = Date.now();
    const quiet = sync([dir, '--timeout', '0.4', '-q']);
    expect([quiet.status, quiet.stdout, quiet.stderr]).toEqual([3, '', '']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);

    const p = run([dir, '-e', 'delete', '-t', '1']);
    await p.waitFor('stderr', (l) => l.startsWith('vigil: watching'));
    writeFileSync(path.join(dir, 'not-a-delete'), 'x');
    expect(await p.exit()).toBe(3);
    expect(p.raw.stdout).toBe('');
    expect(p.lines.stderr).toContain('vigil: timeout: no matching event in 1 s');
  });
});

describe('vigil: a closed stdout', () => {
  it('vigil --json dir | head -1 exits 0 quietly once the reader is gone (a real pipe)', async () => {
    const dir = tempDir();
    const sh = spawn('bash', ['-c', `set -o pipefail; "${process.execPath}" "${cli}" --json "${dir}" | head -1`], {
      env: { ...process.env, VIGIL_BACKEND: '' },
    });
    let out = '';
    let err = '';
    sh.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    sh.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    let status: number | null | undefined;
    sh.on('close', (code) => (status = code));
    await until(
      () => err.includes('"ready"'),
      'vigil to be ready',
      () => err,
    );
    // head takes the first line and leaves; vigil learns it on its next write (as every pipeline writer does).
    let n = 0;
    await until(
      () => {
        if (status === undefined) writeFileSync(path.join(dir, `f${n++}`), 'x');
        return status !== undefined;
      },
      'the pipeline to end',
      () => `${out}\n--\n${err}`,
    );
    expect(status).toBe(0); // pipefail: vigil's own status
    expect(JSON.parse(out.trim())).toMatchObject({ type: 'create', path: path.join(dir, 'f0') });
    expect(err).not.toMatch(/EPIPE|Error|at /);
  });
});

describe('vigil: close-write emulation', () => {
  it("--settle false turns emulated close-write off, as the API's settle: false does; --settle 0 keeps it with no quiet period", async () => {
    const dir = tempDir();
    const poll = ['--backend', 'poll', '--poll-interval', '50', '--json'];
    const off = run([dir, ...poll, '--settle', 'false']);
    const immediate = run([dir, ...poll, '--settle', '0']);
    // The witness settles for a second: a subject that emulated close-write at all (at 0 ms, or at the default 300) would have printed it by then.
    const witness = run([dir, ...poll, '--settle', '1000']);
    // With --json the ready line on stderr is a JSON record.
    for (const p of [off, immediate, witness]) await p.waitFor('stderr', (l) => l.startsWith('{"ready"'));
    const file = path.join(dir, 'a.txt');
    writeFileSync(file, 'one');
    const closeWrite = (l: string) => l.includes('"close-write"') && l.includes(JSON.stringify(file));
    await immediate.waitFor('stdout', closeWrite);
    await witness.waitFor('stdout', closeWrite);
    // A later change the subject reports: everything its scans saw before it has been printed.
    writeFileSync(path.join(dir, 'later'), 'x');
    await off.waitFor('stdout', (l) => l.includes(JSON.stringify(path.join(dir, 'later'))));
    const offEvents = off.lines.stdout.map((l) => JSON.parse(l) as { type: string; path: string });
    expect(offEvents.filter((e) => e.path === file).map((e) => e.type)).toEqual(['create']);
    expect(offEvents.some((e) => e.type === 'close-write')).toBe(false);
    for (const p of [off, immediate, witness]) p.child.kill('SIGTERM');
    for (const p of [off, immediate, witness]) expect(await p.exit()).toBe(0);
  });
});

describe('vigil: running a command', () => {
  it('runs the command (no shell) after a debounce window, with the changes in the variables vigil run gives; SIGTERM exits 0', async () => {
    const dir = tempDir();
    const log = path.join(tempDir(), 'log');
    const script = `require('fs').appendFileSync(process.argv[1], JSON.stringify({ argv: process.argv.slice(2), env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('VIGIL_EVENT_') || k === 'VIGIL_PATHS')) }) + '\\n')`;
    const p = run([dir, '-e', 'close-write', '--debounce', '300', '--', process.execPath, '-e', script, log, '$(touch pwned)', '{path}']);
    await p.waitFor('stderr', (l) => l.startsWith('vigil: watching'));
    writeFileSync(path.join(dir, 'a'), '1');
    writeFileSync(path.join(dir, 'b'), '2');
    // The command creates the log, then writes its line: wait for the whole line, not just the file.
    await until(() => existsSync(log) && readFileSync(log, 'utf8').includes('\n'), 'the command to log a line', p.detail);
    const first = JSON.parse(readFileSync(log, 'utf8').split('\n')[0]!);
    expect(first.argv).toEqual(['$(touch pwned)', '{path}']);
    // Both writes fell in one 300 ms window, unless the machine stalled between them.
    const last = first.env.VIGIL_EVENT_COUNT === '2' ? path.join(dir, 'b') : path.join(dir, 'a');
    // The VIGIL_EVENT_* set of a vigil run rule command (every one but VIGIL_RULE), and VIGIL_PATHS.
    expect(first.env).toEqual({
      VIGIL_EVENT_TYPE: 'close-write',
      VIGIL_EVENT_PATH: last,
      VIGIL_EVENT_OLD_PATH: '',
      VIGIL_EVENT_KIND: 'file',
      VIGIL_EVENT_ORIGIN: 'os',
      VIGIL_EVENT_COUNT: last.endsWith('b') ? '2' : '1',
      VIGIL_PATHS: last.endsWith('b') ? `${path.join(dir, 'a')}\n${path.join(dir, 'b')}` : path.join(dir, 'a'),
    });
    expect(existsSync(path.join(dir, 'pwned'))).toBe(false);
    p.child.kill('SIGTERM');
    expect(await p.exit()).toBe(0);
  });

  it('--restart stops the running command and its process group, waits, and starts it again; --now starts it at once', async () => {
    const dir = tempDir();
    const out = tempDir();
    const log = path.join(out, 'log');
    // The command starts a grandchild (sleep) in its process group and logs both pids; on SIGTERM it logs and leaves.
    const script = `const fs = require('fs'); const c = require('child_process').spawn('sleep', ['1000'], { stdio: 'ignore' });
      fs.appendFileSync(process.argv[1], 'start ' + process.pid + ' ' + c.pid + '\\n');
      process.on('SIGTERM', () => { fs.appendFileSync(process.argv[1], 'stop ' + process.pid + '\\n'); process.exit(0); });
      setInterval(() => {}, 1000);`;
    const p = run([dir, '--restart', '--now', '--debounce', '20', '-e', 'create', '--', process.execPath, '-e', script, log]);
    const lines = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);
    await until(
      () => lines().length === 1,
      'the first start (--now)',
      () => lines().join('\n') + p.detail(),
    );
    const [, pid1, sleep1] = lines()[0]!.split(' ').map(Number);
    writeFileSync(path.join(dir, 'change'), 'x');
    await until(
      () => lines().length === 3,
      'a stop and a start',
      () => lines().join('\n') + p.detail(),
    );
    expect(lines().slice(1, 2)).toEqual([`stop ${pid1}`]);
    const [word, pid2, sleep2] = lines()[2]!.split(' ');
    expect(word).toBe('start');
    expect(Number(pid2)).not.toBe(pid1);
    await until(() => !alive(sleep1!), 'the first grandchild to be gone (process group killed)');
    p.child.kill('SIGTERM');
    expect(await p.exit()).toBe(0);
    expect(lines()[3]).toBe(`stop ${pid2}`);
    await until(() => !alive(Number(sleep2)), 'the second grandchild to be gone');
    expect(p.lines.stderr).toContain('vigil: change: restarting the command');
  });

  it('--once with a command runs it once and exits with its status; a command that cannot start exits 1', async () => {
    const dir = tempDir();
    const p = run([dir, '--once', '--', process.execPath, '-e', 'process.exit(7)']);
    await p.waitFor('stderr', (l) => l.startsWith('vigil: watching'));
    writeFileSync(path.join(dir, 'x'), '1');
    expect(await p.exit()).toBe(7);

    const missing = run([dir, '-q', '--now', '--', 'vigil-no-such-command']);
    expect(await missing.exit()).toBe(1);
    expect(missing.raw.stderr).toBe('vigil: cannot run vigil-no-such-command: command not found\n');
  });
});

describe('vigil: usage errors and vigil info', () => {
  it('every usage mistake is exit 2 with a message of ours and a pointer to the help', () => {
    const dir = tempDir();
    const cases: [string[], string][] = [
      [['--foramt', '%p'], 'vigil: unknown option --foramt (did you mean --format?)\nsee vigil --help\n'],
      [['--frobnicate'], 'vigil: unknown option --frobnicate\nsee vigil --help\n'],
      [['-Z'], 'vigil: unknown option -Z\nsee vigil --help\n'],
      [
        [dir, '-e', 'modify,chmod'],
        'vigil: unknown event type "chmod" for -e/--event (valid: create, modify, close-write, delete, rename)\nsee vigil --help\n',
      ],
      [[dir, '--format', '%e %q'], 'vigil: --format: unknown placeholder %q (known: %e %p %o %k %O %T, and %% for a %)\nsee vigil --help\n'],
      [[dir, '--timeout', '0'], 'vigil: --timeout takes a number of seconds above 0 and up to 2147483, got "0"\nsee vigil --help\n'],
      [
        [dir, '--debounce', '2147483648', '--', 'true'],
        'vigil: --debounce takes a whole number of milliseconds from 0 to 2147483647, got "2147483648"\nsee vigil --help\n',
      ],
      [
        [dir, '--settle', 'soon'],
        'vigil: --settle takes a whole number of milliseconds from 0 to 2147483647, or false (no emulated close-write), got "soon"\nsee vigil --help\n',
      ],
      [[dir, '--restart'], 'vigil: --restart is for running a command: vigil [paths...] --restart -- <command> [args...]\nsee vigil --help\n'],
      [[dir, '--json', '-P'], 'vigil: --json and --paths-only choose different outputs; give one\nsee vigil --help\n'],
      [[dir, '--format'], 'vigil: --format needs a value: --format <fmt>\nsee vigil --help\n'],
      [[dir, '--'], 'vigil: -- must be followed by a command to run (vigil [paths...] -- make test)\nsee vigil --help\n'],
      [['info', '--bogus'], 'vigil: unknown option --bogus\nsee vigil info --help\n'],
      [['info', '--jsn'], 'vigil: unknown option --jsn (did you mean --json?)\nsee vigil info --help\n'],
      [['run', '--confg', 'x'], 'vigil run: unknown option --confg (did you mean --config?)\nsee vigil run --help\n'],
    ];
    for (const [args, stderr] of cases) {
      const r = sync(args);
      expect([args.join(' '), r.status, r.stderr, r.stdout]).toEqual([args.join(' '), 2, stderr, '']);
    }
  });

  it('vigil info reports every path it is given; a missing one is PATH_NOT_FOUND with exit 2', () => {
    const a = tempDir();
    const b = tempDir();
    const both = sync(['info', a, b, '--json']);
    expect(both.status).toBe(0);
    expect((JSON.parse(both.stdout) as { path: string }[]).map((r) => r.path)).toEqual([a, b]);
    const missing = sync(['info', '/nonexistent/vigil']);
    expect([missing.status, missing.stdout, missing.stderr]).toEqual([2, '', 'vigil: PATH_NOT_FOUND: /nonexistent/vigil: no such file or directory\n']);
    const mixed = sync(['info', '/nonexistent/vigil', a]);
    expect(mixed.status).toBe(2);
    expect(mixed.stdout).toMatch(new RegExp(`^path: +${a.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm'));
    expect(mixed.stdout).not.toContain('/nonexistent');
  });

  it('docs/cli.md documents every option of --help, every placeholder and every exit status', () => {
    const help = sync(['--help']).stdout;
    const optionsIn = (text: string): string[] => [...new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z-]+)/g)].map((m) => m[1]!))].sort();
    const fromHelp = optionsIn(help);
    expect(fromHelp).toContain('no-recursive');
    expect(optionsIn(docs)).toEqual(expect.arrayContaining(fromHelp));
    // And the other way: every option the docs list in their option tables is one --help knows.
    const documented = [...docs.matchAll(/^\| `(?:-\w, )?--([a-z-]+)/gm)].map((m) => m[1]!).sort();
    const infoHelp = optionsIn(sync(['info', '--help']).stdout);
    expect(documented.filter((o) => !fromHelp.includes(o) && !infoHelp.includes(o))).toEqual([]);
    for (const ph of ['%e', '%p', '%o', '%k', '%O', '%T', '%%']) expect(docs).toContain(`\`${ph}\``);
    for (const status of [0, 1, 2, 3]) expect(docs).toMatch(new RegExp(`^\\| ${status} \\|`, 'm'));
    // Every variable the shared builder sets (a new one must be documented), and the CLI's own.
    for (const v of [...Object.keys(eventVariables([])), 'VIGIL_PATHS']) {
      expect(docs).toContain(v);
      expect(help).toContain(v);
    }
  });
});
