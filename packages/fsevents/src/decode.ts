/**
 * The one decoding path of the fsevents backend: records in, seam calls out.
 * Every record source (live, replay, model) is decoded here and nowhere else.
 *
 * Decoding is by flags and by looking: a record's flags only choose between
 * "rescan", "the root changed", "mounts changed", "look here" and "look here,
 * this may be a move half"; what happened at the path is decided by core,
 * which stats it and compares with its index (`sink.changed`). Records are
 * handed over in order; consecutive records of the same kind travel in one
 * call, since order between kinds matters (a move half, then a look at the
 * same directory).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BackendSink } from '@vigilfs/core';
import { actionOf, type FlagAction } from './flags.js';
import type { FseventsRecord } from './record.js';

export interface DecoderOptions {
  /** The root core watches (a real path). */
  root: string;
  /** The root as the source's records spell it, when it differs (a firmlinked or otherwise re-spelled real path). */
  recordRoot?: string;
  /** Only the root's own entries matter (a single-file root, depth 0). */
  recursive: boolean;
  sink: BackendSink;
}

/** Maps a record's path under `recordRoot` to the same path under `root`; undefined when it is not inside. */
function underRoot(p: string, root: string, recordRoot: string): string | undefined {
  if (p === recordRoot) return root;
  const prefix = recordRoot.endsWith('/') ? recordRoot : `${recordRoot}/`;
  if (!p.startsWith(prefix)) return undefined;
  return path.join(root, p.slice(prefix.length));
}

function isAncestorOrSelf(dir: string, p: string): boolean {
  return dir === p || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/** A decoder for one root: feed it batches of records, in order. */
export function createDecoder(options: DecoderOptions): (records: readonly FseventsRecord[]) => void {
  const { root, sink, recursive } = options;
  const recordRoot = options.recordRoot ?? root;

  return (records) => {
    let run: { action: 'look' | 'look-moved'; paths: string[]; seen: Set<string> } | undefined;
    const flushRun = (): void => {
      if (!run) return;
      sink.changed(run.paths, run.action === 'look-moved' ? { moved: true } : {});
      run = undefined;
    };
    for (const record of records) {
      const action: FlagAction = actionOf(record.flags);
      const at = underRoot(record.path, root, recordRoot);
      switch (action) {
        case 'consume':
          continue;
        case 'root-changed':
          flushRun();
          // RootChanged says the root went or came back: look which (R9).
          if (fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) void sink.rescan(root, 'unknown');
          else sink.rootRemoved();
          continue;
        case 'rescan':
          flushRun();
          // The dropped subtree may be an ancestor of the root (FSEvents.h): then the root is what to rescan.
          if (at !== undefined) void sink.rescan(at, 'overflow');
          else if (isAncestorOrSelf(record.path, recordRoot)) void sink.rescan(root, 'overflow');
          continue;
        case 'mounts':
          flushRun();
          sink.mountsChanged();
          continue;
        case 'look':
        case 'look-moved': {
          if (at === undefined) continue; // outside the tree (a sibling the stream also reports)
          if (at === root) {
            // The root itself: its own metadata; its listing is looked at through its children's records.
            continue;
          }
          if (!recursive && path.dirname(at) !== root) continue;
          if (run && run.action !== action) flushRun();
          run ??= { action, paths: [], seen: new Set() };
          // One look per path and run: a rename over an existing file names the target twice (one record
          // for the entry displaced, one for the entry moved in; fsnotify/fsevents testdata/watch-dir/rename-overwrite),
          // and two looks at one moment would report the arrival twice.
          if (run.seen.has(at)) continue;
          run.seen.add(at);
          run.paths.push(at);
          continue;
        }
        default:
          continue;
      }
    }
    flushRun();
  };
}
