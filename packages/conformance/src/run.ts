/**
 * Runs one scenario against one backend, framework-free: a fresh temp
 * directory, the setup, `watch()`, the operations, a wait on conditions with a
 * deadline (never a fixed sleep), and an exact comparison.
 *
 * Layout of the temp directory: `root/` is the scenario directory (every path
 * in a scenario is relative to it) and `out/` is a sibling outside the watched
 * tree, reached as `../out/...`.
 *
 * How the driver knows the watcher has caught up (a "cookie", as watchman
 * does): after the operations it moves `.vigil-cookie-N` into the watched
 * directory and waits for its `create`, twice. Twice because a poller's scan
 * that sees the first cookie may have read other directories before the
 * operations finished; the scan that sees the second cookie began after the
 * first one was delivered, so it saw everything. Where close-write is emulated
 * by settling it then waits for the second cookie's close-write: settling is
 * first in, first out, so every file that was settling before the cookie has
 * been decided by then. Backends with native close-write still settle the
 * files a scan finds (moved in with a directory, reached through a followed
 * link: nobody can tell whether their writer had finished), so the final
 * barrier there moves in a cookie directory holding one file and waits for
 * that file's emulated close-write, for the same first-in-first-out reason.
 * Cookie events are filtered out of the comparison.
 *
 * Cookies are created (in `cookies/`, outside the tree) before watching and
 * moved in, never created on the spot: a file created right after an unlink
 * gets the freed inode back on ext4, and a backend pairing renames by identity
 * would then report `rename f -> cookie` and swallow the delete the scenario
 * is about (scenario delete/unlink-then-create tests that case on purpose). A single-file root has no room for a cookie:
 * there the driver waits for the required events, then for a quiet period
 * (settle + two poll intervals) only to catch extra events.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createIgnorePredicate, toFsPath, type BackendCapabilities, type VigilError, type WatchEvent, type WatchOptions, type Watcher } from '@vigilfs/core';
import {
  applicable,
  checkInvariants,
  explainMismatch,
  formatReceived,
  matchOrdered,
  matchUnordered,
  matches,
  missingRequired,
  type Received,
} from './match.js';
import { fromBytes, fsPath, showName, toBytes } from './names.js';
import type { ExpectedEvent, LocatedOp, Scenario } from './scenario.js';

/** A backend as the suite sees it: a name, its capabilities, and a way to watch with it. */
export interface ConformanceTarget {
  name: string;
  capabilities: BackendCapabilities;
  /** Watches `roots` (one path or several, as a scenario names them) with this backend; the driver passes every other option. */
  watch(roots: string | string[], options: WatchOptions): Promise<Watcher>;
}

/** Timing for a run; scenarios may override pollInterval and settle in `watch:`. */
export interface RunSettings {
  /** Poll interval for polled roots (ms). */
  pollInterval: number;
  /** Settle period for emulated close-write (ms). */
  settle: number;
  /** Deadline for each wait (ms). */
  deadline: number;
}

/** Defaults sized for a 2-core CI machine. */
export const DEFAULT_SETTINGS: RunSettings = { pollInterval: 50, settle: 150, deadline: 10_000 };

/** What a run found. `report` is the full explanation (with the received trace) when `ok` is false. */
export interface ScenarioResult {
  ok: boolean;
  problems: string[];
  report: string;
  received: Received[];
  elapsedMs: number;
}

const COOKIE = '.vigil-cookie-';
const isCookie = (p: string): boolean => path.basename(p).startsWith(COOKIE);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Collects what a watcher delivers and wakes waiters on every delivery. */
class Observer {
  received: Received[] = [];
  cookies: WatchEvent[] = [];
  warnings: VigilError[] = [];
  errors: VigilError[] = [];
  closed = false;
  outsidePaths: string[] = [];
  #batches = 0;
  #wake = new Set<() => void>();

