/**
 * The replay corpus (replay/*.replay): each file's operations run for real in
 * a temp root, its recorded records go through the one decoding path, and
 * vigil's events must equal the file's `expect:` list. Also: the parser's
 * errors, and the `vigil-fsevents-replay` command on one file.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseReplay, replayFile } from '../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const corpus = path.join(here, '..', 'replay');
const files = fs
  .readdirSync(corpus)
  .filter((f) => f.endsWith('.replay'))
  .sort();

describe('replay corpus', () => {
  it('has a file for every hard case the issue names', () => {
    for (const f of ['coalesced-create-modify-remove', 'rename-halves-split', 'rename-overwrite', 'dir-moved-out', 'repeated-created', 'dropped-events']) {
      expect(files).toContain(`${f}.replay`);
    }
  });

  for (const file of files) {
    it(file, async () => {
      const r = await replayFile(path.join(corpus, file));
      expect(r.script.source).not.toBe('');
      expect(r.script.expect, 'every corpus file states what vigil must report').toBeDefined();
      expect(r.shown).toEqual(r.script.expect);
    });
  }
});

describe('replay format', () => {
  it('parses records, ids, pauses and expectations', () => {
    const s = parseReplay(
      [
        'source: test',
        'recorded-root: /dir',
        'settle: 50ms',
        'setup:',
        '  write "a b" "x y"',
        'steps:',
        '  pause 10ms',
        '  records:',
        '    Created|IsFile /dir/a b id=9',
        'expect:',
        '  create file "a b"',
      ].join('\n'),
    );
    expect(s.recordedRoot).toBe('/dir');
    expect(s.settle).toBe(50);
    expect(s.setup).toEqual([{ kind: 'op', argv: ['write', 'a b', 'x y'], line: 5 }]);
    expect(s.steps[1]).toEqual({ kind: 'records', records: [{ flags: 0x10100, path: '/dir/a b', id: 9 }], line: 2 });
    expect(s.expect).toEqual(['create file a b']);
  });

  it('requires a source and names the line of an error', () => {
    expect(() => parseReplay('steps:\n  mv a b\n')).toThrow(/source/);
    expect(() => parseReplay('source: x\nsteps:\n  records:\n    Bogus /a\n')).toThrow(/unknown FSEvents flag "Bogus"/);
    expect(() => parseReplay('source: x\nwhat: y\n')).toThrow(/line 2/);
  });
});

describe('vigil-fsevents-replay', () => {
  const cli = path.join(here, '..', 'dist', 'replay-cli.js');
  it.skipIf(!fs.existsSync(cli))('prints the events of a file as JSON lines', () => {
    const file = path.join(corpus, 'rename-file.replay');
    const r = spawnSync(process.execPath, [cli, file], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ file, type: 'rename', kind: 'file', path: 'rename', oldPath: 'file', origin: 'os' }]);
  });
});
