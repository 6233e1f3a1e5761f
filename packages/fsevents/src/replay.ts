/**
 * Replay: recorded FSEvents records, fed through the backend's one decoding
 * path after the filesystem operations that produced them were performed for
 * real in a temporary root (so the decoder's `lstat`s see what the Mac saw).
 * The format is described in the package README ("Replay files"); the corpus
 * is `replay/*.replay`, and `vigil-fsevents-replay <file>` runs one file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createWatcher, type WatchEvent, type Watcher } from '@vigilfs/core';
import { createFseventsBackend, FSEVENTS_CAPABILITIES } from './backend.js';
import { parseFlags } from './flags.js';
import type { FseventsRecord, RecordSource } from './record.js';

/** One step of a replay: a real operation, a batch of records (one FSEvents callback), or a pause. */
export type ReplayStep =
  | { kind: 'op'; argv: string[]; line: number }
  | { kind: 'records'; records: { flags: number; path: string; id?: number }[]; line: number }
  | { kind: 'pause'; ms: number; line: number };

/** A parsed replay file. */
export interface ReplayScript {
  /** Where the records come from (a capture, with its address; or "derived from …"). Required. */
  source: string;
  /** The watched root as the records spell it (default `/`). */
  recordedRoot: string;
  /** Settle period for emulated close-write (ms), or false (the default: no close-write emulation). */
  settle: number | false;
  setup: ReplayStep[];
  steps: ReplayStep[];
  /** The expected events (`rename file a -> b`, `warning OVERFLOW`, `error ROOT_REMOVED`), in order; undefined when the file has none. */
  expect?: string[];
}

/** Splits a line into tokens; double quotes group, with `\n \t \\ \"`. */
function tokens(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, (_, c: string) => ({ n: '\n', t: '\t' })[c] ?? c) : m[2]!);
  }
  return out;
}

function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '#' && !quoted && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  return line;
}

const ms = (text: string, line: number): number => {
  const m = /^(\d+)(ms|s)?$/.exec(text);
  if (!m) throw new Error(`line ${line}: "${text}" is not a duration (e.g. 150ms)`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
};

/** Parses a replay file. Errors name the line. */
export function parseReplay(text: string): ReplayScript {
  const script: ReplayScript = { source: '', recordedRoot: '/', settle: false, setup: [], steps: [] };
  let section: 'setup' | 'steps' | 'expect' | undefined;
  let batch: Extract<ReplayStep, { kind: 'records' }> | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = stripComment(lines[i]!).replace(/\s+$/, '');
    if (!raw.trim()) continue;
    const indent = raw.length - raw.trimStart().length;
    const body = raw.trim();
    if (indent === 0) {
      batch = undefined;
      const m = /^([a-z-]+):\s*(.*)$/.exec(body);
      if (!m) throw new Error(`line ${n}: expected "key: value" or a section (setup:, steps:, expect:)`);
      const [, key, value] = m as unknown as [string, string, string];
      if (key === 'source') script.source = value;
      else if (key === 'recorded-root') script.recordedRoot = value;
      else if (key === 'settle') script.settle = value === 'off' ? false : ms(value, n);
      else if (key === 'setup' || key === 'steps' || key === 'expect') {
        section = key;
        if (key === 'expect') script.expect = [];
      } else throw new Error(`line ${n}: unknown key "${key}"`);
      continue;
    }
    if (!section) throw new Error(`line ${n}: indented line outside a section`);
    if (section === 'expect') {
      script.expect!.push(tokens(body).join(' '));
      continue;
    }
    const list = section === 'setup' ? script.setup : script.steps;
    if (batch && indent > batch.line) {
      // A record of the open `records:` block: `<flags> <path> [id=N]`.
      const t = tokens(body);
      if (t.length < 2) throw new Error(`line ${n}: a record is "<flags> <path> [id=N]"`);
      const idToken = t.length > 2 && /^id=\d+$/.test(t[t.length - 1]!) ? t.pop()! : undefined;
      batch.records.push({ flags: parseFlags(t[0]!), path: t.slice(1).join(' '), id: idToken ? Number(idToken.slice(3)) : undefined });
      continue;
    }
    batch = undefined;
    if (body === 'records:') {
      if (section === 'setup') throw new Error(`line ${n}: records belong in steps:`);
      // `line` doubles as the block's indent, to tell its records from the next step.
      batch = { kind: 'records', records: [], line: indent };
      list.push(batch);
      continue;
    }
    const argv = tokens(body);
    if (argv[0] === 'pause') list.push({ kind: 'pause', ms: ms(argv[1] ?? '', n), line: n });
    else list.push({ kind: 'op', argv, line: n });
  }
  if (!script.source) throw new Error('a replay file must say where its records come from (source: ...)');
  return script;
}

