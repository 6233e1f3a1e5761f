/**
 * The conformance suite (packages/conformance/scenarios) against every
 * registered backend. A backend that cannot run on this machine (its probe
 * says why) is skipped as a whole with that reason; scenarios a backend's
 * capabilities do not allow are skipped by their own `requires` gates.
 */
import os from 'node:os';
import { describe, it } from 'vitest';
import { backends, watch } from 'vigilfs';
import { runConformance } from '@vigilfs/conformance';

for (const backend of backends) {
  const probe = await backend.probe(os.tmpdir());
  if (!probe.ok) {
    // Off the platforms a backend is for, skipping is honest; under CI on its own platform it is a broken build.
    const expectedHere = backend.name === 'poll' || (backend.name === 'inotify' && process.platform === 'linux');
    if (expectedHere && process.env.CI === 'true') throw new Error(`backend ${backend.name} must run under CI: ${probe.reason}`);
    describe.skip(`conformance: ${backend.name} (skipped: ${probe.reason})`, () => {
      it('cannot run here', () => {});
    });
    continue;
  }
  runConformance(
    {
      name: backend.name,
      capabilities: probe.capabilities,
      watch: (root, options) => watch(root, { ...options, backend: backend.name }),
    },
    { describe, it },
  );
}
