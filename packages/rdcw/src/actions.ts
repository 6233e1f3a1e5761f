/**
 * What a ReadDirectoryChangesW record means for vigil, as one table that a
 * test walks row by row (style.md: meaning in TypeScript tables, not C++).
 *
 * A record says little: an action, a name, and (extended layout) attributes
 * and a file id. What it means depends on its neighbours too, so each row
 * matches an action and a context (windows-rdcw.md):
 *
 * - RENAMED_OLD_NAME and RENAMED_NEW_NAME come back to back for a rename
 *   inside one directory, or a move Wine pairs: they are halves keyed by a
 *   counter (`{link}`), carried across completions when a buffer ends
 *   between them (§7, §8).
 * - A move between directories arrives as REMOVED + ADDED (§8). A REMOVED
 *   and a later ADDED of the same completion are taken for the halves of one
 *   move when their FileIds match (extended records), or, in plain records,
 *   when they lie in different directories under the same name; then they
 *   are keyed by the FileId, or by `'identity'` (core compares the old half's
 *   identity from its index with the new half's from an lstat, so a delete
 *   and an unrelated create of that name stay what they are). Any other
 *   REMOVED is a delete and any other ADDED a create: within one directory
 *   Windows reports a rename as OLD/NEW, never as REMOVED + ADDED, and a
 *   delete followed by a create that reuses the inode must not become a
 *   rename.
 * - A case-only rename arrives as REMOVED(old), RENAMED_OLD_NAME(old),
 *   RENAMED_NEW_NAME(NEW): the REMOVED is dropped (§7; names compare without
 *   regard to case).
 * - MODIFIED is a comparison (`changed` with `contentOnly`): core stats the
 *   path and compares with its index, so a content change is a modify, while
 *   an attribute-only change (not content, semantics.md R2) and a
 *   directory's noise (§10) come to nothing. It never reports a create or a
 *   delete: every entry that appears or goes has a record of its own, and a
 *   comparison made after a rename whose records are still on their way
 *   would find the path gone and split that rename. Where the record says
 *   the entry is a directory (extended), it is dropped without a look.
 * - A name holding an 8.3 short name that could not be resolved to its long
 *   name (it is gone, §5) is a look at the tree of the directory holding it.
 * - An action the table does not know is a full look at its path (a create,
 *   delete or modify, whatever core finds): never a throw.
 */
import type { BackendEvent, ChangedOptions, EntryKind, MoveKey } from '@vigilfs/core';
import type { RdcwRecord } from './records.js';

/** FILE_ACTION_* (winnt.h). */
export const FileAction = {
  ADDED: 1,
  REMOVED: 2,
  MODIFIED: 3,
  RENAMED_OLD_NAME: 4,
  RENAMED_NEW_NAME: 5,
} as const;
/** One of {@link FileAction}'s values. */
export type FileAction = (typeof FileAction)[keyof typeof FileAction];

/** FILE_ATTRIBUTE_* and IO_REPARSE_TAG_* bits the table reads (winnt.h). */
export const FILE_ATTRIBUTE_DIRECTORY = 0x10;
export const FILE_ATTRIBUTE_REPARSE_POINT = 0x400;
export const IO_REPARSE_TAG_SYMLINK = 0xa000000c;
export const IO_REPARSE_TAG_MOUNT_POINT = 0xa0000003;

/** What the backend does with one record. */
export const Rule = {
  /** An entry appeared: `create`. */
  CREATE: 'create',
  /** An entry went: `delete`. */
  DELETE: 'delete',
  /** The new half of a move between directories: `moved-to` keyed by FileId or identity. */
  ARRIVED: 'arrived',
  /** The old half of a move between directories: `moved-from` keyed by FileId or identity. */
  LEFT: 'left',
  /** The old half of an OLD/NEW pair: `moved-from` with a fresh link. */
  RENAME_OLD: 'rename-old',
  /** The new half right after its old half: `moved-to` with the old half's link. */
  RENAME_NEW: 'rename-new',
  /** A new half with no old half before it: `moved-to` with a link nothing shares, a create that displaces. */
  ORPHAN_NEW: 'orphan-new',
  /** Core compares the path's content with its index: a modify, or nothing (metadata only, directory noise). */
  COMPARE: 'compare',
  /** Core looks at the path and reports whatever differs from its index (an action nobody documented). */
  LOOK: 'look',
  /** Core rescans the tree of the directory holding a short name it cannot resolve. */
  LOOK_PARENT_TREE: 'look-parent-tree',
  /** Nothing to report. */
  DROP: 'drop',
} as const;
/** One of {@link Rule}'s values. */
export type Rule = (typeof Rule)[keyof typeof Rule];