  constructor(w: Watcher, base: string) {
    const rel = (p: string): string => {
      const inside = scenarioPath(base, p);
      if (inside !== undefined) return inside;
      this.outsidePaths.push(p);
      return `<outside>${p}`;
    };
    w.on('events', (batch) => {
      const n = ++this.#batches;
      for (const event of batch) {
        if (isCookie(event.path) || (event.oldPath !== undefined && isCookie(event.oldPath))) {
          this.cookies.push(event);
          continue;
        }
        const r: Received = { event, path: rel(event.path), batch: n };
        if (event.oldPath !== undefined) r.oldPath = rel(event.oldPath);
        this.received.push(r);
      }
      this.#notify();
    });
    w.on('warning', (e) => {
      this.warnings.push(e);
      this.#notify();
    });
    w.on('error', (e) => {
      this.errors.push(e);
      this.#notify();
    });
    w.on('close', () => {
      this.closed = true;
      this.#notify();
    });
  }

  #notify(): void {
    for (const f of [...this.#wake]) f();
  }

  /** Resolves true once `cond()` holds, false at the deadline; re-checked on every delivery. */
  until(cond: () => boolean, deadlineMs: number): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = (): void => {
        if (!cond()) return;
        done(true);
      };
      const timer = setTimeout(() => done(false), deadlineMs);
      const done = (v: boolean): void => {
        clearTimeout(timer);
        this.#wake.delete(check);
        resolve(v);
      };
      this.#wake.add(check);
    });
  }

  cookieSeen(p: string, type: WatchEvent['type']): boolean {
    return this.cookies.some((e) => e.path === p && e.type === type);
  }
}

