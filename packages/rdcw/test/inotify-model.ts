/**
 * A model of ReadDirectoryChangesW on Linux: an object implementing the rdcw
 * addon's interface whose records come from inotify, translated the way Wine
 * does it (server/change.c, windows-under-wine.md §4) but with Windows'
 * behaviour where Wine differs and the difference is not the backend's to
 * cope with: every directory of the tree is watched (Windows watches the
 * subtree natively), paths follow a renamed directory, and the parent of a
 * changed entry gets its MODIFIED noise (windows-rdcw.md §10).
 *
 * - IN_CREATE → ADDED; IN_DELETE → REMOVED; IN_MODIFY, IN_ATTRIB → MODIFIED;
 * - IN_MOVED_FROM + IN_MOVED_TO with one cookie in one read → RENAMED_OLD_NAME
 *   then RENAMED_NEW_NAME, adjacent (Wine pairs by cookie; Windows pairs a
 *   rename within a directory and reports a move between directories as
 *   REMOVED + ADDED, §8 — `crossDirectory: 'split'` models that);
 *   an unpaired half → REMOVED or ADDED;
 * - IN_Q_OVERFLOW → `overflow`; the root deleted → ERROR_ACCESS_DENIED;
 *   the root moved → a different final path (the handle follows it).
 *
 * Records are written packed on 2 bytes, as Wine writes them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { IN, Inotify, type InotifyEvent } from '@vigilfs/inotify';
import type { AddonLoad } from '@vigilfs/native-loader';
import { FileAction as A } from '../src/actions.js';
import type { RdcwAddon, RdcwBatch, RdcwRoot } from '../src/addon.js';
import { buildBuffer, type RecordSpec } from './record-builder.js';

const MASK =
  IN.IN_CREATE |
  IN.IN_DELETE |
  IN.IN_MOVED_FROM |
  IN.IN_MOVED_TO |
  IN.IN_MODIFY |
  IN.IN_ATTRIB |
  IN.IN_DELETE_SELF |
  IN.IN_MOVE_SELF |
  IN.IN_ONLYDIR |
  IN.IN_DONT_FOLLOW |
  IN.IN_EXCL_UNLINK;

export interface ModelOptions {
  /** How a move between directories is reported: `'pair'` as Wine does, `'split'` (REMOVED + ADDED) as Windows does. */
  crossDirectory: 'pair' | 'split';
  /** FILE_NOTIFY_EXTENDED_INFORMATION records (Windows 10 1709+): the inode as FileId, IN_ISDIR as the directory attribute. */
  extended?: boolean;
}

/**
 * How long a move's old half that ended an inotify read waits for its new
 * half in the next read before it is a REMOVED. Windows keeps the halves of
 * one rename together, so the model must not split them only because the
 * test machine was busy: generous (a real move out waits this long), and
 * renewed while the reader still has bytes the JS side has not seen (250 ms
 * split a same-directory rename once in a loaded CI-sized run).
 */
const HOLD_MS = 1000;

/** A record as the model builds it: `dir` says whether the entry is a directory (for the extended layout). */
type ModelRecord = RecordSpec & { dir?: boolean; movedTo?: string };

/** The model addon. */
export function inotifyModel(options: ModelOptions): { addon: RdcwAddon; load: () => AddonLoad<RdcwAddon> } {
  const addon: RdcwAddon = {
    abiVersion: 1,
    watch: (rootPath, _opts, onBatch) => watchTree(rootPath, options, onBatch),
    volumeInfo: () => ({ driveType: 3, fsName: 'NTFS', fsFlags: 0, serial: 1 }),
  };
  return { addon, load: () => ({ ok: true, addon, file: 'inotify-model' }) };
}

