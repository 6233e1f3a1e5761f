// `vigil run`, run as a user runs it: the built CLI in a child process, real
// files, real commands. `npm test` builds first; run
// `node scripts/setup.mjs --build-only` before running this file alone.
// No fixed sleeps: every wait polls a condition until a deadline.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { until } from './helpers.js';
import { stringify } from 'yaml';
import { eventVariables } from '@vigilfs/core';
import { commandArgv, findConfig, loadRules } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '../../vigilfs/dist/cli.js');
const fixture = (name: string): string => path.join(here, 'fixtures', name);
const dirs: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run "node scripts/setup.mjs --build-only" (npm test does) first`);
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh directory (with a space in its name, so every path in these tests has one). */
function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'vigil runner '));
  dirs.push(d);
  return d;
}

/** The JSON lines a fixture command or plugin appended to `file`. */
function records<T = Record<string, unknown>>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

/** Writes `rules` as YAML into `dir/rules.yaml`, for the runner to read. */
function writeRules(dir: string, rules: unknown[]): string {
  const file = path.join(dir, 'rules.yaml');
  writeFileSync(file, stringify({ rules }));
  return file;
}

/** Starts `vigil run <args>`; its stderr can be awaited line by line. */
function runner(args: string[], cwd?: string) {
  const child = spawn(process.execPath, [cli, 'run', ...args], { cwd, env: { ...process.env, VIGIL_BACKEND: '' } });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  let status: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((status = code))));
  const output = (): string => `stdout:\n${stdout}\nstderr:\n${stderr}`;
  return {
    child,
    exited,
    output,
    get stderr() {
      return stderr;
    },
    get status() {
      return status;
    },
    /** Waits until stderr contains `text` `times` times. */
    async saw(text: string, times = 1, ms = 10_000): Promise<void> {
      await until(() => stderr.split(text).length - 1 >= times, `stderr to contain ${JSON.stringify(text)} x${times}`, output, ms);
    },
    async ready(): Promise<void> {
      await until(() => stderr.includes('ready:') || status !== undefined, 'the runner to be ready', output);
      if (status !== undefined) throw new Error(`the runner exited with ${status}\n${output()}`);
    },
    async stop(): Promise<number | null> {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('command rules', () => {
  it('passes the event in the environment and whole-argument placeholders, verbatim and never through a shell', async () => {
    const dir = tempDir();
    const watched = path.join(dir, 'watched');
    mkdirSync(watched);
    const out = path.join(dir, 'out.jsonl');
    const config = writeRules(dir, [
      {
        name: 'rec',
        paths: ['watched'], // relative: resolved against the rule file's directory
        events: ['close-write', 'rename'],
        command: ['node', fixture('record.mjs'), out, '{path}', '{type}', '{kind}', '{oldPath}', 'x{path}', '--{type}'],
      },
    ]);
    const r = runner(['--config', config, '-v'], tmpdir());
    await r.ready();

    const evil = path.join(watched, `-n a b $(touch pwned) \`touch pwned2\`; echo 'q"uote.txt`);
    writeFileSync(evil, 'x');
    await until(() => records(out).length >= 1, 'the close-write command', r.output);
    const moved = path.join(watched, 'moved $HOME *.txt');
    renameSync(evil, moved);
    await until(() => records(out).length >= 2, 'the rename command', r.output);

    const [first, second] = records<{ args: string[]; env: Record<string, string>; cwd: string }>(out);
    expect(first!.args).toEqual([evil, 'close-write', 'file', '', 'x{path}', '--{type}']);
    expect(first!.env).toMatchObject({
      VIGIL_RULE: 'rec',
      VIGIL_EVENT_TYPE: 'close-write',
      VIGIL_EVENT_PATH: evil,
      VIGIL_EVENT_OLD_PATH: '',
      VIGIL_EVENT_KIND: 'file',
      VIGIL_EVENT_ORIGIN: 'os',
      VIGIL_EVENT_COUNT: '1',
    });
    expect(first!.cwd).toBe(dir);
    expect(second!.args).toEqual([moved, 'rename', 'file', evil, 'x{path}', '--{type}']);
    expect(second!.env).toMatchObject({ VIGIL_EVENT_TYPE: 'rename', VIGIL_EVENT_PATH: moved, VIGIL_EVENT_OLD_PATH: evil });
    for (const where of [dir, watched, tmpdir()]) {
      expect(existsSync(path.join(where, 'pwned'))).toBe(false);
      expect(existsSync(path.join(where, 'pwned2'))).toBe(false);
    }
    expect(await r.stop()).toBe(0);
  });

  it('delivers only the event types a rule names, and nothing under its ignore globs', async () => {
    const dir = tempDir();
    const w = path.join(dir, 'w');
    mkdirSync(w);
    const out = path.join(dir, 'out.jsonl');
    const config = writeRules(dir, [
      { name: 'creates', paths: [w], events: ['create'], ignore: ['*.tmp', 'skip'], command: ['node', fixture('record.mjs'), out, '{type}', '{path}'] },
    ]);
    const r = runner(['--config', config, '-v']);
    await r.ready();
    const before = records(out).length;

    writeFileSync(path.join(w, 'a.tmp'), 'x');
    writeFileSync(path.join(w, 'keep.txt'), 'x');
    writeFileSync(path.join(w, 'keep.txt'), 'again'); // modify + close-write: not wanted
    mkdirSync(path.join(w, 'skip'));
    writeFileSync(path.join(w, 'skip', 'inner'), 'x');
    mkdirSync(path.join(w, 'sub'));
    writeFileSync(path.join(w, 'zz-cookie'), '');
    await until(() => records(out).some((x) => (x as { args: string[] }).args[1]!.endsWith('zz-cookie')), 'the cookie', r.output);
    const got = records<{ args: string[] }>(out)
      .slice(before)
      .map((x) => x.args);
    expect(got).toEqual([
      ['create', path.join(w, 'keep.txt')],
      ['create', path.join(w, 'sub')],
      ['create', path.join(w, 'zz-cookie')],
    ]);
    expect(await r.stop()).toBe(0);
  });

  it('debounce delivers the events of one window together', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'out.jsonl');
    mkdirSync(path.join(dir, 'w'));
    // A window wide enough that a starved CI machine still delivers the three close-writes inside it.
    const config = writeRules(dir, [
      { name: 'batch', paths: ['w'], events: ['close-write'], debounce: 1000, command: ['node', fixture('record.mjs'), out, '{paths}'] },
    ]);
    const r = runner(['--config', config, '-v']);
    await r.ready();
    const files = ['a', 'b c', 'd'].map((n) => path.join(dir, 'w', n));
    for (const f of files) writeFileSync(f, 'x');
    await until(() => records(out).length >= 1, 'the batch', r.output);
    writeFileSync(path.join(dir, 'w', 'later'), 'x');
    await until(() => records(out).length >= 2, 'the second batch', r.output);
    const got = records<{ args: string[]; env: Record<string, string> }>(out);
    expect(got).toHaveLength(2);
    expect(got[0]!.args).toEqual(files);
    expect(got[0]!.env).toMatchObject({ VIGIL_EVENT_COUNT: '3', VIGIL_EVENT_PATH: files[2] });
    expect(got[1]!.args).toEqual([path.join(dir, 'w', 'later')]);
    expect(await r.stop()).toBe(0);
  });

  it('limits concurrency and applies each overflow policy: queue, coalesce, drop', async () => {
    const dir = tempDir();
    const rule = (name: string, concurrency: number, overflow: string) => {
      mkdirSync(path.join(dir, name));
      return {
        name,
        paths: [name],
        events: ['close-write'],
        concurrency,
        overflow,
        command: ['node', fixture('block.mjs'), path.join(dir, `${name}.jsonl`), path.join(dir, `${name}.release`), '{path}'],
      };
    };
    const config = writeRules(dir, [rule('q', 1, 'queue'), rule('c', 1, 'coalesce'), rule('d', 2, 'drop')]);
    const r = runner(['--config', config, '-vv']);
    await r.ready();
    type Rec = { phase: string; args: string[] };
    const recs = (name: string): Rec[] => records<Rec>(path.join(dir, `${name}.jsonl`));
    const p = (name: string, f: string): string => path.join(dir, name, f);
    const phases = (name: string): string[] => recs(name).map((x) => `${x.phase} ${path.basename(x.args[0]!)}`);

    // queue: one at a time, nothing lost, in order.
    writeFileSync(p('q', '1'), 'x');
    await until(() => recs('q').length >= 1, 'q/1 to start', r.output);
    writeFileSync(p('q', '2'), 'x');
    writeFileSync(p('q', '3'), 'x');
    await r.saw(`[q] queued close-write ${p('q', '3')}`);
    // coalesce: three events for g while c/1 runs leave one pending job for g.
    writeFileSync(p('c', '1'), 'x');
    await until(() => recs('c').length >= 1, 'c/1 to start', r.output);
    for (const n of ['g', 'g', 'h', 'g']) writeFileSync(p('c', n), n);
    await r.saw('[c] queued', 4);
    expect(r.stderr).toContain('coalesced away 1 older event(s)');
    // drop: two run at once; a third arriving meanwhile is dropped.
    writeFileSync(p('d', '1'), 'x');
    writeFileSync(p('d', '2'), 'x');
    await until(() => recs('d').length >= 2, 'd/1 and d/2 to run together', r.output);
    writeFileSync(p('d', '3'), 'x');
    await r.saw(`[d] dropped close-write ${p('d', '3')}`);

    for (const n of ['q', 'c', 'd']) writeFileSync(path.join(dir, `${n}.release`), '');
    await until(() => recs('q').filter((x) => x.phase === 'end').length === 3, 'the queue to drain', r.output);
    expect(phases('q')).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
    await until(() => recs('c').filter((x) => x.phase === 'end').length === 3, 'the coalesced jobs', r.output);
    expect(phases('c')).toEqual(['start 1', 'end 1', 'start h', 'end h', 'start g', 'end g']);
    await until(() => recs('d').filter((x) => x.phase === 'end').length === 2, 'd to finish', r.output);
    writeFileSync(p('d', '4'), 'x');
    await until(() => recs('d').filter((x) => x.phase === 'end').length === 3, 'd/4 after the release', r.output);
    expect(phases('d').slice(0, 2).sort()).toEqual(['start 1', 'start 2']);
    expect(phases('d')).not.toContain('start 3');
    expect(phases('d').slice(-2)).toEqual(['start 4', 'end 4']);
    expect(await r.stop()).toBe(0);
  });

  it('logs a failing command with its rule name and keeps the other rules working', async () => {
    const dir = tempDir();
    for (const d of ['f', 'o']) mkdirSync(path.join(dir, d));
    const out = path.join(dir, 'out.jsonl');
    const config = writeRules(dir, [
      { name: 'fails', paths: ['f'], events: ['close-write'], command: ['node', '-e', 'process.exit(3)'] },
      { name: 'missing-program', paths: ['f'], events: ['close-write'], command: [path.join(dir, 'no such program')] },
      { name: 'ok', paths: ['o'], events: ['close-write'], command: ['node', fixture('record.mjs'), out, '{path}'] },
    ]);
    const r = runner(['--config', config, '-v']);
    await r.ready();
    writeFileSync(path.join(dir, 'f', '1'), 'x');
    await r.saw('[fails] error: command exited with status 3: "node" "-e" "process.exit(3)"');
    await r.saw('[missing-program] error: cannot run');
    writeFileSync(path.join(dir, 'f', '2'), 'x');
    await r.saw('[fails] error: command exited with status 3', 2);
    writeFileSync(path.join(dir, 'o', '1'), 'x');
    await until(() => records(out).length === 1, 'the healthy rule', r.output);
    expect(r.status).toBeUndefined();
    expect(await r.stop()).toBe(0);
  });
});