/** What the table looks at besides the action. */
export interface RecordContext {
  /** The entry is a directory (known only from an extended record's attributes). */
  isDirectory: boolean;
  /** The next record is RENAMED_OLD_NAME of the same name, compared without case: a case-only rename follows. */
  nextIsOldOfSameName: boolean;
  /** The record before (possibly at the end of the previous completion) is a RENAMED_OLD_NAME still waiting for its new half. */
  afterOld: boolean;
  /** A component of the name is an 8.3 short name that could not be resolved. */
  unresolvedShortName: boolean;
  /** A REMOVED whose ADDED comes later in the completion (same FileId; plain: same name, another directory). */
  partnerLater: boolean;
  /** An ADDED whose REMOVED came earlier in the completion. */
  partnerEarlier: boolean;
  /** A later record of the completion removes or renames this path (or a directory above it). */
  goneLater: boolean;
}

/** One row: an action (or `'*'` for any), a condition on the context, the rule, and why. */
export interface ActionRow {
  action: FileAction | '*';
  when: (ctx: RecordContext) => boolean;
  rule: Rule;
  why: string;
}

const always = (): boolean => true;

/** The table, first matching row wins. */
export const ACTION_TABLE: readonly ActionRow[] = [
  { action: '*', when: (c) => c.unresolvedShortName, rule: Rule.LOOK_PARENT_TREE, why: 'an 8.3 short name that no longer resolves (windows-rdcw.md §5)' },
  { action: FileAction.ADDED, when: (c) => c.partnerEarlier, rule: Rule.ARRIVED, why: 'the new half of a move between directories (§8)' },
  { action: FileAction.ADDED, when: always, rule: Rule.CREATE, why: 'an entry created, or moved in from outside the tree' },
  { action: FileAction.REMOVED, when: (c) => c.nextIsOldOfSameName, rule: Rule.DROP, why: 'the extra REMOVED of a case-only rename (§7)' },
  { action: FileAction.REMOVED, when: (c) => c.partnerLater, rule: Rule.LEFT, why: 'the old half of a move between directories (§8)' },
  { action: FileAction.REMOVED, when: always, rule: Rule.DELETE, why: 'an entry deleted, or moved out of the tree' },
  { action: FileAction.MODIFIED, when: (c) => c.goneLater, rule: Rule.DROP, why: 'removed or renamed later in the completion: a look would run ahead of that' },
  { action: FileAction.MODIFIED, when: (c) => c.isDirectory, rule: Rule.DROP, why: "a directory's noise when an entry inside it changes (§10)" },
  { action: FileAction.MODIFIED, when: always, rule: Rule.COMPARE, why: 'content, metadata or directory noise: core compares (R2)' },
  { action: FileAction.RENAMED_OLD_NAME, when: always, rule: Rule.RENAME_OLD, why: 'the old half of a rename; its new half is the next record' },
  { action: FileAction.RENAMED_NEW_NAME, when: (c) => c.afterOld, rule: Rule.RENAME_NEW, why: 'the new half, right after its old half' },
  { action: FileAction.RENAMED_NEW_NAME, when: always, rule: Rule.ORPHAN_NEW, why: 'a new half without its old half: an arrival' },
  { action: '*', when: always, rule: Rule.LOOK, why: 'an action this table does not know: look, never throw' },
];

/** The rule for a record. Never throws. */
export function ruleFor(action: number, ctx: RecordContext): Rule {
  for (const row of ACTION_TABLE) if ((row.action === '*' || row.action === action) && row.when(ctx)) return row.rule;
  return Rule.LOOK;
}

