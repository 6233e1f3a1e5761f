// Real processes racing over one spool: consumers and producers are forked
// node processes (fixtures/spool-child.ts) that share nothing but the
// directory. Every wait is on a condition with a deadline.
import { readdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Spool } from '../src/index.js';
import { payloadFor } from './fixtures/payload.js';
import { forkChild, tempDir, waitFor, within, type Child, type ChildMessage } from './helpers.js';

const CONSUMERS = 4;
const PRODUCERS = 2;
const FILES_PER_PRODUCER = 1500;
const TOTAL = PRODUCERS * FILES_PER_PRODUCER;

let root: string;
let cleanup: () => Promise<void>;
let children: Child[] = [];

beforeEach(async () => {
  const t = await tempDir();
  root = path.join(t.dir, 'spool');
  cleanup = t.cleanup;
  await new Spool(root).prepare();
});

afterEach(async () => {
  for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
  await Promise.all(children.map((c) => c.exited));
  children = [];
  await cleanup();
});

/** Collects what the children report. */
class Ledger {
  readonly ready = new Map<number, string>();
  readonly claimedBy = new Map<string, number[]>();
  readonly order = new Map<number, string[]>();
  readonly produced: string[] = [];
  readonly done = new Set<number>();
  readonly bad: string[] = [];
  claims = 0;

  readonly onMessage = ({ from, message }: ChildMessage): void => {
    switch (message.type) {
      case 'ready':
        this.ready.set(from, message.waker as string);
        break;
      case 'claimed':
        for (const name of message.names as string[]) {
          this.claims++;
          this.claimedBy.set(name, [...(this.claimedBy.get(name) ?? []), from]);
          this.order.set(from, [...(this.order.get(from) ?? []), name]);
        }
        this.bad.push(...(message.bad as string[]));
        break;
      case 'produced':
        this.produced.push(...(message.names as string[]));
        break;
      case 'done':
        this.done.add(from);
        break;
    }
  };
}

function startConsumer(index: number, ledger: Ledger, env: Record<string, string> = {}): Child {
  const c = forkChild(index, ['consumer', root], ledger.onMessage, env);
  children.push(c);
  return c;
}

async function stopConsumers(consumers: Child[], ledger: Ledger): Promise<void> {
  for (const c of consumers) c.process.send('stop');
  await waitFor(() => consumers.every((c) => ledger.done.has(c.index)), 'consumers to stop', 30_000);
  for (const c of consumers) expect(await within(c.exited, `consumer ${c.index} to exit`), c.stderr()).toBe(0);
}

