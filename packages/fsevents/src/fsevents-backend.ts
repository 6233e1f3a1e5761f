/** The live backend: `backend: 'fsevents'`, picked by `auto` on macOS for local volumes. */
import { createFseventsBackend, FSEVENTS_CAPABILITIES } from './backend.js';
import { liveSource, loadFsevents } from './live-source.js';

export const fseventsBackend = createFseventsBackend({
  async probe(_root, filesystem) {
    const loaded = loadFsevents();
    if (!loaded.ok) return { ok: false, reason: loaded.reason, unexpected: loaded.unexpected };
    if (filesystem?.remote) return { ok: false, reason: `${filesystem.type} volumes send no FSEvents for changes made by other machines; polled` };
    return { ok: true, capabilities: FSEVENTS_CAPABILITIES };
  },
  source() {
    const loaded = loadFsevents();
    if (!loaded.ok) throw new Error(loaded.reason);
    return liveSource(loaded.fsevents);
  },
});
