/**
 * The scenario format: a small line-based language (see scenarios/README.md).
 * This module parses it into data and knows nothing about running it.
 */
import type { BackendCapabilities, EntryKind, EventOrigin, EventType } from '@vigilfs/core';

/** One whitespace-separated token; `key=value` tokens carry their key. */
export interface Token {
  key?: string;
  value: string;
  quoted: boolean;
}

/** A capability gate: `closeWrite=native`, `renamePairing=os`, `renamePairing`, `!overflowSignal`, … */
export interface Condition {
  text: string;
  test(caps: BackendCapabilities): boolean;
}

/** Something the driver does to the filesystem (or, for `sync`/`await`, waits for). */
export type Op =
  | { op: 'mkdir'; path: string; parents: boolean }
  | { op: 'write'; path: string; content: string; append: boolean; chunks: number; every: number }
  | { op: 'touch'; path: string }
  | { op: 'rm'; path: string; recursive: boolean }
  | { op: 'rmdir'; path: string }
  | { op: 'mv'; from: string; to: string }
  | { op: 'symlink'; target: string; path: string }
  | { op: 'link'; existing: string; path: string }
  | { op: 'chmod'; mode: number; path: string }
  | { op: 'truncate'; path: string; size: number }
  | { op: 'burst'; dir: string; count: number; content: string }
  | { op: 'sync' }
  | { op: 'await'; event: ExpectedEvent };

/** An operation with where it came from, for messages. */
export type LocatedOp = Op & { line: number; text: string };

/** One expected event. Paths are relative to the scenario directory ('.' is the directory itself). */
export interface ExpectedEvent {
  type: EventType;
  kinds: EntryKind[];
  path: string;
  /** rename only */
  oldPath?: string;
  /** How many times: 1..1 plain, 0..1 `?`, 0..∞ `*`, 1..∞ `+`. */
  min: number;
  max: number;
  /** Allowed origins; undefined means "the default": for close-write the backend's (os or emulated), else any. */
  origins?: EventOrigin[];
  /** The event is expected only where every condition holds, and must be absent elsewhere. */
  when: Condition[];
  line: number;
  text: string;
}

/** What `watch:` says. */
export interface WatchSpec {
  /** The first path given: relative to the scenario directory; '.' watches the directory itself. */
  path: string;
  /** Every path given, as written (one watch() call over all of them). */
  paths: string[];
  ignore: string[];
  followSymlinks: boolean;
  settle?: number | false;
  pollInterval?: number;
}

/** What the scenario expects once the operations are done. */
export interface Expectation {
  /** `none`: no event at all; `unchecked`: events are not compared (invariants still hold). */
  events: 'none' | 'unchecked' | { order: 'ordered' | 'unordered'; items: ExpectedEvent[] };
  /** The watcher must end with one of these error codes (e.g. ROOT_REMOVED), or watch() reject with one. */
  error?: string[];
  /** Warning codes that must be seen at least once. */
  warnings: string[];
  /** Warning codes that may be seen. Any other warning fails the scenario. */
  allowWarnings: string[];
  /** After the wait, `knownPaths()` must equal the paths on disk under the root. */
  knownPathsEqualDisk: boolean;
}

/** A parsed scenario file. */
export interface Scenario {
  /** `group/name`, from the file's place under scenarios/. */
  id: string;
  file: string;
  title: string;
  rules: string[];
  requires: Condition[];
  /** When set, the library is known to get this wrong; the driver runs it as an expected failure. */
  knownFailure?: string;
  /** Per-wait deadline in ms. */
  timeout?: number;
  setup: LocatedOp[];
  watch: WatchSpec;
  /** Operations started together with watch(), while it is still starting (races with the initial walk). */
  during: LocatedOp[];
  ops: LocatedOp[];
  expect: Expectation;
}

/** A parse error with the file and line. */
export class ScenarioSyntaxError extends Error {
  constructor(file: string, line: number, message: string) {
    super(`${file}:${line}: ${message}`);
    this.name = 'ScenarioSyntaxError';
  }
}

