// The action table, walked row by row and over every context, and the
// translator on the record sequences windows-rdcw.md describes.
import { describe, expect, it } from 'vitest';
import {
  ACTION_TABLE,
  ActionTranslator,
  FileAction,
  IO_REPARSE_TAG_MOUNT_POINT,
  IO_REPARSE_TAG_SYMLINK,
  Rule,
  kindOfAttributes,
  ruleFor,
  type PlacedRecord,
  type RecordContext,
} from '../src/actions.js';
import type { RdcwRecord } from '../src/records.js';
import { mayBeShortName } from '../src/short-names.js';

const NONE: RecordContext = { isDirectory: false, nextIsOldOfSameName: false, afterOld: false, unresolvedShortName: false };
const A = FileAction;

describe('action table', () => {
  it('gives every action (known or not) in every context a rule, and never throws', () => {
    const rules = new Set<string>(Object.values(Rule));
    for (let action = 0; action <= 8; action++) {
      for (let bits = 0; bits < 16; bits++) {
        const ctx: RecordContext = {
          isDirectory: (bits & 1) !== 0,
          nextIsOldOfSameName: (bits & 2) !== 0,
          afterOld: (bits & 4) !== 0,
          unresolvedShortName: (bits & 8) !== 0,
        };
        expect(rules.has(ruleFor(action, ctx))).toBe(true);
      }
    }
    expect(ruleFor(0xffffffff, NONE)).toBe(Rule.LOOK);
  });

  // One line per row of ACTION_TABLE, in its order: action, context, rule.
  const rows: [number, Partial<RecordContext>, Rule][] = [
    [A.MODIFIED, { unresolvedShortName: true }, Rule.LOOK_PARENT_TREE],
    [A.ADDED, {}, Rule.ARRIVED],
    [A.REMOVED, { nextIsOldOfSameName: true }, Rule.DROP],
    [A.REMOVED, {}, Rule.LEFT],
    [A.MODIFIED, { isDirectory: true }, Rule.DROP],
    [A.MODIFIED, {}, Rule.LOOK],
    [A.RENAMED_OLD_NAME, {}, Rule.RENAME_OLD],
    [A.RENAMED_NEW_NAME, { afterOld: true }, Rule.RENAME_NEW],
    [A.RENAMED_NEW_NAME, {}, Rule.ORPHAN_NEW],
    [0, {}, Rule.LOOK],
  ];
  it('has the rows this test walks, in order', () => {
    expect(ACTION_TABLE.map((r) => r.rule)).toEqual(rows.map((r) => r[2]));
    for (const row of ACTION_TABLE) expect(row.why.length).toBeGreaterThan(10);
  });
  for (const [action, ctx, rule] of rows) {
    it(`action ${action} with ${JSON.stringify(ctx)} → ${rule}`, () => {
      expect(ruleFor(action, { ...NONE, ...ctx })).toBe(rule);
    });
  }

  it('a short name that does not resolve outranks every action', () => {
    for (const action of Object.values(A)) expect(ruleFor(action, { ...NONE, unresolvedShortName: true })).toBe(Rule.LOOK_PARENT_TREE);
  });

  it('an ADDED or a file MODIFIED is never dropped, whatever the neighbours', () => {
    expect(ruleFor(A.ADDED, { ...NONE, nextIsOldOfSameName: true, isDirectory: true, afterOld: true })).toBe(Rule.ARRIVED);
    expect(ruleFor(A.MODIFIED, { ...NONE, nextIsOldOfSameName: true, afterOld: true })).toBe(Rule.LOOK);
  });
});

describe('kinds from attributes (extended records)', () => {
  it('reads directory, file, symlink and junction; other reparse points are what their attributes say', () => {
    expect(kindOfAttributes(0x10, 0)).toBe('directory');
    expect(kindOfAttributes(0x20, 0)).toBe('file');
    expect(kindOfAttributes(0x400 | 0x20, IO_REPARSE_TAG_SYMLINK)).toBe('symlink');
    expect(kindOfAttributes(0x400 | 0x10, IO_REPARSE_TAG_SYMLINK)).toBe('symlink');
    expect(kindOfAttributes(0x400 | 0x10, IO_REPARSE_TAG_MOUNT_POINT)).toBe('symlink');
    // A cloud file (OneDrive, IO_REPARSE_TAG_CLOUD_6) is an ordinary file to the user.
    expect(kindOfAttributes(0x400 | 0x20, 0x9000601a)).toBe('file');
  });
});

describe('8.3 short names', () => {
  it('spots names that may be generated short names', () => {
    for (const n of ['PROGRA~1', 'NOTES~1.TXT', 'LONGNA~1.TXT', 'RUNNER~1', 'AB12~1.JS', 'A~F3B1']) expect(mayBeShortName(n), n).toBe(true);
    for (const n of ['backup~', 'file.txt~', '~lock', 'ABCDEF~12.txt', 'abc~1.html', 'a.b~1', 'plain.txt', '~$doc.docx'])
      expect(mayBeShortName(n), n).toBe(false);
  });
});

/** Records placed under /r, `\` turned into `/`. */
function placed(...specs: (Partial<RdcwRecord> & { action: number; name: string })[]): PlacedRecord[] {
  return specs.map((r, i) => ({ record: { offset: i, ...r }, path: `/r/${r.name.replace(/\\/g, '/')}` }));
}
const ext = (fileId: bigint, attributes = 0x20) => ({
  creationTime: 0n,
  lastModificationTime: 0n,
  lastChangeTime: 0n,
  lastAccessTime: 0n,
  allocatedLength: 0n,
  fileSize: 0n,
  fileAttributes: attributes,
  reparsePointTag: 0,
  fileId,
  parentFileId: 0n,
});