describe('plugin rules', () => {
  it('deliver events to the plugin; a crashing plugin is logged and stops no other rule; cleanup runs on stop', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'p'));
    const out = path.join(dir, 'plugin.jsonl');
    const config = writeRules(dir, [
      { name: 'crash', paths: ['p'], events: ['close-write'], plugin: fixture('plugin-crash.mjs') },
      { name: 'setup-crash', paths: ['p'], plugin: fixture('plugin-setup-crash.mjs') },
      { name: 'good', paths: ['p'], events: ['close-write'], plugin: fixture('plugin-record.mjs'), config: { out } },
    ]);
    const r = runner(['--config', config, '-v']);
    await r.ready();
    expect(r.stderr).toContain('[setup-crash] error: plugin setup failed, rule disabled: Error: plugin setup exploded');
    expect(r.stderr).toContain(`[good] recording to ${out}`);
    writeFileSync(path.join(dir, 'p', 'one'), 'x');
    await r.saw('[crash] error: plugin handler failed: Error: plugin handler exploded');
    await r.saw('error: uncaught exception (from a plugin?): Error: plugin timer exploded');
    writeFileSync(path.join(dir, 'p', 'two'), 'x');
    await until(() => records(out).length >= 2, 'the good plugin to see both files', r.output);
    expect(records(out)).toEqual([
      { rule: 'good', type: 'close-write', path: path.join(dir, 'p', 'one') },
      { rule: 'good', type: 'close-write', path: path.join(dir, 'p', 'two') },
    ]);
    await r.saw('[crash] error: plugin handler failed', 2);
    expect(await r.stop()).toBe(0);
    expect(records(out).at(-1)).toEqual({ cleanup: true });
  });
});

