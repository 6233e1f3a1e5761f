/**
 * Rule files: where they are looked for, how they are parsed (YAML or JSON)
 * and how each rule is checked. Every mistake is an `INVALID_OPTION`
 * VigilError whose message names the file, the rule (name or index) and the
 * field, so that a typo in a config directory of twenty files is found at once.
 */
import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ErrorCode, EventType, MAX_TIMER_MS, VigilError } from '@vigilfs/core';

/** What the runner does with events that arrive while `concurrency` actions already run. */
export const OverflowPolicy = {
  /** Keep every pending job, run them in arrival order (the default). */
  QUEUE: 'queue',
  /** Keep only the latest pending event per path: an older pending event for the same path is discarded. */
  COALESCE: 'coalesce',
  /** Discard what arrives while the rule is at its concurrency limit. */
  DROP: 'drop',
} as const;
/** One of {@link OverflowPolicy}'s values. */
export type OverflowPolicy = (typeof OverflowPolicy)[keyof typeof OverflowPolicy];

/** One rule, checked and with every path made absolute. */
export interface Rule {
  /** Unique name, used in every log line about the rule and passed to commands as `VIGIL_RULE`. */
  name: string;
  /** The file the rule came from. */
  file: string;
  /** Position of the rule in its file (0-based), for messages. */
  index: number;
  /** Absolute paths to watch (relative ones were resolved against the rule file's directory). */
  paths: string[];
  /** The event types the rule wants; all of them when the rule names none. */
  events: EventType[];
  /** vigil ignore globs. */
  ignore: string[];
  /** Milliseconds to collect events before delivering them together; 0 delivers at once. */
  debounce: number;
  /** Most actions of this rule running at once. */
  concurrency: number;
  /** What to do with events arriving while `concurrency` actions run. */
  overflow: OverflowPolicy;
  /** Working directory of commands (default: the rule file's directory). */
  cwd: string;
  /** A command to run, as an argv array (no shell). Exactly one of `command` and `plugin` is set. */
  command?: string[];
  /** Absolute path of a plugin module. */
  plugin?: string;
  /** Free-form settings handed to the plugin. */
  config?: unknown;
  /** vigil backend for this rule's watcher (default: `VIGIL_BACKEND`, else auto). */
  backend?: string;
  /** vigil `pollInterval` for this rule's watcher. */
  pollInterval?: number;
  /** vigil `settle` for this rule's watcher: milliseconds, or false for no emulated close-write. */
  settle?: number | false;
}

/** Every field a rule may have; anything else is a mistake (most often a typo). */
const FIELDS = new Set([
  'name',
  'description',
  'paths',
  'events',
  'ignore',
  'command',
  'plugin',
  'config',
  'debounce',
  'concurrency',
  'overflow',
  'cwd',
  'backend',
  'pollInterval',
  'settle',
]);
const EVENT_TYPES = Object.values(EventType) as string[];
const POLICIES = Object.values(OverflowPolicy) as string[];
const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** The largest rule file read (1 MiB): a rule file is a few hundred bytes; past this it is something else. */
export const MAX_RULE_FILE_BYTES = 1024 * 1024;

/** Most actions one rule may run at once (a bound that keeps `concurrency: 1e309` from meaning "no limit" by accident). */
export const MAX_CONCURRENCY = 10_000;

/** A value as a user wrote it (JSON.stringify turns Infinity and NaN into null). */
function shown(v: unknown): string {
  return typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? String(v));
}

/**
 * The text of one rule file. Only a regular file is read (a FIFO would block
 * the runner forever, /dev/zero would never end), and at most
 * {@link MAX_RULE_FILE_BYTES}: the file is opened non-blocking, checked with
 * fstat, and read with a bound whatever its reported size says.
 */