describe('translator', () => {
  it('pairs adjacent OLD/NEW halves by a link', () => {
    const t = new ActionTranslator();
    expect(t.translate(placed({ action: A.RENAMED_OLD_NAME, name: 'a' }, { action: A.RENAMED_NEW_NAME, name: 'b' }))).toEqual([
      {
        events: [
          { type: 'moved-from', path: '/r/a', kind: 'unknown', key: { link: 1 } },
          { type: 'moved-to', path: '/r/b', kind: 'unknown', key: { link: 1 } },
        ],
      },
    ]);
  });

  it('pairs an OLD at the end of one completion with the NEW that starts the next', () => {
    const t = new ActionTranslator();
    t.translate(placed({ action: A.RENAMED_OLD_NAME, name: 'a' }));
    expect(t.translate(placed({ action: A.RENAMED_NEW_NAME, name: 'sub\\a' }))).toEqual([
      { events: [{ type: 'moved-to', path: '/r/sub/a', kind: 'unknown', key: { link: 1 } }] },
    ]);
  });

  it('leaves an OLD followed by anything else unpaired, and gives a lone NEW a link of its own', () => {
    const t = new ActionTranslator();
    const out = t.translate(placed({ action: A.RENAMED_OLD_NAME, name: 'a' }, { action: A.ADDED, name: 'c' }, { action: A.RENAMED_NEW_NAME, name: 'b' }));
    expect(out).toEqual([
      {
        events: [
          { type: 'moved-from', path: '/r/a', kind: 'unknown', key: { link: 1 } },
          { type: 'moved-to', path: '/r/c', kind: 'unknown', key: 'identity' },
          { type: 'moved-to', path: '/r/b', kind: 'unknown', key: { link: 2 } },
        ],
      },
    ]);
  });

  it('drops the extra REMOVED of a case-only rename', () => {
    const t = new ActionTranslator();
    const out = t.translate(
      placed({ action: A.REMOVED, name: 'readme.md' }, { action: A.RENAMED_OLD_NAME, name: 'readme.md' }, { action: A.RENAMED_NEW_NAME, name: 'README.md' }),
    );
    expect(out).toEqual([
      {
        events: [
          { type: 'moved-from', path: '/r/readme.md', kind: 'unknown', key: { link: 1 } },
          { type: 'moved-to', path: '/r/README.md', kind: 'unknown', key: { link: 1 } },
        ],
      },
    ]);
  });

  it('keys REMOVED + ADDED by identity (plain) or by FileId (extended)', () => {
    const plain = new ActionTranslator().translate(placed({ action: A.REMOVED, name: 'x' }, { action: A.ADDED, name: 'sub\\x' }));
    expect(plain).toEqual([
      {
        events: [
          { type: 'moved-from', path: '/r/x', kind: 'unknown', key: 'identity' },
          { type: 'moved-to', path: '/r/sub/x', kind: 'unknown', key: 'identity' },
        ],
      },
    ]);
    const extended = new ActionTranslator().translate(
      placed(
        { action: A.REMOVED, name: 'x', extended: ext(42n) },
        { action: A.ADDED, name: 'sub\\x', extended: ext(42n) },
        { action: A.ADDED, name: 'fat', extended: ext(0n) },
      ),
    );
    expect(extended).toEqual([
      {
        events: [
          { type: 'moved-from', path: '/r/x', kind: 'file', key: { link: 'fid:42' } },
          { type: 'moved-to', path: '/r/sub/x', kind: 'file', key: { link: 'fid:42' } },
          // A file id of 0 (FAT) identifies nothing: core's identity instead.
          { type: 'moved-to', path: '/r/fat', kind: 'file', key: 'identity' },
        ],
      },
    ]);
  });

  it("turns MODIFIED into a look, drops a directory's MODIFIED, and keeps the order of events and looks", () => {
    const t = new ActionTranslator();
    const out = t.translate(
      placed(
        { action: A.ADDED, name: 'a' },
        { action: A.MODIFIED, name: 'a' },
        { action: A.MODIFIED, name: 'a' },
        { action: A.MODIFIED, name: 'sub', extended: ext(7n, 0x10) },
        { action: A.MODIFIED, name: 'b', extended: ext(8n) },
        { action: A.REMOVED, name: 'c' },
        { action: 99, name: 'odd' },
      ),
    );
    expect(out).toEqual([
      { events: [{ type: 'moved-to', path: '/r/a', kind: 'unknown', key: 'identity' }] },
      { changed: ['/r/a', '/r/b'], recursive: false },
      { events: [{ type: 'moved-from', path: '/r/c', kind: 'unknown', key: 'identity' }] },
      { changed: ['/r/odd'], recursive: false },
    ]);
  });

  it('turns a record whose short name did not resolve into a look at the tree holding it', () => {
    const t = new ActionTranslator();
    const out = t.translate([{ record: { action: A.REMOVED, name: 'sub\\NOTES~1.TXT', offset: 0 }, path: '/r/sub', unresolvedIn: '/r/sub' }]);
    expect(out).toEqual([{ changed: ['/r/sub'], recursive: true }]);
  });
});