describe('signals', () => {
  it('SIGTERM stops watching, waits for the running command, then exits 0', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'w'));
    const out = path.join(dir, 'out.jsonl');
    const release = path.join(dir, 'release');
    const config = writeRules(dir, [{ name: 'slow', paths: ['w'], events: ['close-write'], command: ['node', fixture('block.mjs'), out, release, '{path}'] }]);
    const r = runner(['--config', config, '-v']);
    await r.ready();
    writeFileSync(path.join(dir, 'w', 'job'), 'x');
    await until(() => records(out).length === 1, 'the command to start', r.output);
    r.child.kill('SIGTERM');
    await r.saw('SIGTERM: stopping');
    writeFileSync(path.join(dir, 'w', 'after-stop'), 'x'); // not watched any more
    expect(r.status).toBeUndefined();
    writeFileSync(release, '');
    expect(await r.exited).toBe(0);
    expect(records<{ phase: string }>(out).map((x) => x.phase)).toEqual(['start', 'end']);
  });

  it('after --grace ms, running commands get SIGTERM and the runner still exits 0', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'w'));
    const out = path.join(dir, 'out.jsonl');
    const config = writeRules(dir, [
      { name: 'stuck', paths: ['w'], events: ['close-write'], command: ['node', fixture('block.mjs'), out, path.join(dir, 'never'), '{path}'] },
    ]);
    const r = runner(['--config', config, '--grace', '300', '-v']);
    await r.ready();
    writeFileSync(path.join(dir, 'w', 'job'), 'x');
    await until(() => records(out).length >= 1, 'the command to start', r.output);
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    expect(r.stderr).toContain('grace period over: sending SIGTERM to 1 running command(s)');
    expect(records<{ phase: string }>(out).map((x) => x.phase)).toEqual(['start', 'sigterm']);
  });
});

