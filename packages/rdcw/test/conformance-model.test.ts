/**
 * The whole conformance suite against the rdcw backend fed by a model of
 * ReadDirectoryChangesW built on inotify (test/inotify-model.ts): every
 * scenario's operations happen on real files, the model turns inotify's
 * records into RDCW records (2-byte packed, plain layout), and the backend
 * and core must produce the contract's events. Three times: plain records
 * with moves between directories paired as Wine pairs them (OLD/NEW), plain
 * records with those moves split as Windows splits them (REMOVED + ADDED,
 * paired by name and identity), and extended records (FileId and attributes)
 * split.
 *
 * This checks the TypeScript half's translation against the scenarios; it is
 * no evidence about the addon or about Windows itself (Wine and real Windows
 * run the suite with the real addon).
 */
import { describe, it } from 'vitest';
import { createWatcher } from '@vigilfs/core';
import { runConformance } from '@vigilfs/conformance';
import { pollBackend } from '@vigilfs/poll';
import { createRdcwBackend, RDCW_CAPABILITIES } from '../src/backend.js';
import { inotifyModel } from './inotify-model.js';

const linux = process.platform === 'linux';

/** Plain records (Wine, and Windows before 10 1709) say nothing of an entry's kind. */
const NO_KIND = 'plain records carry no entry kind: a directory renamed before core could look at it is created as `unknown`, and core does not read it';
/** The OS does not follow links inside the tree. */
const NOT_FOLLOWED =
  'the OS does not follow a symlink or junction inside the watched tree (windows-rdcw.md §12): a change made inside a linked directory outside the tree is not reported';
/** Plain records pair a move between directories by its name and identity. */
const RENAMED_ACROSS =
  'plain records: a move between directories that also renames arrives as REMOVED + ADDED of two names; only a FileId (extended records, Windows 10 1709+) pairs it';
/** Scenarios the rdcw backend fails over this model, with why (each is a limit of plain records or of emulated close-write, not of the model). */
const EXPECTED_FAILURES: Readonly<Record<'pair' | 'split' | 'extended', Readonly<Record<string, string>>>> = {
  pair: {
    'create/empty-dir-renamed-at-once': NO_KIND,
    'create/dir-filled-and-renamed-at-once': NO_KIND,
    'rename/atomic-save-fast':
      'close-write is emulated by settling: a file renamed at once is never settled under its temp name (the scenario asks for the close-write of f.tmp, which only native close-write gives)',
    'symlink/follow-dir-existing': NOT_FOLLOWED,
  },
  split: {
    'create/empty-dir-renamed-at-once': NO_KIND,
    'create/dir-filled-and-renamed-at-once': NO_KIND,
    'rename/atomic-save-fast':
      'close-write is emulated by settling: a file renamed at once is never settled under its temp name (the scenario asks for the close-write of f.tmp, which only native close-write gives)',
    'rename/across-dirs': RENAMED_ACROSS,
    'rename/populated-dir-across-dirs': RENAMED_ACROSS,
    'roots/same-tree-twice': RENAMED_ACROSS,
    'symlink/follow-dir-existing': NOT_FOLLOWED,
  },
  extended: {
    'rename/atomic-save-fast':
      'close-write is emulated by settling: a file renamed at once is never settled under its temp name (the scenario asks for the close-write of f.tmp, which only native close-write gives)',
    'symlink/follow-dir-existing': NOT_FOLLOWED,
  },
};

const VARIANTS = {
  pair: { crossDirectory: 'pair', title: 'plain records, moves between directories paired (Wine)' },
  split: { crossDirectory: 'split', title: 'plain records, moves between directories split (Windows before 10 1709)' },
  extended: { crossDirectory: 'split', extended: true, title: 'extended records, moves between directories split (Windows 10 1709+)' },
} as const;

for (const [variant, { title, ...modelOptions }] of Object.entries(VARIANTS) as [keyof typeof VARIANTS, (typeof VARIANTS)[keyof typeof VARIANTS]][]) {
  const model = inotifyModel(modelOptions);
  const backend = createRdcwBackend({ load: model.load, platform: 'win32' });
  if (!linux) {
    describe.skip(`conformance: rdcw over the inotify model, ${title} (needs Linux)`, () => {
      it('cannot run here', () => {});
    });
    continue;
  }
  runConformance(
    {
      name: `rdcw over the inotify model, ${title}`,
      capabilities: RDCW_CAPABILITIES,
      watch: (roots, options) => createWatcher({ backends: [backend], poller: pollBackend }, roots, { ...options, backend: 'rdcw' }),
    },
    { describe, it },
    { expectedFailures: EXPECTED_FAILURES[variant] },
  );
}