/** Runs `scenario` against `target`. Never throws for a failed expectation: see the result. */
export async function runScenario(scenario: Scenario, target: ConformanceTarget, settings: RunSettings = DEFAULT_SETTINGS): Promise<ScenarioResult> {
  const started = Date.now();
  const caps = target.capabilities;
  const deadline = scenario.timeout ?? settings.deadline;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-conformance-'));
  const base = path.join(tmp, 'root');
  fs.mkdirSync(base);
  fs.mkdirSync(path.join(tmp, 'out'));
  const cookieDir = path.join(tmp, 'cookies');
  fs.mkdirSync(cookieDir);
  const barriers = scenario.ops.filter((op) => op.op === 'sync').length + 1;
  for (let k = 1; k <= 2 * barriers; k++) fs.writeFileSync(path.join(cookieDir, `${COOKIE}${k}`), '');
  const settleCookie = `${COOKIE}settle`;
  fs.mkdirSync(path.join(cookieDir, settleCookie));
  // The file inside is a cookie by its own name too, so it is filtered out and no ignore pattern of a scenario can hide it.
  fs.writeFileSync(path.join(cookieDir, settleCookie, settleCookie), '');
  const problems: string[] = [];
  const notes: string[] = [];
  let w: Watcher | undefined;
  let obs: Observer | undefined;
  const spec = scenario.watch;
  const settle = spec.settle ?? settings.settle;
  const pollInterval = spec.pollInterval ?? settings.pollInterval;
  const rootAbs = resolveIn(tmp, base, spec.path);
  let cookies = 0;

  try {
    for (const op of scenario.setup) await perform(op, tmp, base);
    const rootIsDir = fs.statSync(fsPath(rootAbs)).isDirectory();
    const options: WatchOptions = { pollInterval, settle, followSymlinks: spec.followSymlinks };
    if (spec.ignore.length) options.ignore = spec.ignore;
    // Every path as written, made absolute without normalising: 'sub/..' reaches watch() as such.
    const roots = spec.paths.map((p) => (p === '.' ? base : path.join(base, p)));
    const starting = target.watch(roots.length === 1 ? roots[0]! : roots, options);
    if (scenario.during.length) {
      // One turn of the event loop, so that watch() has begun walking, then the operations race it.
      await new Promise((r) => setImmediate(r));
      for (const op of scenario.during) await perform(op, tmp, base);
    }
    try {
      w = await starting;
    } catch (error) {
      const code = (error as VigilError).code;
      if (!scenario.expect.error?.includes(code)) throw error;
      // A rejection with an expected code is one of the outcomes the scenario allows.
    }
    if (!w) {
      if (scenario.ops.length) throw new Error('watch() rejected, and the scenario has ops to perform');
      return { ok: true, problems: [], report: '', received: [], elapsedMs: Date.now() - started };
    }
    const o = (obs = new Observer(w, base));

    const settles = !caps.closeWrite && settle !== false;
    // The barrier described in the module doc. `final` also waits out settling on native close-write backends.
    const barrier = async (why: string, final = false): Promise<boolean> => {
      if (!rootIsDir) throw new Error('sync needs a directory root (a single-file root has no room for a cookie); use await');
      let cookie = '';
      for (let k = 0; k < 2; k++) {
        const name = `${COOKIE}${++cookies}`;
        cookie = path.join(rootAbs, name);
        fs.renameSync(path.join(cookieDir, name), cookie);
        if (!(await o.until(() => o.closed || o.cookieSeen(cookie, 'create'), deadline))) {
          notes.push(`${why}: the create of cookie ${path.basename(cookie)} did not arrive within ${deadline} ms`);
          return false;
        }
        if (o.closed) return false;
      }
      if (settles && !(await o.until(() => o.closed || o.cookieSeen(cookie, 'close-write'), deadline))) {
        notes.push(`${why}: the close-write of cookie ${path.basename(cookie)} did not arrive within ${deadline} ms`);
        return false;
      }
      if (final && caps.closeWrite && settle !== false) {
        if (o.closed) return false;
        const inside = path.join(rootAbs, settleCookie, settleCookie);
        fs.renameSync(path.join(cookieDir, settleCookie), path.join(rootAbs, settleCookie));
        if (!(await o.until(() => o.closed || o.cookieSeen(inside, 'close-write'), deadline))) {
          notes.push(`${why}: the emulated close-write of ${settleCookie}/${settleCookie} did not arrive within ${deadline} ms`);
          return false;
        }
      }
      return true;
    };

    for (const op of scenario.ops) {
      if (op.op === 'sync') await barrier(`sync (line ${op.line})`);
      else if (op.op === 'await') {
        const e = op.event;
        if (!e.when.every((c) => c.test(caps))) continue;
        if (!(await o.until(() => o.closed || o.received.some((r) => matches(r, e, caps)), deadline))) {
          notes.push(`await (line ${op.line}): "${e.text}" did not arrive within ${deadline} ms`);
        }
      } else await perform(op, tmp, base);
    }

    const ex = scenario.expect;
    const items = typeof ex.events === 'object' ? applicable(ex.events.items, caps) : [];
    const requiredThere = (): boolean =>
      missingRequired(o.received, items, caps).length === 0 && ex.warnings.every((c) => o.warnings.some((x) => x.code === c));
    const expectedError = (e: VigilError): boolean => ex.error?.includes(e.code) ?? false;
    if (ex.error) {
      if (!(await o.until(() => o.errors.some(expectedError), deadline))) notes.push(`error ${ex.error.join('|')} did not arrive within ${deadline} ms`);
    } else if (rootIsDir) {
      // Past the barrier every scan and settle is done: stragglers get a short grace, not the whole deadline.
      const grace = (await barrier('final barrier', true)) ? Math.min(deadline, 2_000) : deadline;
      if (!(await o.until(() => o.closed || requiredThere(), grace))) notes.push(`expected events still missing after ${grace} ms`);
    } else {
      if (!(await o.until(() => o.closed || requiredThere(), deadline))) notes.push(`expected events still missing after ${deadline} ms`);
      // No cookie possible: give extra events a chance to show (see the module doc).
      const quiet = 2 * pollInterval + (settle === false ? 0 : settle) + 50;
      for (let before = -1, t0 = Date.now(); before !== o.received.length && Date.now() - t0 < deadline; ) {
        before = o.received.length;
        await sleep(quiet);
      }
    }
    if (!o.closed) await w.idle();

    // Errors and warnings.
    for (const e of o.errors) if (!expectedError(e)) problems.push(`unexpected error ${e.code}: ${e.message}`);
    if (ex.error && !o.errors.some(expectedError)) problems.push(`expected error ${ex.error.join('|')}, none arrived`);
    if (!ex.error && o.closed) problems.push('the watcher closed by itself');
    for (const code of ex.warnings) if (!o.warnings.some((x) => x.code === code)) problems.push(`expected a ${code} warning, none arrived`);
    for (const x of o.warnings) {
      if (!ex.warnings.includes(x.code) && !ex.allowWarnings.includes(x.code)) problems.push(`unexpected warning ${x.code}: ${x.message}`);
    }

    // Events.
    if (ex.events === 'none') {
      if (o.received.length) problems.push(`expected no event, got ${o.received.length}`);
    } else if (typeof ex.events === 'object') {
      const ok = ex.events.order === 'ordered' ? matchOrdered(o.received, items, caps) : matchUnordered(o.received, items, caps);
      if (!ok) problems.push(`events differ from the expected ${ex.events.order} list:`, ...explainMismatch(o.received, items, caps).map((l) => `  ${l}`));
    }
    problems.push(...checkInvariants(o.received));
    for (const p of o.outsidePaths) problems.push(`event path outside the scenario directory: ${p}`);
    for (const r of o.received) {
      for (const p of r.event.oldPath !== undefined ? [r.event.path, r.event.oldPath] : [r.event.path]) {
        if (!Buffer.from(toFsPath(p)).equals(toBytes(p))) problems.push(`R12: toFsPath(${showName(p)}) does not give the name's bytes back`);
      }
    }

    // What the events add up to, against the disk.
    if (ex.knownPathsEqualDisk) {
      const known = new Set(
        w
          .knownPaths()
          .map((p) => scenarioPath(base, p) ?? p)
          .filter((p) => !isCookie(p)),
      );
      const onDisk = spec.paths.flatMap((p) => walkDisk(resolveIn(tmp, base, p), spec.followSymlinks, spec.ignore));
      const disk = new Set(onDisk.map((p) => scenarioPath(base, p) ?? p).filter((p) => !isCookie(p)));
      const missing = [...disk].filter((p) => !known.has(p));
      const extra = [...known].filter((p) => !disk.has(p));
      if (missing.length || extra.length) {
        problems.push(
          `knownPaths() differs from the disk (${known.size} known, ${disk.size} on disk):`,
          ...missing.slice(0, 20).map((p) => `  on disk, not known: ${showName(p)}`),
          ...extra.slice(0, 20).map((p) => `  known, not on disk: ${showName(p)}`),
        );
      }
    }
  } catch (error) {
    problems.push(`driver: ${(error as Error).stack ?? String(error)}`);
  } finally {
    await w?.close().catch((e: unknown) => problems.push(`close() failed: ${String(e)}`));
    try {
      fs.rmSync(tmp, { recursive: true, force: true });
    } catch (error) {
      problems.push(`cleanup: ${String(error)}`);
    }
  }

  const received = obs?.received ?? [];
  if (problems.length) problems.push(...notes);
  const ok = problems.length === 0;
  const report = ok ? '' : formatReport(scenario, target, problems, received, obs);
  return { ok, problems, report, received, elapsedMs: Date.now() - started };
}