/** Performs one operation in `root` (`../out/x` reaches the sibling outside the tree). */
function perform(argv: string[], root: string, line: number): void {
  const [op, ...rest] = argv;
  const flag = rest[0]?.startsWith('-') ? rest.shift() : undefined;
  const at = (p: string | undefined): string => {
    if (p === undefined) throw new Error(`line ${line}: ${op} needs a path`);
    return path.resolve(root, p);
  };
  switch (op) {
    case 'mkdir':
      fs.mkdirSync(at(rest[0]), { recursive: flag === '-p' });
      return;
    case 'write':
      fs.writeFileSync(at(rest[0]), rest[1] ?? 'x');
      return;
    case 'append':
      fs.appendFileSync(at(rest[0]), rest[1] ?? 'x');
      return;
    case 'touch': {
      const p = at(rest[0]);
      if (fs.existsSync(p)) fs.utimesSync(p, new Date(), new Date());
      else fs.writeFileSync(p, '');
      return;
    }
    case 'rm':
      fs.rmSync(at(rest[0]), { recursive: flag === '-r' });
      return;
    case 'rmdir':
      fs.rmdirSync(at(rest[0]));
      return;
    case 'mv':
      fs.renameSync(at(rest[0]), at(rest[1]));
      return;
    case 'ln':
      if (flag === '-s') fs.symlinkSync(rest[0]!, at(rest[1]));
      else fs.linkSync(at(rest[0]), at(rest[1]));
      return;
    case 'chmod':
      fs.chmodSync(at(rest[1]), parseInt(rest[0]!, 8));
      return;
    case 'truncate':
      fs.truncateSync(at(rest[0]), Number(rest[1] ?? 0));
      return;
    default:
      throw new Error(`line ${line}: unknown operation "${op}"`);
  }
}

/** One event as a replay shows it: paths relative to the root. */
export interface ReplayEvent {
  type: WatchEvent['type'];
  kind: WatchEvent['kind'];
  path: string;
  oldPath?: string;
  origin: WatchEvent['origin'];
}

/** What a replay produced. */
export interface ReplayResult {
  /** vigil's events, in order. */
  events: ReplayEvent[];
  /** Warning and error codes, in order. */
  warnings: string[];
  errors: string[];
  /** Events, warnings and errors as the `expect:` lines spell them, in order of arrival. */
  shown: string[];
  /** True when the file has `expect:` and `shown` equals it (or when it has none). */
  ok: boolean;
}

/** A record source fed by the script; records are pending until the last batch has been handed over. */
class ReplaySource implements RecordSource {
  deliver: (records: FseventsRecord[]) => void = () => {};
  done = false;
  async start(_root: string, onRecords: (records: FseventsRecord[]) => void): Promise<void> {
    this.deliver = onRecords;
  }
  pending(): boolean {
    return !this.done;
  }
  async stop(): Promise<void> {
    this.deliver = () => {};
  }
  describe(): string {
    return 'FSEvents replay';
  }
}

const sleep = (t: number): Promise<void> => new Promise((r) => setTimeout(r, t));