/** The entry kind an extended record's attributes give. Junctions and symlinks are `symlink` (the OS does not follow them inside the tree, §12). */
export function kindOfAttributes(attributes: number, reparseTag: number): EntryKind {
  if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) !== 0 && (reparseTag === IO_REPARSE_TAG_SYMLINK || reparseTag === IO_REPARSE_TAG_MOUNT_POINT)) {
    return 'symlink';
  }
  return (attributes & FILE_ATTRIBUTE_DIRECTORY) !== 0 ? 'directory' : 'file';
}

/** Names compare without regard to case on Windows (libuv uses `_wcsnicmp`). */
export function sameNameIgnoringCase(a: string, b: string): boolean {
  return a === b || a.toUpperCase() === b.toUpperCase();
}

/** A record ready for the table: where it is, and whether its name resolved. */
export interface PlacedRecord {
  record: RdcwRecord;
  /** The absolute path of the entry (its short names resolved where they could be). */
  path: string;
  /** Where to look instead when a short name could not be resolved: the directory holding it. */
  unresolvedIn?: string;
}

/** The directory part of a record's name (`''` at the root), and its last component. */
function splitName(name: string): [dir: string, base: string] {
  const i = name.lastIndexOf('\\');
  return i < 0 ? ['', name] : [name.slice(0, i), name.slice(i + 1)];
}

/**
 * REMOVED → ADDED pairs of one completion that may be the halves of a move
 * between directories (§8), both ways by position: the same non-zero FileId
 * (extended), or, in plain records, a REMOVED and a later ADDED of the same
 * name in another directory (core then pairs them by identity, or not at
 * all). Within one directory Windows reports a rename as OLD/NEW, so a
 * REMOVED and an ADDED there are a delete and a create even when the inode is
 * reused; and a plain move that also renames is a delete and a create, since
 * pairing any REMOVED with any ADDED by inode alone would turn a delete and an
 * unrelated create that reuses the inode into a rename.
 */
function movePartners(placed: readonly PlacedRecord[]): Map<number, number> {
  const partners = new Map<number, number>();
  for (let i = 0; i < placed.length; i++) {
    const removed = placed[i]!;
    if (removed.record.action !== FileAction.REMOVED || removed.unresolvedIn !== undefined) continue;
    const fid = removed.record.extended?.fileId;
    const [dir, base] = splitName(removed.record.name);
    for (let j = i + 1; j < placed.length; j++) {
      const added = placed[j]!;
      if (added.record.action !== FileAction.ADDED || added.unresolvedIn !== undefined || partners.has(j)) continue;
      const other = added.record.extended?.fileId;
      const match =
        fid !== undefined && other !== undefined && fid !== 0n && other !== 0n
          ? fid === other
          : !sameNameIgnoringCase(dir, splitName(added.record.name)[0]) && sameNameIgnoringCase(base, splitName(added.record.name)[1]);
      if (match) {
        partners.set(i, j);
        partners.set(j, i);
        break;
      }
    }
  }
  return partners;
}

/** For each record: whether a later REMOVED or RENAMED_OLD_NAME of the completion takes its path (or a directory above it) away. */
function leavesLater(placed: readonly PlacedRecord[]): boolean[] {
  const out = placed.map(() => false);
  const gone: string[] = [];
  for (let i = placed.length - 1; i >= 0; i--) {
    const { action, name } = placed[i]!.record;
    const upper = name.toUpperCase();
    out[i] = gone.some((g) => upper === g || upper.startsWith(`${g}\\`));
    if (action === FileAction.REMOVED || action === FileAction.RENAMED_OLD_NAME) gone.push(upper);
  }
  return out;
}

/** What one completion (or batch) becomes: seam inputs, in the order they must reach core. */
export type SeamInput = { events: BackendEvent[] } | { changed: string[]; options: ChangedOptions };

/**
 * Turns records into seam inputs with {@link ACTION_TABLE}. One per
 * subscription: it carries the link counter and an old half left waiting at
 * the end of a completion.
 */
