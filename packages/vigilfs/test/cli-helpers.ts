// Running the built vigil CLI as a user runs it, with outputs that can be awaited with a deadline.
import { StringDecoder } from 'node:string_decoder';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built bin (`npm test` builds it; alone: `node scripts/setup.mjs --build-only`). */
export const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/cli.js');
const dirs: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];

export function checkBuilt(): void {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run "node scripts/setup.mjs --build-only" (npm test does) first`);
}

/** Kills what the test started and removes its directories. */
export function cleanUp(): void {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'vigil-cli-'));
  dirs.push(d);
  return d;
}

/** Polls `test` every 25 ms until it holds; fails after `ms` with `what` and `detail()`. Never a fixed sleep. */
export async function until(test: () => boolean, what: string, detail: () => string = () => '', ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A running CLI: its output as lines and as raw text, awaitable with a deadline. */
export function run(args: string[], cwd?: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...process.env, VIGIL_BACKEND: '', ...env } });
  children.push(child);
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const raw = { stdout: '', stderr: '' };
  /** stdout exactly as written (raw.stdout is its UTF-8 reading, lossy for names that are not UTF-8). */
  const stdoutBytes: Buffer[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    let buf = '';
    const decoder = new StringDecoder('utf8');
    child[stream].on('data', (bytes: Buffer) => {
      if (stream === 'stdout') stdoutBytes.push(bytes);
      const chunk = decoder.write(bytes);
      raw[stream] += chunk;
      buf += chunk;
      const parts = buf.split('\n');
      buf = parts.pop()!;
      lines[stream].push(...parts);
    });
  }
  let status: number | null | undefined;
  let signal: NodeJS.Signals | null = null;
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code, sig) => {
      status = code;
      signal = sig;
      resolve(code);
    }),
  );
  const detail = (): string => `stdout:\n${raw.stdout}\n--stderr:\n${raw.stderr}`;
  async function waitFor(stream: 'stdout' | 'stderr', test: (line: string) => boolean, ms = 10_000): Promise<string> {
    let hit: string | undefined;
    await until(() => (hit = lines[stream].find(test)) !== undefined, `a ${stream} line to match`, detail, ms);
    return hit!;
  }
  /** Resolves with the exit status, or fails when the process is still running after `ms`. */
  async function exit(ms = 10_000): Promise<number | null> {
    await until(() => status !== undefined, 'vigil to exit', detail, ms);
    return status!;
  }
  return { child, lines, raw, exited, waitFor, exit, detail, signal: () => signal, stdoutBytes: () => Buffer.concat(stdoutBytes) };
}