const EVENT_TYPES: readonly EventType[] = ['create', 'modify', 'close-write', 'delete', 'rename'];
const KINDS: Record<string, EntryKind> = {
  file: 'file',
  dir: 'directory',
  directory: 'directory',
  symlink: 'symlink',
  other: 'other',
  unknown: 'unknown',
};
const ORIGINS: readonly EventOrigin[] = ['os', 'rescan', 'emulated'];

/** Splits a line into tokens: `"quoted \n \xff"`, `key=value`, `key="quoted value"`; `#` starts a comment. */
export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = line.length;
  while (i < n) {
    while (i < n && /\s/.test(line[i]!)) i++;
    if (i >= n || line[i] === '#') break;
    let key: string | undefined;
    let value = '';
    let quoted = false;
    while (i < n && !/\s/.test(line[i]!)) {
      const c = line[i]!;
      if (c === '"') {
        quoted = true;
        i++;
        for (;;) {
          if (i >= n) throw new Error('unterminated quote');
          const d = line[i]!;
          if (d === '"') {
            i++;
            break;
          }
          if (d === '\\') {
            const e = line[i + 1];
            if (e === 'n') value += '\n';
            else if (e === 't') value += '\t';
            else if (e === 'r') value += '\r';
            else if (e === '\\' || e === '"') value += e;
            else if (e === 'x') {
              const hex = line.slice(i + 2, i + 4);
              if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`bad escape \\x${hex}`);
              const byte = parseInt(hex, 16);
              // A byte >= 0x80 written alone is not UTF-8: carry it as surrogateescape does.
              value += byte >= 0x80 ? String.fromCharCode(0xdc00 + byte) : String.fromCharCode(byte);
              i += 2;
            } else throw new Error(`bad escape \\${e ?? ''}`);
            i += 2;
            continue;
          }
          value += d;
          i++;
        }
        continue;
      }
      if (c === '=' && key === undefined && !quoted && value !== '') {
        key = value;
        value = '';
        i++;
        continue;
      }
      value += c;
      i++;
    }
    out.push(key === undefined ? { value, quoted } : { key, value, quoted });
  }
  return out;
}

/** Parses a capability gate. */
export function parseCondition(text: string): Condition {
  const negate = text.startsWith('!');
  const body = negate ? text.slice(1) : text;
  const [key, value] = body.split('=', 2) as [string, string | undefined];
  const values = value?.split(/[|,]/);
  let test: (caps: BackendCapabilities) => boolean;
  switch (key) {
    case 'closeWrite':
      if (!values) test = (c) => c.closeWrite;
      else {
        for (const v of values) if (v !== 'native' && v !== 'emulated') throw new Error(`closeWrite is native or emulated, not ${v}`);
        test = (c) => values.includes(c.closeWrite ? 'native' : 'emulated');
      }
      break;
    case 'renamePairing':
      if (!values) test = (c) => c.renamePairing !== 'none';
      else {
        for (const v of values) if (!['os', 'identity', 'none'].includes(v)) throw new Error(`renamePairing is os, identity or none, not ${v}`);
        test = (c) => values.includes(c.renamePairing);
      }
      break;
    case 'overflowSignal':
      if (values) throw new Error(`${key} is a flag; write "${key}" or "!${key}"`);
      test = (c) => c[key];
      break;
    default:
      throw new Error(`unknown capability "${key}" (closeWrite, renamePairing, overflowSignal)`);
  }
  return { text, test: negate ? (c) => !test(c) : test };
}

/** How a backend's capability reads in gate vocabulary, for skip messages. */
export function describeCapability(condition: Condition, caps: BackendCapabilities): string {
  const key = condition.text.replace(/^!/, '').split('=')[0]!;
  if (key === 'closeWrite') return `closeWrite=${caps.closeWrite ? 'native' : 'emulated'}`;
  if (key === 'renamePairing') return `renamePairing=${caps.renamePairing}`;
  if (key === 'overflowSignal') return `${caps[key] ? '' : '!'}${key}`;
  return key;
}

