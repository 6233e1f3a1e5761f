#!/usr/bin/env node
// `npm test`: the whole suite (unit, conformance against every backend, CLI,
// mounts, native) in one vitest run, then one plain closing line with the
// counts ("vitest: N passed, N failed, N skipped") for tools that read it.
// Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const scratch = mkdtempSync(path.join(tmpdir(), 'vigil-test-report-'));
const report = path.join(scratch, 'report.json');
const r = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
if (existsSync(report)) {
  const { numPassedTests = 0, numFailedTests = 0, numPendingTests = 0, numTodoTests = 0 } = JSON.parse(readFileSync(report, 'utf8'));
  process.stdout.write(`\nvitest: ${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`);
}
rmSync(scratch, { recursive: true, force: true });
process.exit(r.status ?? 1);
