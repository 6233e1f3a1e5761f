import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Polls `condition` (a cheap check) until it holds or `timeoutMs` passes; never a fixed sleep. */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves with `promise`, or rejects once `timeoutMs` passes. */
export async function within<T>(promise: Promise<T>, what: string, timeoutMs = 20_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A fresh directory under the OS temp dir, and a function that removes it. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil spool '));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** True when the `vigil` package exports `watch` (then the tests must run on it). */
export async function vigilHasWatch(): Promise<boolean> {
  try {
    const specifier = 'vigilfs';
    const mod = (await import(/* @vite-ignore */ specifier)) as Record<string, unknown>;
    return typeof mod.watch === 'function';
  } catch {
    return false;
  }
}

/** A message a child sent, with the child's index. */
export interface ChildMessage {
  from: number;
  message: { type: string; [key: string]: unknown };
}

/** A forked fixtures/spool-child.ts running from TypeScript sources. */
export interface Child {
  index: number;
  process: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** Forks fixtures/spool-child.ts with the TypeScript hooks and workspace `source` condition. */
export function forkChild(index: number, args: string[], onMessage: (m: ChildMessage) => void, env: Record<string, string> = {}): Child {
  const child = fork(path.join(here, 'fixtures', 'spool-child.ts'), args, {
    execArgv: ['--conditions=source', '--import', path.join(here, 'fixtures', 'register.mjs')],
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.on('message', (message) => onMessage({ from: index, message: message as ChildMessage['message'] }));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { index, process: child, exited, stderr: () => stderr };
}
