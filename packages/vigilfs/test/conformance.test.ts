/**
 * The conformance suite (packages/conformance/scenarios) against every
 * registered backend. A backend that cannot run on this machine (its probe
 * says why) is skipped as a whole with that reason; scenarios a backend's
 * capabilities do not allow are skipped by their own `requires` gates.
 *
 * On Linux the suite also runs against `fsevents-model`: the fsevents
 * backend's decoding fed by an inotify-driven model of FSEvents
 * (packages/fsevents/test/model/MODEL.md), so every CI run exercises the
 * macOS decoding path on every scenario.
 */
import os from 'node:os';
import { describe, it } from 'vitest';
import { backends, watch } from 'vigilfs';
import { createWatcher } from '@vigilfs/core';
import { createFseventsBackend, FSEVENTS_CAPABILITIES } from '@vigilfs/fsevents';
import { loadInotifyAddon } from '@vigilfs/inotify';
import { pollBackend } from '@vigilfs/poll';
import { runConformance } from '@vigilfs/conformance';
import { FSEVENTS_MODEL_EXPECTED_FAILURES, MODEL_TEST_LATENCY_MS, inotifyModelSource } from '../../fsevents/test/model/inotify-model.js';

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

// The fsevents decoding, fed by the model of FSEvents over inotify (Linux only: the model needs inotify).
const inotifyHere = process.platform === 'linux' && loadInotifyAddon().ok;
if (!inotifyHere) {
  if (process.platform === 'linux' && process.env.CI === 'true') throw new Error('fsevents-model must run under CI on Linux: the inotify addon did not load');
  describe.skip('conformance: fsevents-model (skipped: the model of FSEvents runs on inotify, Linux only)', () => {
    it('cannot run here', () => {});
  });
} else {
  const model = createFseventsBackend({
    source: () => inotifyModelSource({ latencyMs: MODEL_TEST_LATENCY_MS }),
    probe: async () => ({ ok: true, capabilities: FSEVENTS_CAPABILITIES }),
    moveWindowMs: MODEL_TEST_LATENCY_MS + 50,
  });
  const environment = { backends: [model], poller: pollBackend };
  runConformance(
    {
      name: 'fsevents-model',
      capabilities: FSEVENTS_CAPABILITIES,
      watch: (root, options) => createWatcher(environment, root, { ...options, backend: 'fsevents' }),
    },
    { describe, it },
    { expectedFailures: FSEVENTS_MODEL_EXPECTED_FAILURES },
  );
}