/** Options of {@link runReplay}. */
export interface ReplayOptions {
  /** How long an unpaired Renamed half waits (default the backend's MOVE_WINDOW_MS). */
  moveWindowMs?: number;
}

/**
 * Runs a replay: a fresh temp directory (`root/` watched, `out/` beside it),
 * the setup, `watch()`, then each step in order (operations performed for
 * real, record batches handed to the decoder with their paths moved from the
 * recorded root to the temp root; paths outside the recorded root go under
 * `out/`), then a wait until vigil is idle and quiet.
 */
export async function runReplay(script: ReplayScript, options: ReplayOptions = {}): Promise<ReplayResult> {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-replay-')));
  const root = path.join(tmp, 'root');
  const out = path.join(tmp, 'out');
  fs.mkdirSync(root);
  fs.mkdirSync(out);
  const recordedRoot = script.recordedRoot.replace(/(.)\/$/, '$1');
  const rewrite = (p: string): string => {
    if (p === recordedRoot) return root;
    const prefix = recordedRoot === '/' ? '/' : `${recordedRoot}/`;
    return p.startsWith(prefix) ? path.join(root, p.slice(prefix.length)) : path.join(out, p);
  };
  const source = new ReplaySource();
  const backend = createFseventsBackend({
    source: () => source,
    probe: async () => ({ ok: true, capabilities: FSEVENTS_CAPABILITIES }),
    moveWindowMs: options.moveWindowMs,
  });
  const result: ReplayResult = { events: [], warnings: [], errors: [], shown: [], ok: true };
  const rel = (p: string): string => (p === root ? '.' : p.startsWith(`${root}/`) ? p.slice(root.length + 1) : `<outside>${p}`);
  let w: Watcher | undefined;
  let id = 1000;
  try {
    for (const step of script.setup) if (step.kind === 'op') perform(step.argv, root, step.line);
    w = await createWatcher({ backends: [backend] }, root, { backend: 'fsevents', settle: script.settle });
    w.on('events', (batch) => {
      for (const e of batch) {
        const ev: ReplayEvent = { type: e.type, kind: e.kind, path: rel(e.path), origin: e.origin };
        if (e.oldPath !== undefined) ev.oldPath = rel(e.oldPath);
        result.events.push(ev);
        result.shown.push(`${ev.type} ${ev.kind === 'directory' ? 'dir' : ev.kind} ${ev.oldPath !== undefined ? `${ev.oldPath} -> ` : ''}${ev.path}`);
      }
    });
    w.on('warning', (e) => {
      result.warnings.push(e.code);
      result.shown.push(`warning ${e.code}`);
    });
    w.on('error', (e) => {
      result.errors.push(e.code);
      result.shown.push(`error ${e.code}`);
    });
    for (const step of script.steps) {
      if (step.kind === 'op') perform(step.argv, root, step.line);
      else if (step.kind === 'pause') await sleep(step.ms);
      else {
        const records = step.records.map((r) => ({ path: rewrite(r.path), flags: r.flags, id: r.id ?? ++id }));
        source.deliver(records);
        // One callback per block: let core take it before the next step.
        await new Promise((r) => setImmediate(r));
        await w.idle();
      }
    }
    source.done = true;
    // Quiet: held halves decided, settling done, nothing new for a while.
    const quiet = (options.moveWindowMs ?? 150) + (script.settle === false ? 0 : script.settle) + 100;
    for (let before = -1; before !== result.shown.length; ) {
      before = result.shown.length;
      await w.idle();
      await sleep(quiet);
    }
  } finally {
    await w?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (script.expect) result.ok = script.expect.length === result.shown.length && script.expect.every((l, i) => l === result.shown[i]);
  return result;
}

/** Reads, parses and runs one replay file. */
export async function replayFile(file: string, options?: ReplayOptions): Promise<ReplayResult & { script: ReplayScript }> {
  const script = parseReplay(fs.readFileSync(file, 'utf8'));
  return { ...(await runReplay(script, options)), script };
}