function watchTree(
  root: string,
  options: ModelOptions,
  onBatch: (b: RdcwBatch) => void,
): RdcwRoot | { error: { errno: number; code: string; syscall: string } } {
  if (!fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) return { error: { errno: 3, code: 'ERROR_PATH_NOT_FOUND', syscall: 'CreateFileW' } };
  const inotify = new Inotify({ start: false });
  /** wd → path relative to the root ('' for the root), kept up to date across directory renames. */
  const dirs = new Map<number, string>();
  let finalPath = `\\\\?\\M:\\model${root.replace(/\//g, '\\')}`;
  let ended = false;

  /**
   * Extended records: a FileId per entry, kept across renames and known after
   * the entry is gone, as Windows keeps it. Ids are handed out by a counter,
   * not taken from the inode: NTFS ids carry a sequence number, so a new file
   * never gets the id of a deleted one, where ext4 reuses inodes at once.
   */
  const ids = new Map<string, bigint>();
  let nextId = 1000n;
  const absOf = (rel: string): string => (rel === '' ? root : path.join(root, ...rel.split('\\')));
  const idOf = (rel: string): bigint => {
    let id = ids.get(rel);
    if (id === undefined) {
      id = ++nextId;
      ids.set(rel, id);
    }
    return id;
  };
  const moveIds = (rel: string, toRel: string): void => {
    for (const [p, id] of [...ids]) {
      if (p === rel || p.startsWith(`${rel}\\`)) {
        ids.delete(p);
        ids.set(toRel + p.slice(rel.length), id);
      }
    }
  };
  const dropIds = (rel: string): void => {
    for (const p of [...ids.keys()]) if (p === rel || p.startsWith(`${rel}\\`)) ids.delete(p);
  };
  /** The rename whose new half comes next (it carries the old half's FileId). */
  let renaming: string | undefined;
  const decorate = (r: ModelRecord): void => {
    const st = fs.lstatSync(absOf(r.name), { throwIfNoEntry: false });
    r.attributes = r.dir ? 0x10 : 0x20;
    if (st?.isSymbolicLink()) {
      r.attributes = 0x400 | 0x20;
      r.reparseTag = 0xa000000c;
    }
    if (r.action === A.RENAMED_OLD_NAME || (r.action === A.REMOVED && r.movedTo !== undefined)) {
      r.fileId = idOf(r.name);
      renaming = r.name;
      return;
    }
    if ((r.action === A.RENAMED_NEW_NAME || r.action === A.ADDED) && renaming !== undefined) {
      r.fileId = idOf(renaming);
      moveIds(renaming, r.name);
      renaming = undefined;
      return;
    }
    renaming = undefined;
    if (r.action === A.ADDED) dropIds(r.name); // a new entry: a new id
    r.fileId = idOf(r.name);
    if (r.action === A.REMOVED) dropIds(r.name);
  };

  const add = (rel: string): void => {
    const abs = rel === '' ? root : path.join(root, ...rel.split('\\'));
    let wd: number;
    try {
      wd = inotify.addWatch(abs, MASK);
    } catch {
      return; // gone already, or not a directory
    }
    dirs.set(wd, rel);
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}\\${e.name}`;
      if (options.extended) idOf(child);
      if (e.isDirectory()) add(child);
    }
  };
  add('');

  const forget = (wd: number): void => {
    dirs.delete(wd);
    try {
      inotify.removeWatch(wd);
    } catch {
      // already gone
    }
  };
  const relOf = (e: InotifyEvent): string | undefined => {
    const dir = dirs.get(e.wd);
    if (dir === undefined) return undefined;
    return dir === '' ? e.name : e.name === '' ? dir : `${dir}\\${e.name}`;
  };
  const parentOf = (rel: string): string => (rel.includes('\\') ? rel.slice(0, rel.lastIndexOf('\\')) : '');
  const isDir = (e: InotifyEvent): boolean => (e.mask & IN.IN_ISDIR) !== 0;

  /** A move's old half that ended a read: Windows keeps the halves together, so it waits for the next read (or HOLD_MS). */
  let held: { event: InotifyEvent; rel: string; timer: NodeJS.Timeout } | undefined;

  const renameDirs = (rel: string, toRel: string): void => {
    let any = false;
    for (const [wd, d] of dirs) {
      if (d === rel || d.startsWith(`${rel}\\`)) {
        dirs.set(wd, toRel + d.slice(rel.length));
        any = true;
      }
    }
    // Its watch was never added (it moved before the model got to it): Windows watches the subtree anyway.
    if (!any) add(toRel);
  };

  const deliver = (records: ModelRecord[], overflow: boolean, rootGone: boolean): void => {
    const extended = options.extended === true;
    if (extended) for (const r of records) decorate(r);
    const batch: RdcwBatch = { buffers: records.length ? [buildBuffer(records, { align: 2, extended })] : [], extended };
    if (overflow) batch.overflow = true;
    if (rootGone) {
      ended = true;
      batch.error = { errno: 5, code: 'ERROR_ACCESS_DENIED', syscall: 'ReadDirectoryChangesW', path: root };
    }
    if (batch.buffers.length || batch.overflow || batch.error) onBatch(batch);
  };

  const handle = (events: InotifyEvent[]): void => {
    if (ended) return;
    const records: ModelRecord[] = [];
    let overflow = false;
    let rootGone = false;
    const consumed = new Set<InotifyEvent>();
    const noise = (rel: string): void => {
      const parent = parentOf(rel);
      if (parent !== '') records.push({ action: A.MODIFIED, name: parent, dir: true });
    };
    const moved = (from: InotifyEvent, rel: string, to: InotifyEvent | undefined): void => {
      const toRel = to && relOf(to);
      if (to && toRel !== undefined) {
        consumed.add(to);
        const split = options.crossDirectory === 'split' && parentOf(rel) !== parentOf(toRel);
        records.push(
          { action: split ? A.REMOVED : A.RENAMED_OLD_NAME, name: rel, dir: isDir(from), movedTo: toRel },
          { action: split ? A.ADDED : A.RENAMED_NEW_NAME, name: toRel, dir: isDir(from) },
        );
        noise(rel);
        if (parentOf(toRel) !== parentOf(rel)) noise(toRel);
        if (isDir(from)) renameDirs(rel, toRel);
      } else {
        records.push({ action: A.REMOVED, name: rel, dir: isDir(from) });
        noise(rel);
        if (isDir(from)) for (const [wd, d] of dirs) if (d === rel || d.startsWith(`${rel}\\`)) forget(wd);
      }
    };
    if (held) {
      clearTimeout(held.timer);
      const { event, rel } = held;
      held = undefined;
      moved(
        event,
        rel,
        events.find((t) => t.cookie === event.cookie && (t.mask & IN.IN_MOVED_TO) !== 0),
      );
    }
    events.forEach((e, at) => {
      if (consumed.has(e)) return;
      if (e.mask & IN.IN_Q_OVERFLOW) {
        overflow = true;
        return;
      }
      const rel = relOf(e);
      if (rel === undefined) return;
      if (e.mask & IN.IN_IGNORED) {
        dirs.delete(e.wd);
        return;
      }
      if (rel === '' && e.mask & IN.IN_DELETE_SELF) {
        rootGone = true;
        return;
      }
      if (rel === '' && e.mask & IN.IN_MOVE_SELF) {
        finalPath = `${finalPath}-moved`;
        return;
      }
      if (e.mask & (IN.IN_DELETE_SELF | IN.IN_MOVE_SELF)) return; // a subdirectory's own records: its parent reports it
      if (e.mask & IN.IN_CREATE) {
        records.push({ action: A.ADDED, name: rel, dir: isDir(e) });
        noise(rel);
        if (isDir(e)) add(rel);
      } else if (e.mask & IN.IN_DELETE) {
        records.push({ action: A.REMOVED, name: rel, dir: isDir(e) });
        noise(rel);
      } else if (e.mask & (IN.IN_MODIFY | IN.IN_ATTRIB)) {
        if (e.name !== '') records.push({ action: A.MODIFIED, name: rel, dir: isDir(e) });
      } else if (e.mask & IN.IN_MOVED_FROM) {
        const to = events.find((t) => t !== e && t.cookie === e.cookie && (t.mask & IN.IN_MOVED_TO) !== 0);
        if (!to && at === events.length - 1) {
          const expire = (): void => {
            if (held && inotify.pendingBytes() > 0) held.timer = setTimeout(expire, HOLD_MS);
            else handle([]);
          };
          held = { event: e, rel, timer: setTimeout(expire, HOLD_MS) };
          return;
        }
        moved(e, rel, to);
      } else if (e.mask & IN.IN_MOVED_TO) {
        records.push({ action: A.ADDED, name: rel, dir: isDir(e) });
        noise(rel);
        if (isDir(e)) add(rel);
      }
    });
    deliver(records, overflow, rootGone);
  };
  inotify.on('events', handle);
  inotify.start();
  return {
    finalPath: () => finalPath,
    close: async () => {
      ended = true;
      if (held) clearTimeout(held.timer);
      await inotify.close();
    },
  };
}
