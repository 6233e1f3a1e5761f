/**
 * Ignore rules, applied before a directory is descended into: an ignored
 * `node_modules` is never scanned and never gets a watch.
 *
 * A rule is a glob, a RegExp or a function:
 * - a glob is matched against the path relative to the root, with `/`
 *   separators; a glob without `/` matches the last component at any depth
 *   (`node_modules`, `*.log`), like .gitignore; dotfiles are matched by `*`;
 * - a RegExp is tested against the absolute path;
 * - a function receives the absolute path and, when known, the entry kind.
 * An ignored directory hides everything below it.
 */
import picomatch from 'picomatch';
import type { EntryKind } from './events.js';
import { relativeTo, isWithin } from './paths.js';

/** One ignore rule (see the module doc). */
export type IgnoreRule = string | RegExp | ((path: string, kind?: EntryKind) => boolean);

/**
 * Answers "is this path ignored?" for one root. `ignoresNothing`, when
 * present and true, lets a backend skip asking for every entry of a walk.
 */
export type IgnorePredicate = ((path: string, kind?: EntryKind) => boolean) & { ignoresNothing?: () => boolean };

const IGNORE_NOTHING: IgnorePredicate = Object.assign(() => false, { ignoresNothing: () => true });

/** Builds the predicate for a root from the user's rules. */
export function createIgnorePredicate(root: string, rules: IgnoreRule | readonly IgnoreRule[] | undefined): IgnorePredicate {
  const list = rules === undefined ? [] : Array.isArray(rules) ? (rules as readonly IgnoreRule[]) : [rules as IgnoreRule];
  if (list.length === 0) return IGNORE_NOTHING;
  const globs: string[] = [];
  const tests: ((path: string, kind?: EntryKind) => boolean)[] = [];
  for (const rule of list) {
    if (typeof rule === 'string') {
      // An absolute path inside the root is a rule about that path.
      globs.push(rule.startsWith('/') && isWithin(rule, root) ? relativeTo(root, rule) || '**' : rule);
    } else if (rule instanceof RegExp) {
      tests.push((p) => {
        rule.lastIndex = 0;
        return rule.test(p);
      });
    } else if (typeof rule === 'function') {
      tests.push(rule);
    } else {
      throw new TypeError(`ignore rule must be a glob string, a RegExp or a function, got ${typeof rule}`);
    }
  }
  // picomatch's `basename` mode applies to every pattern it is given, so
  // patterns without a slash get their own matcher.
  const bare = globs.filter((g) => !g.includes('/'));
  const rooted = globs.filter((g) => g.includes('/'));
  const bareGlob = bare.length ? picomatch(bare, { dot: true, basename: true }) : undefined;
  const rootedGlob = rooted.length ? picomatch(rooted, { dot: true }) : undefined;
  return (path, kind) => {
    if (path === root) return false;
    if (bareGlob || rootedGlob) {
      const rel = relativeTo(root, path);
      if (bareGlob?.(rel) || rootedGlob?.(rel)) return true;
    }
    for (const t of tests) if (t(path, kind)) return true;
    return false;
  };
}