function formatReport(s: Scenario, target: ConformanceTarget, problems: string[], received: Received[], obs: Observer | undefined): string {
  const ex = s.expect;
  const lines = [`${s.id} (${s.file}) on backend ${target.name}: ${s.title}`, '', 'problems:', ...problems.map((p) => `  ${p}`), ''];
  if (typeof ex.events === 'object') {
    lines.push(`expected (${ex.events.order}):`);
    for (const e of applicable(ex.events.items, target.capabilities)) lines.push(`  ${e.text}`);
  } else lines.push(`expected events: ${ex.events}`);
  if (ex.error) lines.push(`expected error: ${ex.error.join('|')}`);
  lines.push('', `received (${received.length} events, cookies left out):`);
  for (const r of received.slice(0, 200)) lines.push(`  ${formatReceived(r)}`);
  if (received.length > 200) lines.push(`  … ${received.length - 200} more`);
  for (const x of obs?.warnings ?? []) lines.push(`warning ${x.code}: ${x.message}`);
  for (const x of obs?.errors ?? []) lines.push(`error ${x.code}: ${x.message}`);
  return lines.join('\n');
}

/** Absolute path of a scenario path; refuses to leave the temp directory. */
function resolveIn(tmp: string, base: string, rel: string): string {
  const abs = rel === '.' ? base : path.join(base, rel);
  if (abs !== tmp && !abs.startsWith(tmp + path.sep)) throw new Error(`path ${rel} leaves the scenario's temp directory`);
  return abs;
}

