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

const NONE: RecordContext = {
  isDirectory: false,
  nextIsOldOfSameName: false,
  afterOld: false,
  unresolvedShortName: false,
  partnerLater: false,
  partnerEarlier: false,
  goneLater: false,
};
const A = FileAction;

describe('action table', () => {
  it('gives every action (known or not) in every context a rule, and never throws', () => {
    const rules = new Set<string>(Object.values(Rule));
    for (let action = 0; action <= 8; action++) {
      for (let bits = 0; bits < 128; bits++) {
        const ctx: RecordContext = {
          isDirectory: (bits & 1) !== 0,
          nextIsOldOfSameName: (bits & 2) !== 0,
          afterOld: (bits & 4) !== 0,
          unresolvedShortName: (bits & 8) !== 0,
          partnerLater: (bits & 16) !== 0,
          partnerEarlier: (bits & 32) !== 0,
          goneLater: (bits & 64) !== 0,
        };
        expect(rules.has(ruleFor(action, ctx))).toBe(true);
      }
    }
    expect(ruleFor(0xffffffff, NONE)).toBe(Rule.LOOK);
  });

  // One line per row of ACTION_TABLE, in its order: action, context, rule.
  const rows: [number, Partial<RecordContext>, Rule][] = [
    [A.MODIFIED, { unresolvedShortName: true }, Rule.LOOK_PARENT_TREE],
    [A.ADDED, { partnerEarlier: true }, Rule.ARRIVED],
    [A.ADDED, {}, Rule.CREATE],
    [A.REMOVED, { nextIsOldOfSameName: true }, Rule.DROP],
    [A.REMOVED, { partnerLater: true }, Rule.LEFT],
    [A.REMOVED, {}, Rule.DELETE],
    [A.MODIFIED, { goneLater: true }, Rule.DROP],
    [A.MODIFIED, { isDirectory: true }, Rule.DROP],
    [A.MODIFIED, {}, Rule.COMPARE],
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
    expect(ruleFor(A.ADDED, { ...NONE, nextIsOldOfSameName: true, isDirectory: true, afterOld: true })).toBe(Rule.CREATE);
    expect(ruleFor(A.MODIFIED, { ...NONE, nextIsOldOfSameName: true, afterOld: true })).toBe(Rule.COMPARE);
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

const compare = (...paths: string[]) => ({ changed: paths, options: { contentOnly: true } });

describe('translator', () => {
  it('pairs adjacent OLD/NEW halves by a link, then looks at the arrival', () => {
    const t = new ActionTranslator();
    expect(t.translate(placed({ action: A.RENAMED_OLD_NAME, name: 'a' }, { action: A.RENAMED_NEW_NAME, name: 'b' }))).toEqual([
      {
        events: [
          { type: 'moved-from', path: '/r/a', kind: 'unknown', key: { link: 1 } },
          { type: 'moved-to', path: '/r/b', kind: 'unknown', key: { link: 1 } },
        ],
      },
      compare('/r/b'),
    ]);
  });

  it('pairs an OLD at the end of one completion with the NEW that starts the next', () => {
    const t = new ActionTranslator();
    t.translate(placed({ action: A.RENAMED_OLD_NAME, name: 'a' }));
    expect(t.translate(placed({ action: A.RENAMED_NEW_NAME, name: 'sub\\a' }))).toEqual([
      { events: [{ type: 'moved-to', path: '/r/sub/a', kind: 'unknown', key: { link: 1 } }] },
      compare('/r/sub/a'),
    ]);
  });

  it('leaves an OLD followed by anything else unpaired, and gives a lone NEW a link of its own', () => {
    const t = new ActionTranslator();
    const out = t.translate(placed({ action: A.RENAMED_OLD_NAME, name: 'a' }, { action: A.ADDED, name: 'c' }, { action: A.RENAMED_NEW_NAME, name: 'b' }));
    expect(out).toEqual([
      {
        events: [
          { type: 'moved-from', path: '/r/a', kind: 'unknown', key: { link: 1 } },
          { type: 'create', path: '/r/c', kind: 'unknown' },
          { type: 'moved-to', path: '/r/b', kind: 'unknown', key: { link: 2 } },
        ],
      },
      compare('/r/c', '/r/b'),
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
      compare('/r/README.md'),
    ]);
  });

  it('keys REMOVED + ADDED of one name in different directories by identity (plain) or matching FileIds by link (extended)', () => {
    const plain = new ActionTranslator().translate(placed({ action: A.REMOVED, name: 'x' }, { action: A.ADDED, name: 'sub\\X' }));
    expect(plain).toEqual([
      {
        events: [
          { type: 'moved-from', path: '/r/x', kind: 'unknown', key: 'identity' },
          { type: 'moved-to', path: '/r/sub/X', kind: 'unknown', key: 'identity' },
        ],
      },
      compare('/r/sub/X'),
    ]);
    const extended = new ActionTranslator().translate(
      placed(
        { action: A.REMOVED, name: 'x', extended: ext(42n) },
        { action: A.ADDED, name: 'sub\\renamed', extended: ext(42n) },
        { action: A.ADDED, name: 'fat', extended: ext(0n) },
      ),
    );
    expect(extended).toEqual([
      {
        events: [
          { type: 'moved-from', path: '/r/x', kind: 'file', key: { link: 'fid:42' } },
          { type: 'moved-to', path: '/r/sub/renamed', kind: 'file', key: { link: 'fid:42' } },
          { type: 'create', path: '/r/fat', kind: 'file' },
        ],
      },
      compare('/r/sub/renamed', '/r/fat'),
    ]);
  });

  it('keeps REMOVED + ADDED a delete and a create when they cannot be one move', () => {
    const cases: [string, ReturnType<typeof placed>][] = [
      // Same directory: Windows reports a rename there as OLD/NEW; this is a delete and a create (the inode may be reused).
      ['same directory', placed({ action: A.REMOVED, name: 'old' }, { action: A.ADDED, name: 'new' })],
      ['same directory, same name (replaced)', placed({ action: A.REMOVED, name: 'd\\f' }, { action: A.ADDED, name: 'd\\f' })],
      ['other directory, other name (plain: only a FileId could tell)', placed({ action: A.REMOVED, name: 'a\\x' }, { action: A.ADDED, name: 'b\\y' })],
      ['ADDED before REMOVED', placed({ action: A.ADDED, name: 'b\\x' }, { action: A.REMOVED, name: 'a\\x' })],
      ['different FileIds', placed({ action: A.REMOVED, name: 'a\\x', extended: ext(1n) }, { action: A.ADDED, name: 'b\\x', extended: ext(2n) })],
    ];
    for (const [what, records] of cases) {
      const types = new ActionTranslator().translate(records).flatMap((input) => ('events' in input ? input.events.map((e) => e.type) : []));
      expect(types.sort(), what).toEqual(['create', 'delete']);
    }
  });

  it("turns MODIFIED into a comparison and an unknown action into a look, after the batch's events, drops a directory's MODIFIED and one whose path goes later", () => {
    const t = new ActionTranslator();
    const out = t.translate(
      placed(
        { action: A.MODIFIED, name: 'b' },
        { action: A.ADDED, name: 'a' },
        { action: A.MODIFIED, name: 'a' },
        { action: A.MODIFIED, name: 'a' },
        { action: A.MODIFIED, name: 'sub', extended: ext(7n, 0x10) },
        { action: A.MODIFIED, name: 'gone\\f' },
        { action: A.MODIFIED, name: 'tmp' },
        { action: A.REMOVED, name: 'c' },
        { action: A.REMOVED, name: 'GONE' },
        { action: A.RENAMED_OLD_NAME, name: 'tmp' },
        { action: A.RENAMED_NEW_NAME, name: 'final' },
        { action: 99, name: 'odd' },
      ),
    );
    expect(out).toEqual([
      {
        events: [
          { type: 'create', path: '/r/a', kind: 'unknown' },
          { type: 'delete', path: '/r/c', kind: 'unknown' },
          { type: 'delete', path: '/r/GONE', kind: 'unknown' },
          { type: 'moved-from', path: '/r/tmp', kind: 'unknown', key: { link: 1 } },
          { type: 'moved-to', path: '/r/final', kind: 'unknown', key: { link: 1 } },
        ],
      },
      compare('/r/b', '/r/a', '/r/final'),
      { changed: ['/r/odd'], options: {} },
    ]);
  });

  it('turns a record whose short name did not resolve into a look at the tree holding it, after the rest', () => {
    const t = new ActionTranslator();
    const out = t.translate([
      { record: { action: A.REMOVED, name: 'sub\\NOTES~1.TXT', offset: 0 }, path: '/r/sub', unresolvedIn: '/r/sub' },
      { record: { action: A.ADDED, name: 'x', offset: 1 }, path: '/r/x' },
    ]);
    expect(out).toEqual([
      { events: [{ type: 'create', path: '/r/x', kind: 'unknown' }] },
      compare('/r/x'),
      { changed: ['/r/sub'], options: { recursive: true } },
    ]);
  });
});
