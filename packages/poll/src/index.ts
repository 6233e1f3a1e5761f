/**
 * @vigilfs/poll: vigil's stat-polling backend, and the polling machinery core
 * borrows for directories another backend cannot watch. Register it with core
 * (the `vigilfs` package does) or force it with `backend: 'poll'`.
 */
export { pollBackend } from './poll-backend.js';
export { SubtreePoller, type PollerHooks } from './directory-poller.js';
export { createDirSetScanner, type DirSetScanner, type DirChanges, type ScannedEntry } from './scanner/index.js';
