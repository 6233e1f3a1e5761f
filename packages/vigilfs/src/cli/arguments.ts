/**
 * Command-line parsing from a table: each option is one row (its names, whether
 * it takes a value, its help line). The parser knows `--name value`,
 * `--name=value`, `-x value`, `-xvalue`, bundled flags (`-q0`), positionals
 * anywhere, and `--` (everything after it is a command to run). Every mistake
 * is a {@link UsageError} worded by vigil, with the nearest option name.
 */
import { nearestOption } from '@vigilfs/core';
import { UsageError } from './exit.js';

/** One option of a command. */
export interface OptionSpec {
  /** Long name without the dashes (`format`). */
  name: string;
  /** One-letter short name without the dash (`e`). */
  short?: string;
  /** Name of the value it takes (`<types>`); a flag when absent. */
  value?: string;
  /** Repeatable: every value is kept (a flag counts its repetitions). */
  multiple?: boolean;
  /** Help text: one line, or several. */
  help: string;
  /** Section of the help it is listed in. */
  section?: string;
}

/** What a command line held. */
export interface ParsedArguments {
  /** Values by long name: the last value, a list for repeatable options, `true` or a count for flags. */
  values: Map<string, string | string[] | number | true>;
  /** Arguments that are not options. */
  positionals: string[];
  /** What came after `--` (undefined when there was no `--`). */
  command: string[] | undefined;
}

/** Parses `argv` against `specs`; throws {@link UsageError} for unknown options and missing values. */
export function parseArguments(argv: readonly string[], specs: readonly OptionSpec[], help = 'vigil --help'): ParsedArguments {
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const values: ParsedArguments['values'] = new Map();
  const positionals: string[] = [];
  let command: string[] | undefined;

  const set = (spec: OptionSpec, value: string | undefined): void => {
    if (spec.value === undefined) {
      const count = values.get(spec.name);
      values.set(spec.name, spec.multiple ? (typeof count === 'number' ? count + 1 : 1) : true);
    } else if (spec.multiple) {
      const list = values.get(spec.name);
      values.set(spec.name, [...(Array.isArray(list) ? list : []), value!]);
    } else values.set(spec.name, value!);
  };
  const unknown = (written: string): UsageError => {
    const long = written.startsWith('--');
    const bare = written.replace(/^--?/, '').split('=')[0]!;
    const names = long ? specs.map((s) => s.name) : specs.flatMap((s) => (s.short ? [s.short] : []));
    const near = long ? nearestOption(bare, names) : undefined;
    const suggestion = near !== undefined && names.includes(near) ? ` (did you mean --${near}?)` : '';
    return new UsageError(`unknown option ${long ? `--${bare}` : `-${bare}`}${suggestion}`, help);
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      command = argv.slice(i + 1);
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq < 0 ? undefined : eq);
      const spec = byLong.get(name);
      if (!spec) throw unknown(arg);
      if (spec.value === undefined) {
        if (eq >= 0) throw new UsageError(`--${name} takes no value`, help);
        set(spec, undefined);
      } else if (eq >= 0) set(spec, arg.slice(eq + 1));
      else {
        if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value: --${name} ${spec.value}`, help);
        set(spec, argv[++i]);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // -abc: flags a and b, then c (which may take the rest, or the next argument, as its value).
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j]!;
        const spec = byShort.get(letter);
        if (!spec) throw unknown(`-${letter}`);
        if (spec.value === undefined) {
          set(spec, undefined);
          continue;
        }
        const rest = arg.slice(j + 1);
        if (rest !== '') set(spec, rest);
        else {
          if (i + 1 >= argv.length) throw new UsageError(`-${letter} needs a value: -${letter} ${spec.value}`, help);
          set(spec, argv[++i]);
        }
        break;
      }
      continue;
    }
    positionals.push(arg);
  }
  return { values, positionals, command };
}

/** The help lines of `specs` grouped by section, aligned. */
export function optionHelp(specs: readonly OptionSpec[]): string {
  const label = (s: OptionSpec): string => `${s.short ? `-${s.short}, ` : '    '}--${s.name}${s.value ? ` ${s.value}` : ''}`;
  const width = Math.max(...specs.map((s) => label(s).length)) + 2;
  const out: string[] = [];
  let section: string | undefined;
  for (const s of specs) {
    if (s.section !== section) {
      section = s.section;
      if (section) out.push('', `${section}:`);
    }
    const [first, ...more] = s.help.split('\n');
    out.push(`  ${label(s).padEnd(width)}${first}`);
    for (const line of more) out.push(`  ${''.padEnd(width)}${line}`);
  }
  return out.join('\n');
}