describe('configuration', () => {
  function bad(content: string, name = 'rules.yaml'): () => unknown {
    const file = path.join(tempDir(), name);
    writeFileSync(file, content);
    return () => loadRules(file);
  }

  it('names the file, the rule and the field of every mistake', () => {
    const check = (content: string, ...parts: (string | RegExp)[]) => {
      const load = bad(content);
      let message = '';
      try {
        load();
      } catch (e) {
        expect((e as { code: string }).code).toBe('INVALID_OPTION');
        message = (e as Error).message;
      }
      expect(message).toContain('rules.yaml: ');
      for (const p of parts) expect(message).toMatch(p);
    };
    check('rules:\n  - name: a\n    paths: [x]\n    events: [modfy]\n    command: [make]\n', 'rule "a" (#1)', 'field "events"', 'unknown event type "modfy"');
    check('rules:\n  - name: a\n    paths: [x]\n    command: [make]\n  - paths: [y]\n    command: [make]\n', 'rule #2', 'field "name"');
    check('- name: a\n  paths: [x]\n  command: "make {path}"\n', 'rule "a" (#1)', 'field "command"', 'no shell');
    check('- name: a\n  paths: [x]\n  command: [make]\n  plugin: p.mjs\n', 'field "command"', 'not both');
    check('- name: a\n  paths: [x]\n  command: [make]\n  overflow: spill\n', 'field "overflow"', 'queue, coalesce, drop');
    check('- name: a\n  paths: [x]\n  command: [make]\n  concurency: 2\n', 'field "concurency"', 'unknown field');
    check('- name: a\n  paths: [x]\n  command: [make]\n  debounce: -5\n', 'field "debounce"');
    check('- name: a\n  command: [make]\n', 'field "paths"', 'missing');
    check('- name: a\n  paths: [x]\n', 'field "command"', 'missing');
    check('- name: a\n  paths: [x]\n  command: [make]\n- name: a\n  paths: [y]\n  command: [make]\n', 'rule "a" (#2)', 'duplicate');
    check('rules:\n  - name: [unclosed\n', 'cannot parse YAML');
    // Issue 9 item 5: what JSON.stringify would print as null, and timers Node cannot hold.
    check('- name: a\n  paths: [x]\n  command: [make]\n  concurrency: 1e309\n', 'field "concurrency"', 'must be an integer from 1 to 10000, got Infinity');
    check('- name: a\n  paths: [x]\n  command: [make]\n  concurrency: 1.5\n', 'field "concurrency"', 'got 1.5');
    check(
      '- name: a\n  paths: [x]\n  command: [make]\n  debounce: 2147483648\n',
      'field "debounce"',
      'must be an integer (milliseconds) from 0 to 2147483647, got 2147483648',
    );
    check('- name: a\n  paths: [x]\n  command: [make]\n  debounce: .nan\n', 'field "debounce"', 'got NaN');
    check('- name: a\n  paths: [x]\n  command: [make]\n  pollInterval: 1e12\n', 'field "pollInterval"', 'from 10 to 2147483647, got 1000000000000');
    check(
      '- name: a\n  paths: [x]\n  command: [make]\n  settle: off\n',
      'field "settle"',
      'from 0 to 2147483647, or false (no emulated close-write), got "off"',
    );
    const edge = bad('- name: a\n  paths: [x]\n  command: [make]\n  debounce: 2147483647\n  concurrency: 10000\n')() as {
      debounce: number;
      concurrency: number;
    }[];
    expect(edge[0]).toMatchObject({ debounce: 2147483647, concurrency: 10000 });
  });

  it('settle takes what watch() takes: milliseconds, or false to turn emulated close-write off', () => {
    const load = (settle: string) => (bad(`- name: a\n  paths: [x]\n  command: [make]\n  settle: ${settle}\n`)() as { settle?: number | false }[])[0]!.settle;
    expect(load('false')).toBe(false);
    expect(load('0')).toBe(0);
    expect(load('250')).toBe(250);
  });

  it('reads only regular files as rules, up to 1 MiB: a FIFO, /dev/zero or a huge file is a prompt INVALID_OPTION', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'a.yaml'), 'paths: [.]\ncommand: [make]\n');
    const fifo = path.join(dir, 'b.yaml');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const started = Date.now();
    const code = (f: () => unknown): [string, string] => {
      try {
        f();
      } catch (e) {
        return [(e as { code: string }).code, (e as Error).message];
      }
      return ['none', ''];
    };
    expect(code(() => loadRules(dir))).toEqual(['INVALID_OPTION', `${fifo}: is a FIFO, not a regular file; only regular files are read as rules`]);
    expect(code(() => loadRules('/dev/zero'))).toEqual([
      'INVALID_OPTION',
      '/dev/zero: is a character device, not a regular file; only regular files are read as rules',
    ]);
    const big = path.join(dir, 'big.json');
    writeFileSync(big, `[${' '.repeat(1024 * 1024)}]`);
    expect(code(() => loadRules(big))).toEqual([
      'INVALID_OPTION',
      `${big}: rule file larger than 1048576 bytes (1 MiB); rule files are small, is this the right file?`,
    ]);
    writeFileSync(big, `[${' '.repeat(1024 * 1024 - 2)}]`);
    expect(code(() => loadRules(big))).toEqual(['INVALID_OPTION', `${big}: no rules found`]);
    expect(Date.now() - started).toBeLessThan(5000);

    // The CLI, with a deadline: it must end on its own, with exit 2 and the message, not hang or grow.
    for (const args of [
      ['--config', dir],
      ['--config', dir, '--check'],
      ['--config', '/dev/zero'],
      ['--config', '/dev/zero', '--check'],
    ]) {
      const r = spawnSync(process.execPath, [cli, 'run', ...args], { encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL' });
      expect(r.signal, `vigil run ${args.join(' ')} had to be killed`).toBe(null);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('not a regular file; only regular files are read as rules');
    }
  });

  it('reads a directory of one-rule files (JSON or YAML), named after the file when they have no name', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'b-build.yaml'), 'paths: [src]\ncommand: [make]\n');
    writeFileSync(path.join(dir, 'a-sync.json'), JSON.stringify({ name: 'sync', paths: '/srv', events: 'close-write', command: ['rsync', '{path}'] }));
    writeFileSync(path.join(dir, '.hidden.yaml'), 'not: [a rule');
    writeFileSync(path.join(dir, 'README.md'), '# not a rule');
    const rules = loadRules(dir);
    expect(rules.map((r) => [r.name, r.paths, r.events, r.concurrency, r.overflow, r.debounce])).toEqual([
      ['sync', ['/srv'], ['close-write'], 1, 'queue', 0],
      ['b-build', [path.join(dir, 'src')], ['create', 'modify', 'close-write', 'delete', 'rename'], 1, 'queue', 0],
    ]);
  });

  it('finds rules through --config, VIGIL_CONFIG, VIGIL_CONFIG_DIR, ./vigil.rules.yaml, then $XDG_CONFIG_HOME/vigil/rules.d', () => {
    const dir = tempDir();
    const xdg = path.join(dir, 'xdg');
    mkdirSync(path.join(xdg, 'vigil', 'rules.d'), { recursive: true });
    expect(findConfig('f.yaml', { VIGIL_CONFIG: '/c.yaml' }, dir)).toEqual({ path: path.join(dir, 'f.yaml'), source: '--config' });
    expect(findConfig(undefined, { VIGIL_CONFIG: '/c.yaml', VIGIL_CONFIG_DIR: '/d' }, dir)).toEqual({ path: '/c.yaml', source: 'VIGIL_CONFIG' });
    expect(findConfig(undefined, { VIGIL_CONFIG_DIR: '/d' }, dir)).toEqual({ path: '/d', source: 'VIGIL_CONFIG_DIR' });
    expect(findConfig(undefined, { XDG_CONFIG_HOME: xdg }, dir)).toEqual({ path: path.join(xdg, 'vigil', 'rules.d'), source: 'default' });
    writeFileSync(path.join(dir, 'vigil.rules.yaml'), '[]');
    expect(findConfig(undefined, { XDG_CONFIG_HOME: xdg }, dir)).toEqual({ path: path.join(dir, 'vigil.rules.yaml'), source: 'default' });
    expect(() => findConfig(undefined, { XDG_CONFIG_HOME: path.join(dir, 'none') }, xdg)).toThrow(/no rules found.*VIGIL_CONFIG_DIR/);
  });

  it("the README's rule example is valid", () => {
    const readme = readFileSync(path.join(here, '../README.md'), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    const file = path.join(tempDir(), 'rules.yaml');
    writeFileSync(file, yaml);
    const rules = loadRules(file);
    expect(rules.map((r) => [r.name, r.events.length, r.concurrency, r.overflow, r.debounce])).toEqual([
      ['thumbnails', 2, 2, 'queue', 0],
      ['rebuild', 3, 1, 'coalesce', 300],
      ['audit', 5, 1, 'queue', 0],
    ]);
    expect(rules[0]!.command).toEqual(['./bin/thumbnail', '{path}']);
    expect(rules[2]!.config).toEqual({ logFile: '/var/log/app-audit.log' });
  });

  it('substitutes placeholders only as whole arguments', () => {
    const e = { type: 'rename', path: '/a/new name', oldPath: '/a/$(old)', kind: 'file', origin: 'os' } as const;
    expect(commandArgv(['cp', '{oldPath}', '{path}', '--', '{path}.bak', 'x{type}', '{kind}'], [e])).toEqual([
      'cp',
      '/a/$(old)',
      '/a/new name',
      '--',
      '{path}.bak',
      'x{type}',
      'file',
    ]);
    expect(commandArgv(['ls', '{paths}'], [e, { ...e, path: '/b' }, e])).toEqual(['ls', '/a/new name', '/b']);
  });

  it('the CLI exits 2 on an invalid rule, naming file, rule and field', () => {
    const dir = tempDir();
    const file = path.join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify([{ name: 'typo', paths: ['.'], command: ['true'], overflow: 'later' }]));
    const r = spawnSync(process.execPath, [cli, 'run', '--config', file], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`INVALID_OPTION: ${file}: rule "typo" (#1): field "overflow"`);
  });

  it('a rule whose path does not exist fails at start with PATH_NOT_FOUND (exit 2)', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'there'));
    const config = writeRules(dir, [
      { name: 'fine', paths: ['there'], command: ['true'] },
      { name: 'gone', paths: ['there', 'not-there'], command: ['true'] },
    ]);
    const r = spawnSync(process.execPath, [cli, 'run', '--config', config], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`PATH_NOT_FOUND: ${config}: rule "gone": field "paths": ${path.join(dir, 'not-there')}: no such file or directory`);
  });

  it('--print-env lists every variable it reads and sets; --check prints the rules', () => {
    const r = spawnSync(process.execPath, [cli, 'run', '--print-env'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    // Every VIGIL_EVENT_* variable the shared builder sets is listed (a new one must be), with the runner's own.
    for (const v of ['VIGIL_CONFIG', 'VIGIL_CONFIG_DIR', 'XDG_CONFIG_HOME', 'VIGIL_BACKEND', 'VIGIL_RULE', ...Object.keys(eventVariables([]))]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${v} +\\S`, 'm'));
    }
    const dir = tempDir();
    writeFileSync(path.join(dir, 'vigil.rules.yaml'), 'rules:\n  - name: build\n    paths: [.]\n    events: [close-write]\n    command: [make]\n');
    const c = spawnSync(process.execPath, [cli, 'run', '--check'], {
      encoding: 'utf8',
      cwd: dir,
      env: { ...process.env, VIGIL_CONFIG: '', VIGIL_CONFIG_DIR: '' },
    });
    expect(c.status).toBe(0);
    expect(c.stdout).toBe(`build: ${dir} [close-write] -> command ["make"] (debounce 0 ms, concurrency 1, overflow queue)\n`);
  });
});
