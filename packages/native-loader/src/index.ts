/**
 * @vigilfs/native-loader: one loader for every vigil addon (inotify, poll,
 * rdcw). It looks, in order:
 *
 * 1. `$VIGIL_<NAME>_ADDON`, when set (an explicit file, for debugging builds);
 * 2. the prebuilt binary in the per-platform package
 *    `@vigilfs/<name>-<platform>-<arch>[-<libc>]` (libc `glibc` or `musl` on
 *    Linux), which npm installs as an optional dependency of the backend
 *    package, chosen by its `os`/`cpu`/`libc` fields (as @parcel/watcher does);
 * 3. the local build of a workspace checkout, `native/<name>/build/Release/`.
 *
 * It never throws: a reason names every place it looked and why each failed,
 * and says how to build the addon.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** What to load. */
export interface AddonSpec<T> {
  /** The addon's short name, as in `native/<name>` and the package names: `inotify`, `poll`, `rdcw`. */
  name: string;
  /** The binary's file name, e.g. `vigil_inotify.node`. */
  file: string;
  /** Where the caller's module is (`import.meta.url`): packages are resolved from there. */
  from: string;
  /** The platforms the addon exists on; elsewhere the reason says so and nothing is loaded. */
  platforms?: readonly NodeJS.Platform[];
  /** Why a loaded module cannot be used (an ABI it was not built for), or undefined when it can. */
  check?: (addon: T) => string | undefined;
}

/** The addon, or why there is none. */
export type AddonLoad<T> = { ok: true; addon: T; file: string } | { ok: false; reason: string; tried: string[] };

/** `glibc` or `musl`, on Linux. */
export function detectLibc(): 'glibc' | 'musl' {
  // The libraries mapped into this process name the libc; reading them costs
  // ~1 ms where process.report.getReport() costs 10-20 ms.
  try {
    return /\/ld-musl-|\/libc\.musl-/.test(readFileSync('/proc/self/maps', 'utf8')) ? 'musl' : 'glibc';
  } catch {
    const report = process.report?.getReport?.() as { header?: { glibcVersionRuntime?: string } } | undefined;
    return report?.header?.glibcVersionRuntime ? 'glibc' : 'musl';
  }
}

/** This machine's target: `linux-x64-glibc`, `linux-arm64-musl`, `win32-x64`, `darwin-arm64`. */
export function targetTriple(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  return platform === 'linux' ? `${platform}-${arch}-${detectLibc()}` : `${platform}-${arch}`;
}

/** The per-platform package that carries an addon's binary for a target. */
export function prebuiltPackage(name: string, triple: string = targetTriple()): string {
  return `@vigilfs/${name}-${triple}`;
}

/** Every file the loader tries, in order, with what it is (see the module doc). */
export function addonCandidates(spec: Pick<AddonSpec<unknown>, 'name' | 'file' | 'from'>): { file: string; what: string }[] {
  const out: { file: string; what: string }[] = [];
  const override = process.env[`VIGIL_${spec.name.toUpperCase()}_ADDON`];
  if (override) out.push({ file: path.resolve(override), what: `VIGIL_${spec.name.toUpperCase()}_ADDON` });
  const fromFile = spec.from.startsWith('file:') ? fileURLToPath(spec.from) : spec.from;
  const pkg = prebuiltPackage(spec.name);
  try {
    const manifest = createRequire(fromFile).resolve(`${pkg}/package.json`);
    out.push({ file: path.join(path.dirname(manifest), spec.file), what: pkg });
  } catch {
    out.push({ file: `${pkg}/${spec.file}`, what: `${pkg} (not installed)` });
  }
  for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'native', spec.name, 'binding.gyp'))) {
      out.push({ file: path.join(dir, 'native', spec.name, 'build', 'Release', spec.file), what: 'local build' });
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  return out;
}

/** Loads an addon (see the module doc). Never throws. */
export function loadAddon<T>(spec: AddonSpec<T>, platform: NodeJS.Platform = process.platform): AddonLoad<T> {
  if (spec.platforms && !spec.platforms.includes(platform)) {
    return { ok: false, reason: `the ${spec.name} addon exists only on ${spec.platforms.join(', ')}; this is ${platform}`, tried: [] };
  }
  const tried: string[] = [];
  for (const { file, what } of addonCandidates(spec)) {
    if (!existsSync(file)) {
      tried.push(`${what}: ${file} not found`);
      continue;
    }
    let addon: T & { unsupported?: string };
    try {
      addon = createRequire(file)(file) as T & { unsupported?: string };
    } catch (error) {
      tried.push(`${what}: ${file} could not be loaded (${(error as Error).message.split('\n')[0]})`);
      continue;
    }
    const unusable = addon.unsupported ?? spec.check?.(addon);
    if (unusable) {
      tried.push(`${what}: ${file}: ${unusable}`);
      continue;
    }
    return { ok: true, addon, file };
  }
  const triple = targetTriple(platform);
  const pkg = prebuiltPackage(spec.name, triple);
  const shipped = shippedTargets(spec);
  const get =
    shipped === undefined || shipped.includes(triple)
      ? `Install ${pkg}: npm installs it with vigilfs as an optional dependency, unless optional dependencies were omitted ` +
        `(--omit=optional) or the lockfile was made on another platform.`
      : `vigil ships no prebuilt ${spec.name} addon for ${triple} (it ships ${shipped.join(', ') || 'none'}).`;
  return {
    ok: false,
    tried,
    reason:
      `no ${spec.name} addon for ${triple}; looked at:\n  ${tried.join('\n  ')}\n${get} ` +
      `To build one: in a checkout of vigil, \`npm run build\` (node-gyp, a C++17 compiler, make, python3), then set ` +
      `VIGIL_${spec.name.toUpperCase()}_ADDON=<checkout>/native/${spec.name}/build/Release/${spec.file}.`,
  };
}

/**
 * The targets the calling package ships a per-platform package for: its
 * package.json's optionalDependencies named `@vigilfs/<name>-<target>`, or
 * undefined when its package.json cannot be read (a bundle).
 */
function shippedTargets(spec: Pick<AddonSpec<unknown>, 'name' | 'from'>): string[] | undefined {
  const fromFile = spec.from.startsWith('file:') ? fileURLToPath(spec.from) : spec.from;
  for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const json = JSON.parse(readFileSync(manifest, 'utf8')) as { optionalDependencies?: Record<string, string> };
        const prefix = `@vigilfs/${spec.name}-`;
        return Object.keys(json.optionalDependencies ?? {})
          .filter((k) => k.startsWith(prefix))
          .map((k) => k.slice(prefix.length));
      } catch {
        return undefined;
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

const warned = new Set<string>();

/** Emits a process warning once per key (a missing addon is worth one line, not one per watcher). */
export function warnOnce(key: string, message: string): void {
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(message, { code: 'VIGIL_NATIVE_FALLBACK' });
}