describe('several consumer processes', () => {
  it(`${CONSUMERS} consumers claim ${TOTAL} files from ${PRODUCERS} producers exactly once, none lost`, async () => {
    const ledger = new Ledger();
    const t0 = Date.now();
    const consumers = Array.from({ length: CONSUMERS }, (_, i) => startConsumer(i, ledger));
    await waitFor(() => ledger.ready.size === CONSUMERS, 'consumers to arm their watchers', 60_000);
    // Woken by the real vigil package, not the fs.watch fallback.
    const waker = 'vigil';
    for (const kind of ledger.ready.values()) expect(kind).toBe(waker);
    const tReady = Date.now();

    // Produce while the consumers run.
    const producers = Array.from({ length: PRODUCERS }, (_, i) => {
      const p = forkChild(100 + i, ['producer', root, String(FILES_PER_PRODUCER)], ledger.onMessage);
      children.push(p);
      return p;
    });
    await waitFor(() => producers.every((p) => ledger.done.has(p.index)), 'producers to finish', 120_000);
    for (const p of producers) expect(await within(p.exited, 'producer exit'), p.stderr()).toBe(0);
    const tProduced = Date.now();
    expect(ledger.produced.length).toBe(TOTAL);
    expect(new Set(ledger.produced).size).toBe(TOTAL);

    await waitFor(() => ledger.claims >= TOTAL, `${TOTAL} claims`, 60_000);
    const tClaimed = Date.now();
    await stopConsumers(consumers, ledger);

    // Exactly once: every produced file claimed by exactly one consumer, nothing else claimed.
    const duplicates = [...ledger.claimedBy].filter(([, by]) => by.length !== 1);
    expect(duplicates).toEqual([]);
    expect(ledger.claims).toBe(TOTAL);
    expect([...ledger.claimedBy.keys()].sort()).toEqual([...ledger.produced].sort());
    expect(ledger.bad).toEqual([]); // every claimed file was complete
    // And the directories agree.
    expect((await readdir(path.join(root, 'cur'))).length).toBe(TOTAL);
    expect(await readdir(path.join(root, 'new'))).toEqual([]);
    expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
    // Work was actually shared (reported, not required: scheduling decides).
    const perConsumer = consumers.map((c) => ledger.order.get(c.index)?.length ?? 0);
    expect(perConsumer.reduce((a, b) => a + b, 0)).toBe(TOTAL);
    console.info(
      `waker ${waker}; consumers ready after ${tReady - t0} ms, ${TOTAL} files produced ${tProduced - tReady} ms later, ` +
        `all claimed ${tClaimed - tProduced} ms after that; claims per consumer: ${perConsumer.join(', ')}`,
    );
  }, 240_000);

  it("3 consumers on vigil's poll backend claim 1000 files exactly once", async () => {
    const ledger = new Ledger();
    const env = { SPOOL_BACKEND: 'poll', SPOOL_POLL_INTERVAL: '50' };
    const consumers = Array.from({ length: 3 }, (_, i) => startConsumer(i, ledger, env));
    await waitFor(() => ledger.ready.size === 3, 'consumers to arm their watchers', 60_000);
    const producer = forkChild(100, ['producer', root, '1000'], ledger.onMessage);
    children.push(producer);
    await waitFor(() => ledger.done.has(100), 'the producer', 120_000);
    await waitFor(() => ledger.claims >= 1000, '1000 claims', 60_000);
    await stopConsumers(consumers, ledger);
    expect([...ledger.ready.values()]).toEqual(['vigil', 'vigil', 'vigil']);
    expect([...ledger.claimedBy].filter(([, by]) => by.length !== 1)).toEqual([]);
    expect(ledger.claims).toBe(1000);
    expect([...ledger.claimedBy.keys()].sort()).toEqual([...ledger.produced].sort());
    expect(ledger.bad).toEqual([]);
    expect(await readdir(path.join(root, 'new'))).toEqual([]);
  }, 240_000);

  it('after a restart, files waiting in new/ are claimed first, oldest first, then new arrivals', async () => {
    const producer = new Spool(root, { fsync: false });
    const ledger = new Ledger();

    // A first consumer processes some files, then stops.
    const first = startConsumer(0, ledger);
    await waitFor(() => ledger.ready.size === 1, 'the first consumer', 60_000);
    const early: string[] = [];
    for (let i = 0; i < 10; i++) early.push(path.basename(await producer.write(payloadFor(`early ${i}`), `early ${i}`)));
    await waitFor(() => ledger.claims === 10, 'the first 10 claims');
    await stopConsumers([first], ledger);

    // While no consumer runs, files pile up; their mtimes deliberately
    // disagree with both name order and creation order.
    const waiting: string[] = [];
    for (let i = 0; i < 40; i++) waiting.push(`waiting ${String(i).padStart(2, '0')}`);
    const base = Date.now() / 1000 - 10_000;
    const mtimeOf = (i: number): number => base + ((i * 17) % 40);
    for (const [i, name] of waiting.entries()) {
      const p = await producer.write(payloadFor(name), name);
      await utimes(p, mtimeOf(i), mtimeOf(i));
    }
    const oldestFirst = [...waiting.keys()].sort((a, b) => mtimeOf(a) - mtimeOf(b)).map((i) => waiting[i]!);

    // The restarted consumer takes the backlog in mtime order, then live files.
    const second = startConsumer(1, ledger);
    await waitFor(() => ledger.claims === 50, 'the backlog', 60_000);
    expect(ledger.order.get(1)).toEqual(oldestFirst);
    for (let i = 0; i < 5; i++) await producer.write(payloadFor(`live ${i}`), `live ${i}`);
    await waitFor(() => ledger.claims === 55, 'the live files');
    await stopConsumers([second], ledger);

    expect([...ledger.ready.values()]).toEqual(['vigil', 'vigil']);
    expect(ledger.order.get(0)).toEqual(early);
    expect(ledger.order.get(1)?.slice(40)).toEqual(['live 0', 'live 1', 'live 2', 'live 3', 'live 4']);
    expect(ledger.bad).toEqual([]);
    expect(await readdir(path.join(root, 'new'))).toEqual([]);
  }, 120_000);
});
