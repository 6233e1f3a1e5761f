// Network and FUSE mounts, for real (semantics.md S1–S3): bindfs gives a FUSE
// view of a "backing" directory, and a write made directly in the backing
// directory is what another machine's write looks like — the kernel never
// announces it on the mount. Needs root, /dev/fuse and bindfs (.ci/run
// installs it); without them the tests are skipped with the reason, except
// under CI=true, where they must run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watch, type VigilError, type WatchEvent, type Watcher } from '../src/index.js';

function mountSupport(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse';
  if (spawnSync('bindfs', ['--version']).status !== 0) return 'bindfs is not installed (apt-get install bindfs)';
  return undefined;
}
const unsupported = mountSupport();
if (unsupported && process.env.CI === 'true') throw new Error(`mount tests must run under CI, but: ${unsupported}`);

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      await c();
    } catch {
      // best effort: the next cleanup still runs
    }
  }
});

function tempDir(name: string): string {
  const d = mkdtempSync(path.join(tmpdir(), `vigil-mount-${name}-`));
  cleanups.push(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

function isMounted(mountPoint: string): boolean {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === mountPoint);
}

function unmount(mountPoint: string): void {
  if (isMounted(mountPoint)) spawnSync('umount', ['-l', mountPoint]);
}

/** Mounts a FUSE view of `backing` on `mountPoint` (both must exist); unmounted after the test. */
function bindfs(backing: string, mountPoint: string): void {
  execFileSync('bindfs', [backing, mountPoint]);
  cleanups.push(() => unmount(mountPoint));
}

function tmpfs(mountPoint: string): void {
  execFileSync('mount', ['-t', 'tmpfs', 'tmpfs', mountPoint]);
  cleanups.push(() => unmount(mountPoint));
}

interface Recorder {
  watcher: Watcher;
  events: WatchEvent[];
  warnings: VigilError[];
  until(predicate: (events: WatchEvent[]) => boolean, what: string, ms?: number): Promise<void>;
}

async function record(root: string, options: Parameters<typeof watch>[1] = {}): Promise<Recorder> {
  const watcher = await watch(root, { pollInterval: 100, ...options });
  cleanups.push(() => watcher.close());
  const events: WatchEvent[] = [];
  const warnings: VigilError[] = [];
  watcher.on('events', (b) => events.push(...b));
  watcher.on('warning', (w) => warnings.push(w));
  return {
    watcher,
    events,
    warnings,
    async until(predicate, what, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!predicate(events)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got:\n${events.map((e) => `${e.type} ${e.path} (${e.origin})`).join('\n')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

const has = (type: string, p: string) => (events: WatchEvent[]) => events.some((e) => e.type === type && e.path === p);

describe.skipIf(unsupported !== undefined)(`network and FUSE mounts${unsupported ? ` (skipped: ${unsupported})` : ''}`, () => {
  it('auto polls a FUSE root and sees writes made behind the mount; forced inotify provably misses them', async () => {
    const backing = tempDir('backing');
    const mnt = tempDir('mnt');
    bindfs(backing, mnt);
    const auto = await record(mnt);
    expect(auto.watcher.info()[0]).toMatchObject({ backend: 'poll', filesystem: { type: 'fuse', remote: true } });
    expect(auto.watcher.info()[0]!.rejected.map((r) => r.backend)).toContain('inotify');
    const forced = await record(mnt, { backend: 'inotify' });
    await forced
      .until(() => forced.warnings.some((w) => w.code === 'REMOTE_CHANGES_UNSEEN'), 'the REMOTE_CHANGES_UNSEEN warning', 10_000)
      .catch(() => undefined);
    expect(forced.warnings.map((w) => w.code)).toContain('REMOTE_CHANGES_UNSEEN');

    // "Another machine" writes: directly into the backing directory.
    writeFileSync(path.join(backing, 'remote.txt'), 'from elsewhere');
    await auto.until(has('create', path.join(mnt, 'remote.txt')), 'the remote write through polling');
    // A write through the mount, which inotify does see, proves the forced watcher is live and caught up…
    writeFileSync(path.join(mnt, 'local.txt'), 'through the mount');
    await forced.until(has('close-write', path.join(mnt, 'local.txt')), 'the write made through the mount');
    // …and it never heard of the remote one.
    expect(forced.events.filter((e) => e.path.endsWith('remote.txt'))).toEqual([]);
  });

  it('watches a local tree natively and a FUSE mount inside it by polling, in one stream (hybrid)', async () => {
    const tree = tempDir('tree');
    const backing = tempDir('backing');
    writeFileSync(path.join(backing, 'existing.txt'), 'x');
    mkdirSync(path.join(tree, 'remote'));
    bindfs(backing, path.join(tree, 'remote'));
    const r = await record(tree, { remotePollInterval: 100 });
    const info = r.watcher.info();
    expect(info.map((i) => [i.root, i.backend])).toEqual([
      [tree, 'inotify'],
      [path.join(tree, 'remote'), 'poll'],
    ]);
    expect(info[1]!.reason).toMatch(/fuse mount inside/);
    expect(r.watcher.knownPaths()).toContain(path.join(tree, 'remote', 'existing.txt'));

    writeFileSync(path.join(backing, 'from-remote.txt'), 'x');
    writeFileSync(path.join(tree, 'from-local.txt'), 'x');
    await r.until(has('create', path.join(tree, 'remote', 'from-remote.txt')), 'the remote create');
    await r.until(has('create', path.join(tree, 'from-local.txt')), 'the local create');
    expect(r.events.find((e) => e.path === path.join(tree, 'from-local.txt'))!.origin).toBe('os');
    expect(r.events.find((e) => e.path === path.join(tree, 'remote', 'from-remote.txt'))!.origin).toBe('rescan');
    // Nothing below the mount is reported twice (once per backend): let one more scan of the mount happen first.
    writeFileSync(path.join(backing, 'later.txt'), 'x');
    await r.until(has('create', path.join(tree, 'remote', 'later.txt')), 'a later remote create');
    const below = r.events.filter((e) => e.path.startsWith(`${path.join(tree, 'remote')}/`));
    expect(new Set(below.map((e) => `${e.type} ${e.path}`)).size).toBe(below.length);
  });

  it('keeps a tmpfs mount inside the tree native', async () => {
    const tree = tempDir('tree');
    mkdirSync(path.join(tree, 'ram'));
    tmpfs(path.join(tree, 'ram'));
    const r = await record(tree);
    expect(r.watcher.info().map((i) => i.backend)).toEqual(['inotify']);
    writeFileSync(path.join(tree, 'ram', 'x'), '1');
    await r.until(has('close-write', path.join(tree, 'ram', 'x')), 'the write on tmpfs');
    expect(r.events.find((e) => e.path === path.join(tree, 'ram', 'x'))!.origin).toBe('os');
  });

  it('notices mounts that appear and disappear while watching', async () => {
    const tree = tempDir('tree');
    const backing = tempDir('backing');
    writeFileSync(path.join(backing, 'a'), '1');
    mkdirSync(path.join(backing, 'd'));
    writeFileSync(path.join(backing, 'd', 'b'), '2');
    const mnt = path.join(tree, 'mnt');
    const ram = path.join(tree, 'ram');
    mkdirSync(mnt);
    mkdirSync(ram);
    const r = await record(tree, { remotePollInterval: 100 });

    bindfs(backing, mnt);
    await r.until(has('create', path.join(mnt, 'd', 'b')), 'creates for the mounted contents');
    expect(r.watcher.info().map((i) => [i.root, i.backend])).toContainEqual([mnt, 'poll']);
    writeFileSync(path.join(backing, 'later'), '3');
    await r.until(has('create', path.join(mnt, 'later')), 'a remote write in the new mount');

    unmount(mnt);
    await r.until(has('delete', path.join(mnt, 'd')), 'deletes when the mount goes');
    const deletes = r.events.filter((e) => e.type === 'delete').map((e) => e.path);
    expect([...deletes].sort()).toEqual([path.join(mnt, 'a'), path.join(mnt, 'd'), path.join(mnt, 'd', 'b'), path.join(mnt, 'later')].sort());
    expect(deletes.indexOf(path.join(mnt, 'd', 'b'))).toBeLessThan(deletes.indexOf(path.join(mnt, 'd'))); // R4
    expect(r.events.some((e) => e.type === 'delete' && e.path === mnt)).toBe(false);
    expect(r.watcher.info().map((i) => i.backend)).toEqual(['inotify']);

    // A local mount appearing is re-watched natively.
    tmpfs(ram);
    const fresh = path.join(ram, 'fresh');
    const deadline = Date.now() + 10_000;
    // The mount arrives as a signal on /proc/self/mountinfo and is re-watched
    // asynchronously; a write before that is not seen, so write until one is.
    while (!r.events.some((e) => e.path === fresh && e.type === 'close-write')) {
      if (Date.now() > deadline) throw new Error('a write on the new tmpfs was never reported');
      writeFileSync(fresh, String(Date.now()));
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(r.watcher.knownPaths().sort()).toEqual([tree, mnt, ram, fresh].sort());
  });

  it('reports a FUSE mount whose daemon died as a warning, and the native part goes on', async () => {
    const tree = tempDir('tree');
    const backing = tempDir('backing');
    writeFileSync(path.join(backing, 'kept.txt'), 'x');
    const mnt = path.join(tree, 'remote');
    mkdirSync(mnt);
    bindfs(backing, mnt);
    const r = await record(tree, { remotePollInterval: 50 });
    // Killing the FUSE daemon leaves the mount answering ENOTCONN, like a dead network share.
    spawnSync('pkill', ['-KILL', '-f', `bindfs ${backing} ${mnt}`]);
    await r.until(() => r.warnings.some((w) => w.errno === 'ENOTCONN'), 'the ENOTCONN warning');
    writeFileSync(path.join(tree, 'still-alive.txt'), 'x');
    await r.until(has('create', path.join(tree, 'still-alive.txt')), 'a native event after the mount died');
    // What the dead mount held is not reported as deleted: it may come back.
    expect(r.events.filter((e) => e.type === 'delete')).toEqual([]);
    expect(r.warnings.filter((w) => w.errno === 'ENOTCONN')).toHaveLength(1);
  });
});