function readRuleText(file: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const errno = (e as NodeJS.ErrnoException).code;
    throw new VigilError(errno === 'ENOENT' ? ErrorCode.PATH_NOT_FOUND : ErrorCode.IO_ERROR, `${file}: cannot read the rule file (${errno ?? String(e)})`, {
      path: file,
      errno,
      cause: e,
    });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const what = st.isFIFO()
        ? 'a FIFO'
        : st.isCharacterDevice()
          ? 'a character device'
          : st.isBlockDevice()
            ? 'a block device'
            : st.isDirectory()
              ? 'a directory'
              : st.isSocket()
                ? 'a socket'
                : 'something else';
      throw new VigilError(ErrorCode.INVALID_OPTION, `${file}: is ${what}, not a regular file; only regular files are read as rules`, { path: file });
    }
    const tooBig = (): VigilError =>
      new VigilError(
        ErrorCode.INVALID_OPTION,
        `${file}: rule file larger than ${MAX_RULE_FILE_BYTES} bytes (1 MiB); rule files are small, is this the right file?`,
        { path: file },
      );
    if (st.size > MAX_RULE_FILE_BYTES) throw tooBig();
    const buf = Buffer.alloc(MAX_RULE_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, length, buf.length - length, null);
      } catch (e) {
        const errno = (e as NodeJS.ErrnoException).code;
        throw new VigilError(ErrorCode.IO_ERROR, `${file}: cannot read the rule file (${errno ?? String(e)})`, { path: file, errno, cause: e });
      }
      if (n === 0) break;
      length += n;
      if (length > MAX_RULE_FILE_BYTES) throw tooBig();
    }
    return buf.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

/** The config file names tried in the current directory when nothing else says where the rules are. */
export const DEFAULT_FILES = ['vigil.rules.yaml', 'vigil.rules.yml', 'vigil.rules.json'] as const;

function invalid(file: string, where: string, message: string): VigilError {
  return new VigilError(ErrorCode.INVALID_OPTION, `${file}: ${where}${message}`, { path: file });
}

/** "rule "name" (#2): " or "rule #2: ", the way messages name a rule. */
function ruleLabel(name: string | undefined, index: number, inList: boolean): string {
  if (name !== undefined) return inList ? `rule "${name}" (#${index + 1}): ` : `rule "${name}": `;
  return `rule #${index + 1}: `;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one rule file's text as YAML (JSON is YAML too, but JSON files get JSON's stricter parser). */
function parseFile(file: string, text: string): unknown {
  try {
    if (path.extname(file) === '.json') return JSON.parse(text);
    return parseYaml(text);
  } catch (e) {
    const detail = e instanceof YAMLParseError ? e.message.split('\n')[0] : e instanceof Error ? e.message : String(e);
    throw invalid(file, '', `cannot parse ${path.extname(file) === '.json' ? 'JSON' : 'YAML'}: ${detail}`);
  }
}

/**
 * Reads the rules of one file. The file holds one rule (a mapping with a
 * `command` or a `plugin`), a list of rules, or a mapping with `rules: [...]`.
 * A one-rule file without a `name` is named after the file.
 */
export function loadRuleFile(file: string): Rule[] {
  file = path.resolve(file);
  const text = readRuleText(file);
  const doc = parseFile(file, text);
  let entries: unknown[];
  let inList = true;
  if (Array.isArray(doc)) entries = doc;
  else if (isRecord(doc) && 'rules' in doc) {
    const extra = Object.keys(doc).filter((k) => k !== 'rules');
    if (extra.length) throw invalid(file, '', `unknown top-level field "${extra[0]}" (a rule list file holds only "rules")`);
    if (!Array.isArray(doc.rules)) throw invalid(file, '', 'field "rules": must be a list of rules');
    entries = doc.rules;
  } else if (isRecord(doc)) {
    entries = [doc];
    inList = false;
  } else throw invalid(file, '', 'must hold a rule, a list of rules, or "rules: [...]"');
  const fallbackName = inList ? undefined : path.basename(file, path.extname(file));
  return entries.map((entry, i) => checkRule(file, entry, i, inList, fallbackName));
}

