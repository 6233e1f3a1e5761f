/**
 * @vigilfs/poll: vigil's stat-polling backend. Register it with core (the
 * `vigil` package does) or force it with `backend: 'poll'`.
 */
export { pollBackend } from './poll-backend.js';
export { createDirSetScanner, type DirSetScanner, type DirChanges, type ScannedEntry } from './scanner/index.js';
