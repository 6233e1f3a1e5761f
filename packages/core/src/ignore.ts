/**
 * Ignore rules, applied before a directory is descended into: an ignored
 * `node_modules` is never scanned and never gets a watch.
 *
 * A rule is a glob, a RegExp or a function:
 * - a glob is matched against the path relative to the root, with `/`
 *   separators; a glob without `/` matches the last component at any depth
 *   (`node_modules`, `*.log`), like .gitignore; dotfiles are matched by `*`;
 *   on a filesystem that ignores case, globs do too;
 * - a RegExp is tested against the absolute path;
 * - a function receives the absolute path and, when known, the entry kind.
 * An ignored directory hides everything below it. `depth` hides what lies
 * deeper than that many levels below the root (0: the root's entries only).
 */
import picomatch from 'picomatch';
import type { EntryKind } from './events.js';
import { ErrorCode, VigilError } from './errors.js';
import { relativeTo, isWithin, PATH_SEPARATOR } from './paths.js';

/** One ignore rule (see the module doc). */
export type IgnoreRule = string | RegExp | ((path: string, kind?: EntryKind) => boolean);

/**
 * Answers "is this path ignored?" for one root. Walkers may also ask
 * `ignoresNothing()` (skip asking for every entry) and `hidesBelow(dir)`
 * (every entry inside `dir` is ignored: list nothing there, watch nothing below).
 */
export type IgnorePredicate = ((path: string, kind?: EntryKind) => boolean) & {
  ignoresNothing?: () => boolean;
  hidesBelow?: (dir: string) => boolean;
};

/** What besides the user's rules decides what is visible. */
export interface IgnoreScope {
  /** Levels below the root that are watched (0: the root's entries only). Default unlimited. */
  depth?: number;
  /** Compare globs without regard to case (the filesystem does). */
  caseInsensitive?: boolean;
}

const IGNORE_NOTHING: IgnorePredicate = Object.assign(() => false, { ignoresNothing: () => true, hidesBelow: () => false });

/** Levels of `path` below `root`: 0 for the root's own entries. */
function levelBelow(root: string, path: string): number {
  let n = 0;
  for (let i = root.length + 1; i < path.length; i++) if (path[i] === PATH_SEPARATOR) n++;
  return n;
}

/** Builds the predicate for a root from the user's rules (checked by options.ts before they get here). */
export function createIgnorePredicate(root: string, rules: IgnoreRule | readonly IgnoreRule[] | undefined, scope: IgnoreScope = {}): IgnorePredicate {
  const list = rules === undefined ? [] : Array.isArray(rules) ? (rules as readonly IgnoreRule[]) : [rules as IgnoreRule];
  const depth = scope.depth ?? Infinity;
  if (list.length === 0 && depth === Infinity) return IGNORE_NOTHING;
  const globs: string[] = [];
  const tests: ((path: string, kind?: EntryKind) => boolean)[] = [];
  for (const rule of list) {
    if (typeof rule === 'string') {
      // An absolute path inside the root is a rule about that path.
      globs.push(isWithin(rule, root) ? relativeTo(root, rule) || '**' : rule);
    } else if (rule instanceof RegExp) {
      tests.push((p) => {
        rule.lastIndex = 0;
        return rule.test(p);
      });
    } else if (typeof rule === 'function') {
      tests.push(rule);
    } else {
      throw new VigilError(ErrorCode.INVALID_OPTION, `ignore rule must be a glob string, a RegExp or a function, got ${typeof rule}`);
    }
  }
  // picomatch's `basename` mode applies to every pattern it is given, so
  // patterns without a slash get their own matcher.
  const nocase = scope.caseInsensitive ?? false;
  const bare = globs.filter((g) => !g.includes('/'));
  const rooted = globs.filter((g) => g.includes('/'));
  const bareGlob = bare.length ? picomatch(bare, { dot: true, basename: true, nocase }) : undefined;
  const rootedGlob = rooted.length ? picomatch(rooted, { dot: true, nocase }) : undefined;
  const predicate = (path: string, kind?: EntryKind): boolean => {
    if (path === root) return false;
    if (depth !== Infinity && levelBelow(root, path) > depth) return true;
    if (bareGlob || rootedGlob) {
      const rel = relativeTo(root, path);
      if (bareGlob?.(rel) || rootedGlob?.(rel)) return true;
    }
    for (const t of tests) if (t(path, kind)) return true;
    return false;
  };
  return Object.assign(predicate, {
    ignoresNothing: () => false,
    hidesBelow: (dir: string) => depth !== Infinity && dir !== root && levelBelow(root, dir) >= depth,
  });
}