function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text);
  if (!m) throw new Error(`bad duration "${text}" (e.g. 50ms, 2s)`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** Parses an event line: `<type>[?*+] <kind>[|kind] <path> [-> <new path>] [origin=a,b] [if <condition>...]`. */
export function parseEvent(tokens: Token[], line: number, text: string): ExpectedEvent {
  const [head, kindTok, ...rest] = tokens;
  if (!head || !kindTok || head.key !== undefined) throw new Error('an event is "<type> <kind> <path>"');
  const m = /^([a-z-]+)([?*+]?)$/.exec(head.value);
  if (!m || !EVENT_TYPES.includes(m[1] as EventType)) throw new Error(`unknown event type "${head.value}"`);
  const type = m[1] as EventType;
  const quant = m[2];
  const [min, max] = quant === '?' ? [0, 1] : quant === '*' ? [0, Infinity] : quant === '+' ? [1, Infinity] : [1, 1];
  const kinds = kindTok.value.split('|').map((k) => {
    const kind = KINDS[k];
    if (!kind) throw new Error(`unknown kind "${k}" (file, dir, symlink, other, unknown)`);
    return kind;
  });
  const pathTok = rest.shift();
  if (!pathTok || pathTok.key !== undefined) throw new Error('missing path');
  let path = normalizeRel(pathTok.value);
  let oldPath: string | undefined;
  if (rest[0]?.value === '->' && !rest[0].quoted) {
    rest.shift();
    const to = rest.shift();
    if (!to) throw new Error('missing path after ->');
    oldPath = path;
    path = normalizeRel(to.value);
  }
  if ((type === 'rename') !== (oldPath !== undefined)) throw new Error('a rename (and only a rename) is written "rename <kind> <old> -> <new>"');
  let origins: EventOrigin[] | undefined;
  const when: Condition[] = [];
  while (rest.length) {
    const t = rest.shift()!;
    if (t.key === 'origin') {
      origins = t.value.split(/[|,]/).map((o) => {
        if (!ORIGINS.includes(o as EventOrigin)) throw new Error(`unknown origin "${o}"`);
        return o as EventOrigin;
      });
    } else if (t.key === undefined && t.value === 'if' && !t.quoted) {
      if (!rest.length) throw new Error('"if" needs a condition');
      while (rest.length) {
        const c = rest.shift()!;
        when.push(parseCondition(c.key === undefined ? c.value : `${c.key}=${c.value}`));
      }
    } else throw new Error(`unexpected "${t.key ? `${t.key}=` : ''}${t.value}"`);
  }
  const event: ExpectedEvent = { type, kinds, path, min, max, when, line, text };
  if (oldPath !== undefined) event.oldPath = oldPath;
  if (origins) event.origins = origins;
  return event;
}

/** Normalizes a scenario path ('a//b/./c' → 'a/b/c', '' → '.'); keeps '..' that leaves the directory. */
export function normalizeRel(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out.length ? out.join('/') : '.';
}

function parseOp(tokens: Token[], line: number, text: string): LocatedOp {
  const opts = new Map<string, string>();
  const flags = new Set<string>();
  const args: string[] = [];
  const [head, ...rest] = tokens;
  if (!head || head.key !== undefined) throw new Error('empty operation');
  for (const t of rest) {
    if (t.key !== undefined) opts.set(t.key, t.value);
    else if (!t.quoted && /^-[a-z]+$/.test(t.value) && args.length === 0 && head.value !== 'write') flags.add(t.value);
    else args.push(t.value);
  }
  const need = (n: number, usage: string): void => {
    if (args.length !== n) throw new Error(`usage: ${usage}`);
  };
  const unknown = (allowedFlags: string[], allowedOpts: string[] = []): void => {
    for (const f of flags) if (!allowedFlags.includes(f)) throw new Error(`unknown flag ${f} for ${head.value}`);
    for (const k of opts.keys()) if (!allowedOpts.includes(k)) throw new Error(`unknown option ${k}= for ${head.value}`);
  };
  const rel = (p: string): string => normalizeRel(p);
  let op: Op;
  switch (head.value) {
    case 'mkdir':
      unknown(['-p']);
      need(1, 'mkdir [-p] <dir>');
      op = { op: 'mkdir', path: rel(args[0]!), parents: flags.has('-p') };
      break;
    case 'write':
    case 'append': {
      unknown([], ['chunks', 'every']);
      if (args.length < 1 || args.length > 2) throw new Error(`usage: ${head.value} <file> ["content"] [chunks=N every=<duration>]`);
      const chunks = Number(opts.get('chunks') ?? 1);
      if (!Number.isInteger(chunks) || chunks < 1) throw new Error('chunks= is a positive integer');
      op = {
        op: 'write',
        path: rel(args[0]!),
        content: args[1] ?? 'x',
        append: head.value === 'append',
        chunks,
        every: opts.has('every') ? parseDuration(opts.get('every')!) : 0,
      };
      break;
    }
    case 'touch':
      unknown([]);
      need(1, 'touch <file>');
      op = { op: 'touch', path: rel(args[0]!) };
      break;
    case 'rm':
      unknown(['-r', '-rf']);
      need(1, 'rm [-r] <path>');
      op = { op: 'rm', path: rel(args[0]!), recursive: flags.size > 0 };
      break;
    case 'rmdir':
      unknown([]);
      need(1, 'rmdir <dir>');
      op = { op: 'rmdir', path: rel(args[0]!) };
      break;
    case 'mv':
      unknown([]);
      need(2, 'mv <from> <to>');
      op = { op: 'mv', from: rel(args[0]!), to: rel(args[1]!) };
      break;
    case 'ln':
      unknown(['-s']);
      need(2, 'ln [-s] <target> <link>');
      op = flags.has('-s') ? { op: 'symlink', target: args[0]!, path: rel(args[1]!) } : { op: 'link', existing: rel(args[0]!), path: rel(args[1]!) };
      break;
    case 'chmod':
      unknown([]);
      need(2, 'chmod <octal mode> <path>');
      if (!/^[0-7]{3,4}$/.test(args[0]!)) throw new Error('chmod takes an octal mode');
      op = { op: 'chmod', mode: parseInt(args[0]!, 8), path: rel(args[1]!) };
      break;
    case 'truncate':
      unknown([]);
      if (args.length < 1 || args.length > 2) throw new Error('usage: truncate <file> [size]');
      op = { op: 'truncate', path: rel(args[0]!), size: Number(args[1] ?? 0) };
      break;
    case 'burst':
      unknown([]);
      if (args.length < 2 || args.length > 3) throw new Error('usage: burst <dir> <count> ["content"]');
      op = { op: 'burst', dir: rel(args[0]!), count: Number(args[1]), content: args[2] ?? 'x' };
      break;
    case 'sync':
      unknown([]);
      need(0, 'sync');
      op = { op: 'sync' };
      break;
    case 'await':
      op = { op: 'await', event: parseEvent(rest, line, text) };
      break;
    default:
      throw new Error(`unknown operation "${head.value}"`);
  }
  return { ...op, line, text };
}

function parseWatch(tokens: Token[]): WatchSpec {
  const spec: WatchSpec = { path: '.', paths: [], ignore: [], followSymlinks: false };
  for (const t of tokens) {
    if (t.key === undefined && t.value === 'follow-symlinks' && !t.quoted) spec.followSymlinks = true;
    else if (t.key === undefined) {
      // Kept as written ('sub/..' stays so): how a user names a root is part of what is tested.
      if (normalizeRel(t.value).startsWith('..')) throw new Error('a watched path must lie inside the scenario directory');
      spec.paths.push(t.value);
    } else if (t.key === 'ignore') spec.ignore.push(t.value);
    else if (t.key === 'settle') spec.settle = t.value === 'off' ? false : parseDuration(t.value);
    else if (t.key === 'poll-interval') spec.pollInterval = parseDuration(t.value);
    else throw new Error(`unknown watch option ${t.key}= (ignore, settle, poll-interval, follow-symlinks)`);
  }
  if (spec.paths.length === 0) spec.paths.push('.');
  spec.path = normalizeRel(spec.paths[0]!);
  return spec;
}

/** Parses one scenario file's text. `id` is `group/name`. */
export function parseScenario(text: string, id: string, file = id): Scenario {
  const s: Partial<Scenario> & { setup: LocatedOp[]; during: LocatedOp[]; ops: LocatedOp[]; requires: Condition[]; rules: string[] } = {
    id,
    file,
    setup: [],
    during: [],
    ops: [],
    requires: [],
    rules: [],
  };
  const expect: Expectation = { events: 'none', warnings: [], allowWarnings: [], knownPathsEqualDisk: false };
  let sawEvents = false;
  let sawWatch = false;
  let section: 'setup' | 'during' | 'ops' | ExpectedEvent[] | undefined;
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = i + 1;
    const fail = (message: string): never => {
      throw new ScenarioSyntaxError(file, line, message);
    };
    if (/^\s*(#.*)?$/.test(raw)) return;
    try {
      if (/^\s/.test(raw)) {
        if (!section) fail('indented line outside a section (setup:, during:, ops:, expect ordered:, expect unordered:)');
        const tokens = tokenize(raw);
        if (!tokens.length) return;
        const body = raw.trim();
        if (section === 'setup' || section === 'during' || section === 'ops') {
          const op = parseOp(tokens, line, body);
          if (section !== 'ops' && (op.op === 'sync' || op.op === 'await')) fail(`${op.op} waits on a ready watcher: it belongs in ops:`);
          s[section].push(op);
        } else section!.push(parseEvent(tokens, line, body));
        return;
      }
      const m = /^([a-z][a-z -]*?):\s*(.*)$/.exec(raw);
      if (!m) fail('expected "key: value" or a section header');
      const [, key, value] = m as unknown as [string, string, string];
      section = undefined;
      switch (key) {
        case 'title':
          s.title = value.trim();
          break;
        case 'rules':
          s.rules = value.split(/[\s,]+/).filter(Boolean);
          for (const r of s.rules) if (!/^R([1-9]|1[0-2])$/.test(r)) fail(`unknown rule ${r}`);
          break;
        case 'requires':
          for (const t of tokenize(value)) s.requires.push(parseCondition(t.key === undefined ? t.value : `${t.key}=${t.value}`));
          break;
        case 'known-failure':
          s.knownFailure = value.trim();
          break;
        case 'timeout':
          s.timeout = parseDuration(value.trim());
          break;
        case 'setup':
        case 'during':
        case 'ops':
          if (value.trim()) fail(`${key}: takes its steps on the following indented lines`);
          section = key;
          break;
        case 'watch':
          s.watch = parseWatch(tokenize(value));
          sawWatch = true;
          break;
        case 'expect ordered':
        case 'expect unordered': {
          if (sawEvents) fail('events are expected once per scenario');
          sawEvents = true;
          const items: ExpectedEvent[] = [];
          expect.events = { order: key === 'expect ordered' ? 'ordered' : 'unordered', items };
          section = items;
          break;
        }
        case 'expect events':
          if (sawEvents) fail('events are expected once per scenario');
          sawEvents = true;
          if (value.trim() !== 'none' && value.trim() !== 'unchecked') fail('expect events: none | unchecked');
          expect.events = value.trim() as 'none' | 'unchecked';
          break;
        case 'expect error':
          expect.error = value.trim().split('|').filter(Boolean);
          if (!expect.error.length) fail('expect error: CODE[|CODE…]');
          break;
        case 'expect warning':
          expect.warnings.push(value.trim());
          break;
        case 'allow warning':
          expect.allowWarnings.push(value.trim());
          break;
        case 'expect known-paths':
          if (value.trim() !== 'disk') fail('expect known-paths: disk');
          expect.knownPathsEqualDisk = true;
          break;
        default:
          fail(`unknown key "${key}"`);
      }
    } catch (error) {
      if (error instanceof ScenarioSyntaxError) throw error;
      fail((error as Error).message);
    }
  });
  if (!s.title) throw new ScenarioSyntaxError(file, 1, 'missing title:');
  if (!s.rules.length) throw new ScenarioSyntaxError(file, 1, 'missing rules:');
  if (!sawWatch) throw new ScenarioSyntaxError(file, 1, 'missing watch:');
  if (!sawEvents) throw new ScenarioSyntaxError(file, 1, 'missing expectation: expect ordered:/unordered:, or expect events: none|unchecked');
  return { ...(s as Scenario), expect };
}
