/**
 * FSEvents' record flags (FSEvents.h; the same values in fsevents/fsevents
 * src/constants.h) and what vigil does with each, as a table a test walks.
 *
 * FSEvents flags are hints accumulated per path within the latency window, so
 * no flag is trusted as a fact about what happened: the content flags only
 * say where to look (core stats the path and compares with its index), and
 * `Renamed` additionally says "the other half of a move may come later".
 */

/** What the decoder does with a record carrying a flag. Higher `precedence` wins when a record carries several. */
export type FlagAction =
  /** HistoryDone: the end of a history replay; nothing to report. */
  | 'consume'
  /** Events under the record's path were lost: rescan it (or the root, if the path is above it) with one OVERFLOW warning. */
  | 'rescan'
  /** The root itself was moved, deleted or came back: end the root, or rescan it if it is there. */
  | 'root-changed'
  /** A volume was mounted or unmounted under the root: the seam's mount input. */
  | 'mounts'
  /** A half of a rename: look at the path, holding a vanished entry for its partner. */
  | 'look-moved'
  /** Something happened at the path: look (core stats and compares with its index). */
  | 'look'
  /** Describes the item, not a change (IsFile, IsDir, ...): no action of its own. */
  | 'describes'
  /** Carries no news vigil reports (EventIdsWrapped, OwnEvent). */
  | 'ignore';

export interface FlagInfo {
  readonly name: string;
  readonly value: number;
  readonly action: FlagAction;
}

export const FLAGS = [
  { name: 'MustScanSubDirs', value: 0x00000001, action: 'rescan' },
  { name: 'UserDropped', value: 0x00000002, action: 'rescan' },
  { name: 'KernelDropped', value: 0x00000004, action: 'rescan' },
  { name: 'EventIdsWrapped', value: 0x00000008, action: 'ignore' },
  { name: 'HistoryDone', value: 0x00000010, action: 'consume' },
  { name: 'RootChanged', value: 0x00000020, action: 'root-changed' },
  { name: 'Mount', value: 0x00000040, action: 'mounts' },
  { name: 'Unmount', value: 0x00000080, action: 'mounts' },
  { name: 'ItemCreated', value: 0x00000100, action: 'look' },
  { name: 'ItemRemoved', value: 0x00000200, action: 'look' },
  { name: 'ItemInodeMetaMod', value: 0x00000400, action: 'look' },
  { name: 'ItemRenamed', value: 0x00000800, action: 'look-moved' },
  { name: 'ItemModified', value: 0x00001000, action: 'look' },
  { name: 'ItemFinderInfoMod', value: 0x00002000, action: 'look' },
  { name: 'ItemChangeOwner', value: 0x00004000, action: 'look' },
  { name: 'ItemXattrMod', value: 0x00008000, action: 'look' },
  { name: 'ItemIsFile', value: 0x00010000, action: 'describes' },
  { name: 'ItemIsDir', value: 0x00020000, action: 'describes' },
  { name: 'ItemIsSymlink', value: 0x00040000, action: 'describes' },
  { name: 'OwnEvent', value: 0x00080000, action: 'ignore' },
  { name: 'ItemIsHardlink', value: 0x00100000, action: 'describes' },
  { name: 'ItemIsLastHardlink', value: 0x00200000, action: 'describes' },
  { name: 'ItemCloned', value: 0x00400000, action: 'look' },
] as const satisfies readonly FlagInfo[];

export type FlagName = (typeof FLAGS)[number]['name'];

/** Flag values by name: `F.ItemCreated`. */
export const F = Object.fromEntries(FLAGS.map((f) => [f.name, f.value])) as { readonly [K in FlagName]: number };

/** Which action wins when one record carries flags of several actions (a record is handled once). */
export const ACTION_PRECEDENCE: readonly FlagAction[] = ['consume', 'root-changed', 'rescan', 'mounts', 'look-moved', 'look', 'describes', 'ignore'];

/** The action for a record's flags; a record with no known flag at all is looked at, never thrown on. */
export function actionOf(flags: number): FlagAction {
  let best: FlagAction | undefined;
  for (const f of FLAGS) {
    if ((flags & f.value) === 0) continue;
    if (best === undefined || ACTION_PRECEDENCE.indexOf(f.action) < ACTION_PRECEDENCE.indexOf(best)) best = f.action;
  }
  // Only descriptive or ignorable bits (or none): FSEvents still named the path, so look.
  return best === undefined || best === 'describes' || best === 'ignore' ? 'look' : best;
}

/** `Created|Modified` style text for logs and replay files. */
export function flagNames(flags: number): string[] {
  const names: string[] = FLAGS.filter((f) => (flags & f.value) !== 0).map((f) => f.name);
  const rest = flags & ~FLAGS.reduce((a, f) => a | f.value, 0);
  if (rest) names.push(`0x${rest.toString(16)}`);
  return names;
}

/** Parses `ItemCreated|ItemIsFile` (or the names without `Item`, or hex numbers). */
export function parseFlags(text: string): number {
  let flags = 0;
  for (const part of text
    .split('|')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (/^0x[0-9a-f]+$/i.test(part)) {
      flags |= parseInt(part, 16);
      continue;
    }
    const f = FLAGS.find((x) => x.name === part || x.name === `Item${part}`);
    if (!f) throw new Error(`unknown FSEvents flag "${part}"`);
    flags |= f.value;
  }
  return flags;
}