/**
 * A watched path as scenarios write it: relative to `base`, '/'-separated on
 * every OS ('.' for base itself); undefined when it is not under base.
 */
function scenarioPath(base: string, p: string): string | undefined {
  if (p === base) return '.';
  if (!p.startsWith(base + path.sep)) return undefined;
  const rel = p.slice(base.length + 1);
  return path.sep === '/' ? rel : rel.split(path.sep).join('/');
}

/** Performs one filesystem operation. */
async function perform(op: LocatedOp, tmp: string, base: string): Promise<void> {
  const at = (rel: string): string | Buffer => fsPath(resolveIn(tmp, base, rel));
  try {
    switch (op.op) {
      case 'mkdir':
        fs.mkdirSync(at(op.path), { recursive: op.parents });
        break;
      case 'write': {
        const fd = fs.openSync(at(op.path), op.append ? 'a' : 'w');
        try {
          for (let i = 0; i < op.chunks; i++) {
            if (i > 0 && op.every > 0) await sleep(op.every);
            fs.writeSync(fd, toBytes(op.content));
          }
        } finally {
          fs.closeSync(fd);
        }
        break;
      }
      case 'touch': {
        const now = new Date();
        try {
          fs.utimesSync(at(op.path), now, now);
        } catch {
          fs.closeSync(fs.openSync(at(op.path), 'a'));
        }
        break;
      }
      case 'rm':
        if (op.recursive) fs.rmSync(at(op.path), { recursive: true });
        else fs.unlinkSync(at(op.path));
        break;
      case 'rmdir':
        fs.rmdirSync(at(op.path));
        break;
      case 'mv':
        fs.renameSync(at(op.from), at(op.to));
        break;
      case 'symlink':
        fs.symlinkSync(fsPath(op.target), at(op.path));
        break;
      case 'link':
        fs.linkSync(at(op.existing), at(op.path));
        break;
      case 'chmod':
        fs.chmodSync(at(op.path), op.mode);
        break;
      case 'truncate':
        fs.truncateSync(at(op.path), op.size);
        break;
      case 'burst': {
        const width = String(op.count - 1).length;
        const content = toBytes(op.content);
        for (let i = 0; i < op.count; i++) fs.writeFileSync(at(`${op.dir}/f${String(i).padStart(width, '0')}`), content);
        break;
      }
      case 'sync':
      case 'await':
        throw new Error(`${op.op} only makes sense once watching`);
    }
  } catch (error) {
    throw new Error(`line ${op.line} "${op.text}": ${(error as Error).message}`);
  }
}

/** Every path under `root` (root included), decoded byte-exactly, without ignored ones. */
function walkDisk(root: string, follow: boolean, ignore: string[]): string[] {
  const ignored = createIgnorePredicate(root, ignore.length ? ignore : undefined);
  if (!fs.existsSync(fsPath(root))) return [];
  const out: string[] = [root];
  const seen = new Set<string>();
  const statOf = (p: string): fs.Stats | undefined => {
    try {
      return follow ? fs.statSync(fsPath(p)) : fs.lstatSync(fsPath(p));
    } catch {
      try {
        return fs.lstatSync(fsPath(p));
      } catch {
        return undefined;
      }
    }
  };
  const visit = (dir: string): void => {
    const st = statOf(dir);
    if (!st?.isDirectory()) return;
    const id = `${st.dev}:${st.ino}`;
    if (seen.has(id)) return;
    seen.add(id);
    let names: Buffer[];
    try {
      names = fs.readdirSync(fsPath(dir), { encoding: 'buffer' });
    } catch {
      return;
    }
    for (const raw of names) {
      const p = `${dir}/${fromBytes(raw)}`;
      const child = statOf(p);
      if (!child) continue;
      const kind = child.isDirectory() ? 'directory' : child.isSymbolicLink() ? 'symlink' : child.isFile() ? 'file' : 'other';
      if (ignored(p, kind)) continue;
      out.push(p);
      if (child.isDirectory()) visit(p);
    }
  };
  visit(root);
  return out;
}

export type { ExpectedEvent };
