// persistent: false: a watcher that does not keep the process alive (fs.watch's option), on every backend.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { backends } from '../src/index.js';

// Backends that can run on this machine (fsevents is macOS only; its probe says so and the conformance test reports it skipped).
const runnableHere = (await Promise.all(backends.map(async (b) => ((await b.probe(tmpdir())).ok ? b.name : undefined)))).filter(
  (n): n is string => n !== undefined,
);

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/index.js');

describe.each(runnableHere)('persistent with backend %s', (backend) => {
  it('false: the process exits with the watcher open; true (default): it stays', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vigil-persistent-'));
    try {
      const script = (persistent: boolean): string =>
        `const { watch } = await import(${JSON.stringify(dist)}); await watch(${JSON.stringify(dir)}, { backend: ${JSON.stringify(backend)}, persistent: ${persistent} }); console.log('watching');`;
      const off = spawnSync(process.execPath, ['--input-type=module', '-e', script(false)], { encoding: 'utf8', timeout: 20_000 });
      expect(off.stdout.trim()).toBe('watching');
      expect(off.status).toBe(0);
      const on = spawnSync(process.execPath, ['--input-type=module', '-e', script(true)], { encoding: 'utf8', timeout: 3_000 });
      expect(on.stdout.trim()).toBe('watching');
      // Still running when the timeout killed it.
      expect(on.signal).toBe('SIGTERM');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
