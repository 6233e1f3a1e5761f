// The scanner as it ships: bundled by tsup (ESM and CJS), it must still find
// the addon from its new location; the loader's search order and failure
// reasons; and EACCES, which needs an unprivileged process (root bypasses
// permission checks), so it runs the bundle in a child as uid 'nobody'.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNativeBinding } from '../src/scanner/index.js';
import { prebuiltPackage, targetTriple } from '@vigilfs/native-loader';
import { nativeCandidates } from '../src/scanner/native-binding.js';

const pkgRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const native = loadNativeBinding();
const addon = path.resolve(pkgRoot, '..', '..', 'native', 'poll', 'build', 'Release', 'vigil_poll.node');
// Inside the package, so the bundle's walk up to package.json is the real one.
const bundleDir = path.join(pkgRoot, 'node_modules', `.vigil-scanner-bundle-${process.pid}`);

type Api = typeof import('../src/scanner/index.js');

beforeAll(async () => {
  fs.rmSync(bundleDir, { recursive: true, force: true });
  await build({
    entry: { scanner: path.join(pkgRoot, 'src', 'scanner', 'index.ts') },
    format: ['esm', 'cjs'],
    outDir: bundleDir,
    config: false,
    dts: false,
    silent: true,
    clean: false,
    sourcemap: false,
    target: 'node20',
    platform: 'node',
    // As dist/ is built (tsup.shared.ts): the CJS bundle gets import.meta.url, which the loader resolves packages from.
    shims: true,
    noExternal: ['@vigilfs/core', '@vigilfs/native-loader'],
  });
}, 60_000);

afterAll(() => fs.rmSync(bundleDir, { recursive: true, force: true }));

describe('loader', () => {
  it('tries the prebuilt package for this platform first, then the workspace build', () => {
    const candidates = nativeCandidates();
    expect(candidates[0]).toContain(`poll-${targetTriple()}/vigil_poll.node`);
    expect(candidates.at(-1)).toBe(addon);
  });

  it('loads the prebuilt package the workspace links, which setup fills from the local build', () => {
    expect(native).toMatchObject({ ok: true });
    expect((native as { file: string }).file).toContain(`poll-${targetTriple()}`);
  });
});

describe.skipIf(!native.ok)('bundled like dist/', () => {
  const exercise = async (api: Api) => {
    const s = api.createDirSetScanner();
    expect(s.kind).toBe('native');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-scanner-bundle-'));
    try {
      fs.writeFileSync(path.join(dir, 'x'), 'x');
      s.track([dir]);
      expect((await s.scan())[0]!.added.map((e) => e.name)).toEqual(['x']);
    } finally {
      s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it('ESM bundle loads the native addon', async () => {
    await exercise((await import(pathToFileURL(path.join(bundleDir, 'scanner.js')).href)) as Api);
  });

  it('CJS bundle loads the native addon', async () => {
    await exercise(createRequire(import.meta.url)(path.join(bundleDir, 'scanner.cjs')) as Api);
  });
});

// Runs as the child: baseline, then no permission at all (opendir fails), then
// read without search permission (readdir works, lstat of entries fails), then
// readable again.
const CHILD = `
import fs from 'node:fs';
import { createDirSetScanner, loadNativeBinding } from './scanner.js';
const [dir, prefer] = process.argv.slice(2);
const s = createDirSetScanner({ prefer });
s.track([dir]);
const steps = [];
const step = async () => steps.push((await s.scan()).map((c) => ({ added: c.added.map((e) => e.name).sort(), removed: [...c.removed].sort(), error: c.error })));
await step();
fs.chmodSync(dir, 0o000); await step(); await step();
fs.chmodSync(dir, 0o644); await step();
fs.chmodSync(dir, 0o755); await step();
s.close();
const load = loadNativeBinding();
process.stdout.write(JSON.stringify({ uid: process.getuid(), kind: s.kind, addon: load.ok ? load.file : load.reason, steps }));
`;

/**
 * The package as it would be installed, in os.tmpdir() (readable by 'nobody'
 * wherever the checkout lives): package.json, dist/scanner.js and the addon as
 * a prebuild.
 */
function packedPackage(root: string): { dist: string; prebuild: string } {
  const pkg = path.join(root, 'node_modules', '@vigilfs', 'poll');
  const dist = path.join(pkg, 'dist');
  const platformPackage = path.join(root, 'node_modules', prebuiltPackage('poll'));
  const prebuild = path.join(platformPackage, 'vigil_poll.node');
  fs.mkdirSync(dist, { recursive: true });
  fs.mkdirSync(platformPackage, { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@vigilfs/poll', type: 'module' }));
  fs.writeFileSync(path.join(platformPackage, 'package.json'), JSON.stringify({ name: prebuiltPackage('poll') }));
  fs.copyFileSync(path.join(bundleDir, 'scanner.js'), path.join(dist, 'scanner.js'));
  fs.writeFileSync(path.join(dist, 'eacces-child.mjs'), CHILD);
  if (native.ok) {
    fs.copyFileSync(native.file, prebuild);
  }
  return { dist, prebuild };
}

describe.each(['native', 'js'] as const)('EACCES (%s), unprivileged child', (prefer) => {
  it.skipIf(prefer === 'native' && !native.ok)('reports opendir and lstat EACCES as data, once each', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-scanner-eacces-'));
    const dir = path.join(root, 'mine');
    try {
      const { dist, prebuild } = packedPackage(root);
      fs.mkdirSync(dir);
      for (const n of ['a', 'b']) fs.writeFileSync(path.join(dir, n), n);
      let uid: number | undefined;
      if (process.getuid?.() === 0) {
        // Root ignores permissions: drop to 'nobody', who owns the directory.
        uid = 65534;
        fs.chmodSync(root, 0o755);
        for (const p of [dir, path.join(dir, 'a'), path.join(dir, 'b')]) fs.chownSync(p, uid, uid);
      }
      const child = spawnSync(process.execPath, ['eacces-child.mjs', dir, prefer], {
        cwd: dist,
        encoding: 'utf8',
        ...(uid === undefined ? {} : { uid, gid: uid }),
      });
      expect(child.stderr).toBe('');
      const out = JSON.parse(child.stdout) as { uid: number; kind: string; addon: string; steps: unknown[] };
      expect(out.uid).not.toBe(0);
      expect(out.kind).toBe(prefer);
      if (native.ok) expect(out.addon).toBe(prebuild); // found in the per-platform package, from dist/
      expect(out.steps).toEqual([
        [{ added: ['a', 'b'], removed: [] }],
        [{ added: [], removed: ['a', 'b'], error: { errno: 'EACCES', syscall: 'opendir' } }],
        [], // same failure: not reported again
        [{ added: [], removed: [], error: { errno: 'EACCES', syscall: 'lstat' } }],
        [{ added: ['a', 'b'], removed: [] }],
      ]);
    } finally {
      if (fs.existsSync(dir)) fs.chmodSync(dir, 0o755);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
