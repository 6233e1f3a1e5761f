// The installed product (issue 13): scripts/ci/install-smoke.mjs packs every
// package, installs the tarballs with plain npm into a fresh project whose PATH
// has no compiler, and checks import/require, the native backend, a paired
// rename, the `vigil` bin and TypeScript consumers; then the same install for
// linux-arm64, run by the arm64 node under qemu-user, and for win32-x64, run by
// node.exe under Wine. It takes ~30 s of two cores, so it runs in CI (CI=true)
// or when asked (VIGIL_INSTALL_SMOKE=1), and is reported as skipped otherwise.
// Under CI a missing prerequisite (a binary, qemu-user, Wine, a foreign node)
// fails it: the script checks each one.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const wanted = process.env.CI === 'true' || process.env.CI === '1' || process.env.VIGIL_INSTALL_SMOKE === '1';

describe('install from the packed tarballs', () => {
  it.runIf(wanted)(
    'installs with plain npm and no compiler, and watches natively on linux x64, linux arm64 and win32 x64',
    () => {
      const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'ci', 'install-smoke.mjs')], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
        timeout: 280_000,
      });
      process.stdout.write(r.stdout);
      const failed = r.stdout.split('\n').filter((l) => l.startsWith('[smoke] FAIL'));
      expect({ status: r.status, signal: r.signal, failed, stderr: r.status === 0 ? '' : r.stderr.slice(-4000) }).toEqual({
        status: 0,
        signal: null,
        failed: [],
        stderr: '',
      });
    },
    300_000,
  );
});