function checkRule(file: string, raw: unknown, index: number, inList: boolean, fallbackName?: string): Rule {
  const rawName = isRecord(raw) && typeof raw.name === 'string' && raw.name !== '' ? raw.name : undefined;
  const where = ruleLabel(rawName, index, inList);
  const bad = (field: string, message: string): VigilError => invalid(file, where, `field "${field}": ${message}`);
  if (!isRecord(raw)) throw invalid(file, where, 'must be a mapping with a "command" or a "plugin"');
  for (const key of Object.keys(raw)) if (!FIELDS.has(key)) throw bad(key, `unknown field (known: ${[...FIELDS].join(', ')})`);

  if (raw.name !== undefined && (typeof raw.name !== 'string' || raw.name === '')) throw bad('name', 'must be a non-empty string');
  const name = rawName ?? fallbackName;
  if (name === undefined) throw bad('name', 'missing (every rule in a list needs a name)');
  const dir = path.dirname(file);

  const strings = (field: string, value: unknown, allowEmpty: boolean): string[] => {
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || s === '')) throw bad(field, 'must be a string or a list of non-empty strings');
    if (!allowEmpty && list.length === 0) throw bad(field, 'must not be empty');
    return list as string[];
  };
  const integer = (field: string, min: number, max: number, unit: string, fallback: number): number => {
    const v = raw[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
      throw bad(field, `must be an integer${unit} from ${min} to ${max}, got ${shown(v)}`);
    return v;
  };
  const ms = (field: string, min: number, fallback: number): number => integer(field, min, MAX_TIMER_MS, ' (milliseconds)', fallback);

  if (raw.paths === undefined) throw bad('paths', 'missing (the paths to watch)');
  const paths = strings('paths', raw.paths, false).map((p) => path.resolve(dir, p));

  let events = EVENT_TYPES as EventType[];
  if (raw.events !== undefined) {
    events = strings('events', raw.events, false) as EventType[];
    const unknown = events.find((e) => !EVENT_TYPES.includes(e));
    if (unknown !== undefined) throw bad('events', `unknown event type "${unknown}" (known: ${EVENT_TYPES.join(', ')})`);
  }
  const ignore = raw.ignore === undefined ? [] : strings('ignore', raw.ignore, true);

  if (raw.command !== undefined && raw.plugin !== undefined) throw bad('command', 'a rule has either a "command" or a "plugin", not both');
  let command: string[] | undefined;
  let plugin: string | undefined;
  if (raw.command !== undefined) {
    if (!Array.isArray(raw.command) || raw.command.length === 0 || raw.command.some((s) => typeof s !== 'string') || raw.command[0] === '') {
      throw bad('command', 'must be a non-empty list of strings (an argv: the program, then its arguments; no shell)');
    }
    command = raw.command as string[];
  } else if (raw.plugin !== undefined) {
    if (typeof raw.plugin !== 'string' || raw.plugin === '') throw bad('plugin', 'must be the path of a JavaScript module');
    plugin = path.resolve(dir, raw.plugin);
  } else throw bad('command', 'missing: a rule needs a "command" (argv list) or a "plugin" (module path)');
  if (raw.config !== undefined && plugin === undefined) throw bad('config', 'only plugin rules take a "config"');

  let overflow: OverflowPolicy = OverflowPolicy.QUEUE;
  if (raw.overflow !== undefined) {
    if (typeof raw.overflow !== 'string' || !POLICIES.includes(raw.overflow))
      throw bad('overflow', `must be one of ${POLICIES.join(', ')}, got ${shown(raw.overflow)}`);
    overflow = raw.overflow as OverflowPolicy;
  }
  if (raw.cwd !== undefined && (typeof raw.cwd !== 'string' || raw.cwd === '')) throw bad('cwd', 'must be a directory path');
  if (raw.backend !== undefined && (typeof raw.backend !== 'string' || raw.backend === ''))
    throw bad('backend', 'must be a backend name (auto, inotify, fsevents, rdcw or poll)');
  if (raw.description !== undefined && typeof raw.description !== 'string') throw bad('description', 'must be a string');

  const rule: Rule = {
    name,
    file,
    index,
    paths,
    events,
    ignore,
    debounce: ms('debounce', 0, 0),
    concurrency: integer('concurrency', 1, MAX_CONCURRENCY, '', 1),
    overflow,
    cwd: path.resolve(dir, (raw.cwd as string | undefined) ?? '.'),
  };
  if (command) rule.command = command;
  if (plugin !== undefined) {
    rule.plugin = plugin;
    if (raw.config !== undefined) rule.config = raw.config;
  }
  if (raw.backend !== undefined) rule.backend = raw.backend as string;
  if (raw.pollInterval !== undefined) rule.pollInterval = ms('pollInterval', 10, 1000);
  if (raw.settle === false) rule.settle = false;
  else if (raw.settle !== undefined) {
    const v = raw.settle;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_TIMER_MS)
      throw bad('settle', `must be an integer (milliseconds) from 0 to ${MAX_TIMER_MS}, or false (no emulated close-write), got ${shown(v)}`);
    rule.settle = v;
  }
  return rule;
}