export class ActionTranslator {
  #nextLink = 0;
  /** The link of a RENAMED_OLD_NAME that ended the last completion, waiting for its new half. */
  #openOld: number | undefined;

  /**
   * Translates one completion's records (or a batch's: completions joined
   * while JS was busy, in order). What happened comes first, as one `events`
   * input in record order; then the comparisons, the looks and the tree
   * looks (`changed`), each joined into one input. A look finds the disk as
   * it is when core gets to it, so it is made after the records it must not
   * run ahead of, and is left out where a later record of the batch removes
   * or renames its path. Each arrival is compared too, so core records the
   * new entry's stat and the next MODIFIED compares against it (semantics.md
   * R2).
   */
  translate(placed: readonly PlacedRecord[]): SeamInput[] {
    const partners = movePartners(placed);
    const goneLater = leavesLater(placed);
    const events: BackendEvent[] = [];
    const compares = new Set<string>();
    const looks = new Set<string>();
    const trees = new Set<string>();
    const compare = (i: number, path: string): void => {
      if (!goneLater[i]) compares.add(path);
    };
    for (let i = 0; i < placed.length; i++) {
      const { record, path, unresolvedIn } = placed[i]!;
      const next = placed[i + 1]?.record;
      const ext = record.extended;
      const kind: EntryKind = ext ? kindOfAttributes(ext.fileAttributes, ext.reparsePointTag) : 'unknown';
      const ctx: RecordContext = {
        isDirectory: kind === 'directory',
        nextIsOldOfSameName: next?.action === FileAction.RENAMED_OLD_NAME && sameNameIgnoringCase(next.name, record.name),
        afterOld: this.#openOld !== undefined,
        unresolvedShortName: unresolvedIn !== undefined,
        partnerLater: partners.has(i) && partners.get(i)! > i,
        partnerEarlier: partners.has(i) && partners.get(i)! < i,
        goneLater: goneLater[i]!,
      };
      const rule = ruleFor(record.action, ctx);
      // Any record but the new half closes an open old half: it stays unpaired (core decides it was a move out).
      const openOld = this.#openOld;
      this.#openOld = undefined;
      const identity: MoveKey = ext && ext.fileId !== 0n ? { link: `fid:${ext.fileId}` } : 'identity';
      switch (rule) {
        case Rule.CREATE:
          events.push({ type: 'create', path, kind });
          compare(i, path);
          break;
        case Rule.DELETE:
          events.push({ type: 'delete', path, kind });
          break;
        case Rule.ARRIVED:
          events.push({ type: 'moved-to', path, kind, key: identity });
          compare(i, path);
          break;
        case Rule.LEFT:
          events.push({ type: 'moved-from', path, kind, key: identity });
          break;
        case Rule.RENAME_OLD: {
          const link = ++this.#nextLink;
          this.#openOld = link;
          events.push({ type: 'moved-from', path, kind, key: { link } });
          break;
        }
        case Rule.RENAME_NEW:
          events.push({ type: 'moved-to', path, kind, key: { link: openOld! } });
          compare(i, path);
          break;
        case Rule.ORPHAN_NEW:
          events.push({ type: 'moved-to', path, kind, key: { link: ++this.#nextLink } });
          compare(i, path);
          break;
        case Rule.COMPARE:
          compare(i, path);
          break;
        case Rule.LOOK:
          if (!goneLater[i]) looks.add(path);
          break;
        case Rule.LOOK_PARENT_TREE:
          trees.add(unresolvedIn!);
          break;
        case Rule.DROP:
          break;
      }
    }
    const out: SeamInput[] = [];
    if (events.length) out.push({ events });
    if (compares.size) out.push({ changed: [...compares], options: { contentOnly: true } });
    if (looks.size) out.push({ changed: [...looks], options: {} });
    if (trees.size) out.push({ changed: [...trees], options: { recursive: true } });
    return out;
  }

  /** Forgets an open old half (after a loss: the rescan decides). */
  reset(): void {
    this.#openOld = undefined;
  }
}
