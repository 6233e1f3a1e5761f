/**
 * One FSEvents record as the `fsevents` package hands it over, and the
 * interface every source of records implements: the live stream, a replay
 * file, and the inotify-driven model. The backend's decoding sees only this.
 */

/** `(path, flags, id)`: a real path (symlinks resolved, `/private/var/...`), the accumulated flags, the event id. */
export interface FseventsRecord {
  path: string;
  flags: number;
  id: number;
}

/** Where records come from. `start` resolves once the source is watching. */
export interface RecordSource {
  /** Starts delivering records for `root` (a real path) in batches, in id order. */
  start(root: string, onRecords: (records: FseventsRecord[]) => void): Promise<void>;
  /** True while records may still be on their way (known for the model and replay; unknowable for the live stream). */
  pending?(): boolean;
  /** Stops the stream; no record is delivered after it resolves. */
  stop(): Promise<void>;
  /** Short facts for `info()`. */
  describe?(): string;
}