/**
 * Reads every rule at `location`: a file, or a directory whose `*.yaml`,
 * `*.yml` and `*.json` files (sorted by name; hidden files skipped) each hold
 * one rule or a list. Rule names must be unique across all of them.
 */
export function loadRules(location: string): Rule[] {
  location = path.resolve(location);
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(location);
  } catch (e) {
    throw new VigilError(ErrorCode.PATH_NOT_FOUND, `${location}: no such rule file or directory`, { path: location, errno: 'ENOENT', cause: e });
  }
  let rules: Rule[];
  if (st.isDirectory()) {
    const files = readdirSync(location)
      .filter((n) => !n.startsWith('.') && EXTENSIONS.has(path.extname(n)))
      .sort()
      .map((n) => path.join(location, n));
    rules = files.flatMap((f) => loadRuleFile(f));
  } else rules = loadRuleFile(location);
  if (rules.length === 0) throw new VigilError(ErrorCode.INVALID_OPTION, `${location}: no rules found`, { path: location });
  const seen = new Map<string, Rule>();
  for (const r of rules) {
    const first = seen.get(r.name);
    if (first)
      throw invalid(
        r.file,
        ruleLabel(r.name, r.index, true),
        `field "name": duplicate; "${r.name}" is already the name of rule #${first.index + 1} in ${first.file}`,
      );
    seen.set(r.name, r);
  }
  return rules;
}

/** Where the rules were found, and what told the runner to look there. */
export interface ConfigLocation {
  /** The rule file or directory. */
  path: string;
  /** `--config`, `VIGIL_CONFIG`, `VIGIL_CONFIG_DIR`, `default`. */
  source: string;
}

/**
 * Finds the rules: `--config`, else `VIGIL_CONFIG` (a file), else
 * `VIGIL_CONFIG_DIR` (a directory), else the first of {@link DEFAULT_FILES}
 * in `cwd`, else `$XDG_CONFIG_HOME/vigil/rules.d` (XDG_CONFIG_HOME defaults to
 * `~/.config`). Throws `INVALID_OPTION` listing the places tried when there is none.
 */
export function findConfig(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): ConfigLocation {
  if (flag) return { path: path.resolve(cwd, flag), source: '--config' };
  if (env.VIGIL_CONFIG) return { path: path.resolve(cwd, env.VIGIL_CONFIG), source: 'VIGIL_CONFIG' };
  if (env.VIGIL_CONFIG_DIR) return { path: path.resolve(cwd, env.VIGIL_CONFIG_DIR), source: 'VIGIL_CONFIG_DIR' };
  const tried: string[] = [];
  for (const name of DEFAULT_FILES) {
    const p = path.join(cwd, name);
    tried.push(p);
    if (isFile(p)) return { path: p, source: 'default' };
  }
  const xdg = env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), '.config');
  const dir = path.join(xdg, 'vigil', 'rules.d');
  tried.push(dir);
  if (isDir(dir)) return { path: dir, source: 'default' };
  throw new VigilError(
    ErrorCode.INVALID_OPTION,
    `no rules found: give --config <file-or-dir>, or set VIGIL_CONFIG or VIGIL_CONFIG_DIR; looked in ${tried.join(', ')}`,
  );
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
