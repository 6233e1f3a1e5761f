/**
 * Comparing what a watcher delivered with what a scenario expects, and the
 * invariants every trace must satisfy whatever the scenario (R2 coalescing
 * within a batch, R6 parents before children).
 */
import type { BackendCapabilities, EventOrigin, WatchEvent } from '@vigilfs/core';
import type { ExpectedEvent } from './scenario.js';
import { showName } from './names.js';

/** A delivered event, with its paths relative to the scenario directory and the batch it came in. */
export interface Received {
  event: WatchEvent;
  path: string;
  oldPath?: string;
  batch: number;
}

const KIND_NAMES: Record<string, string> = { directory: 'dir' };

/** One received event in scenario syntax (so a trace can be pasted into a scenario). */
export function formatReceived(r: Received): string {
  const e = r.event;
  const kind = KIND_NAMES[e.kind] ?? e.kind;
  const where = r.oldPath !== undefined ? `${showName(r.oldPath)} -> ${showName(r.path)}` : showName(r.path);
  return `${e.type} ${kind} ${where}  origin=${e.origin}  (batch ${r.batch})`;
}

/** The origins an expected event accepts on a backend. */
export function allowedOrigins(e: ExpectedEvent, caps: BackendCapabilities): readonly EventOrigin[] | undefined {
  if (e.origins) return e.origins;
  // R3: close-write is the OS's where the OS reports it, and marked emulated everywhere else.
  if (e.type === 'close-write') return [caps.closeWrite ? 'os' : 'emulated'];
  return undefined;
}

/** The expected events that apply to a backend (those whose `if` conditions hold). */
export function applicable(items: readonly ExpectedEvent[], caps: BackendCapabilities): ExpectedEvent[] {
  return items.filter((e) => e.when.every((c) => c.test(caps)));
}

/** Does a received event satisfy an expected one? */
export function matches(r: Received, e: ExpectedEvent, caps: BackendCapabilities): boolean {
  if (r.event.type !== e.type || r.path !== e.path || r.oldPath !== e.oldPath) return false;
  if (!e.kinds.includes(r.event.kind)) return false;
  const origins = allowedOrigins(e, caps);
  return !origins || origins.includes(r.event.origin);
}

/** The paths an event is about (both ends of a rename), for per-path ordering. */
const pathsOf = (x: { path: string; oldPath?: string }): string[] => (x.oldPath !== undefined ? [x.path, x.oldPath] : [x.path]);

/**
 * `ordered`: the received events are exactly the expected sequence (each item
 * taken between min and max times). Returns true on a match.
 */
export function matchOrdered(received: readonly Received[], expected: readonly ExpectedEvent[], caps: BackendCapabilities): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number, c: number): boolean => {
    if (j === expected.length) return i === received.length;
    const e = expected[j]!;
    const key = `${i}:${j}:${Math.min(c, e.min + 1)}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let ok = false;
    if (c >= e.min && go(i, j + 1, 0)) ok = true;
    else if (i < received.length && c < e.max && matches(received[i]!, e, caps) && go(i + 1, j, c + 1)) ok = true;
    memo.set(key, ok);
    return ok;
  };
  return go(0, 0, 0);
}

/**
 * `unordered`: the received events are the expected multiset, in any
 * interleaving across paths, but on any one path in the expected order (R6).
 */
export function matchUnordered(received: readonly Received[], expected: readonly ExpectedEvent[], caps: BackendCapabilities): boolean {
  const counts = expected.map(() => 0);
  const samePath = expected.map((e, j) => expected.map((f, k) => k < j && pathsOf(f).some((p) => pathsOf(e).includes(p))));
  const lastOnPath = new Map<string, number>();
  let steps = 0;
  const go = (i: number): boolean => {
    if (++steps > 200_000) return false;
    if (i === received.length) return expected.every((e, k) => counts[k]! >= e.min);
    const r = received[i]!;
    for (let j = 0; j < expected.length; j++) {
      const e = expected[j]!;
      if (counts[j]! >= e.max || !matches(r, e, caps)) continue;
      // An earlier expected event on the same path that still needs matches would now come out of order.
      if (samePath[j]!.some((earlier, k) => earlier && counts[k]! < expected[k]!.min)) continue;
      const paths = pathsOf(r);
      if (paths.some((p) => (lastOnPath.get(p) ?? -1) > j)) continue;
      const saved = paths.map((p) => lastOnPath.get(p));
      counts[j]!++;
      for (const p of paths) lastOnPath.set(p, j);
      if (go(i + 1)) return true;
      counts[j]!--;
      paths.forEach((p, k) => {
        if (saved[k] === undefined) lastOnPath.delete(p);
        else lastOnPath.set(p, saved[k]!);
      });
    }
    return false;
  };
  return go(0);
}

/**
 * Explains a mismatch: which expected events found no partner and which
 * received events were not expected (multiset view, order aside).
 */
export function explainMismatch(received: readonly Received[], expected: readonly ExpectedEvent[], caps: BackendCapabilities): string[] {
  const used = new Set<number>();
  const counts = expected.map(() => 0);
  for (const [i, r] of received.entries()) {
    let best = -1;
    for (const [j, e] of expected.entries()) {
      if (counts[j]! >= e.max || !matches(r, e, caps)) continue;
      if (best < 0 || (counts[best]! >= expected[best]!.min && counts[j]! < e.min)) best = j;
    }
    if (best >= 0) {
      counts[best]!++;
      used.add(i);
    }
  }
  const lines: string[] = [];
  for (const [j, e] of expected.entries()) {
    if (counts[j]! < e.min) {
      const origins = allowedOrigins(e, caps);
      lines.push(`missing:    ${e.text}${origins && !e.origins ? `  (origin must be ${origins.join(' or ')})` : ''}`);
    }
  }
  for (const [i, r] of received.entries()) if (!used.has(i)) lines.push(`unexpected: ${formatReceived(r)}`);
  if (!lines.length) lines.push('every event has a partner: the order differs');
  return lines;
}

/** How many received events an expected event's minimum still lacks (order aside); 0 when satisfied. */
export function missingRequired(received: readonly Received[], expected: readonly ExpectedEvent[], caps: BackendCapabilities): ExpectedEvent[] {
  const pool = [...received];
  const missing: ExpectedEvent[] = [];
  for (const e of expected) {
    for (let n = 0; n < e.min; n++) {
      const k = pool.findIndex((r) => matches(r, e, caps));
      if (k < 0) {
        missing.push(e);
        break;
      }
      pool.splice(k, 1);
    }
  }
  return missing;
}

const parentOf = (p: string): string => {
  const i = p.lastIndexOf('/');
  return i < 0 ? '.' : p.slice(0, i);
};

/**
 * Invariants of every trace:
 * - R2: within one batch, no two `modify` of a path without another event on it in between;
 * - R6: no `create` of an entry before its parent directory's `create` (when both are reported),
 *   no `delete` of a directory before a `delete` of something inside it;
 * - shape: a rename has an `oldPath`, nothing else does.
 */
export function checkInvariants(received: readonly Received[]): string[] {
  const problems: string[] = [];
  const last = new Map<string, string>();
  let batch = -1;
  for (const r of received) {
    if (r.batch !== batch) {
      batch = r.batch;
      last.clear();
    }
    if (r.event.type === 'modify' && last.get(r.path) === 'modify') {
      problems.push(`R2: two modifies of ${showName(r.path)} in batch ${r.batch} with nothing else on it in between`);
    }
    last.set(r.path, r.event.type);
    if (r.oldPath !== undefined) last.set(r.oldPath, r.event.type);
    if ((r.event.type === 'rename') !== (r.event.oldPath !== undefined)) {
      problems.push(`shape: ${formatReceived(r)} ${r.event.type === 'rename' ? 'lacks' : 'has'} an oldPath`);
    }
  }
  received.forEach((r, i) => {
    const type = r.event.type;
    if (type === 'create' && r.path !== '.') {
      const parent = parentOf(r.path);
      // The parent's next create-or-delete after this event must not be a create.
      for (const later of received.slice(i + 1)) {
        if (later.path !== parent || (later.event.type !== 'create' && later.event.type !== 'delete')) continue;
        if (later.event.type === 'create') problems.push(`R6: create of ${showName(r.path)} came before the create of its parent`);
        break;
      }
    }
    if (type === 'delete' && r.event.kind === 'directory') {
      const prefix = r.path === '.' ? '' : `${r.path}/`;
      for (const later of received.slice(i + 1)) {
        if (later.path === r.path && later.event.type === 'create') break;
        if (later.event.type === 'delete' && later.path !== r.path && later.path.startsWith(prefix)) {
          problems.push(`R6: delete of ${showName(later.path)} came after the delete of its directory ${showName(r.path)}`);
          break;
        }
      }
    }
  });
  return problems;
}
