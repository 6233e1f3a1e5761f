/**
 * Picking the backend for one root (S1–S3): forced by name (the option or
 * VIGIL_BACKEND), used as is or refused with BACKEND_UNAVAILABLE; or `auto`,
 * the first backend in priority order whose probe accepts the root, where a
 * network or FUSE filesystem goes to the environment's poller (native
 * backends never see other machines' changes there).
 */
import type { Backend, BackendCapabilities, PollingBackend } from '../backend.js';
import { ErrorCode, VigilError } from '../errors.js';
import type { ResolvedWatchOptions } from '../options.js';
import type { FilesystemDescription } from '../platform.js';

/** The backends a watcher may use, highest priority first, and the poller among them. */
export interface BackendRegistry {
  backends: readonly Backend[];
  /** The fallback poller, named explicitly: it polls network/FUSE roots and the directories a backend cannot watch. */
  poller?: PollingBackend;
}

/** Which backend serves a root, and why. */
export interface BackendChoice {
  backend: Backend;
  capabilities: BackendCapabilities;
  reason: string;
  /** Backends tried first and why they were passed over. */
  rejected: { backend: string; reason: string }[];
  /** Things the user should hear (a forced native backend on a network filesystem; a native backend whose addon is missing). */
  warnings: VigilError[];
}

/** Picks the backend for `root` (its real path). */
export async function chooseBackend(
  registry: BackendRegistry,
  root: string,
  options: Pick<ResolvedWatchOptions, 'backend' | 'backendSource'>,
  filesystem: FilesystemDescription | undefined,
): Promise<BackendChoice> {
  const fsText = filesystem ? `${filesystem.type}${filesystem.remote ? ' (network/FUSE)' : ''}` : 'unknown filesystem';
  const requested = options.backend;
  if (requested !== 'auto') {
    const backend = registry.backends.find((b) => b.name === requested);
    if (!backend) {
      throw new VigilError(
        ErrorCode.BACKEND_UNAVAILABLE,
        `no backend named "${requested}" (known: ${registry.backends.map((b) => b.name).join(', ')}, or 'auto')`,
        { path: root, backend: requested },
      );
    }
    const probe = await backend.probe(root, filesystem);
    if (!probe.ok) {
      throw new VigilError(ErrorCode.BACKEND_UNAVAILABLE, `backend "${requested}" cannot watch ${root}: ${probe.reason}`, { path: root, backend: requested });
    }
    const warnings: VigilError[] = [];
    if (filesystem?.remote && backend !== registry.poller) {
      warnings.push(remoteUnseen(root, filesystem.type, backend.name));
    }
    const by = options.backendSource === 'environment' ? 'VIGIL_BACKEND' : 'the backend option';
    return { backend, capabilities: probe.capabilities, reason: `forced by ${by} (${fsText})`, rejected: [], warnings };
  }
  const rejected: BackendChoice['rejected'] = [];
  const warnings: VigilError[] = [];
  for (const backend of registry.backends) {
    if (filesystem?.remote && backend !== registry.poller) {
      rejected.push({
        backend: backend.name,
        reason: `${filesystem.type} is a network/FUSE filesystem; ${backend.name} does not see changes made by other machines`,
      });
      continue;
    }
    const probe = await backend.probe(root, filesystem);
    if (probe.ok) {
      const reason = rejected.length ? `first backend that can serve this root on ${fsText}` : `preferred backend on this platform for ${fsText}`;
      return { backend, capabilities: probe.capabilities, reason, rejected, warnings };
    }
    rejected.push({ backend: backend.name, reason: probe.reason });
    // A backend that belongs here but cannot run (its addon is missing): never pass over it without a word.
    if (probe.unexpected) {
      warnings.push(
        new VigilError(ErrorCode.BACKEND_UNAVAILABLE, `${backend.name} cannot watch ${root}, another backend will: ${probe.reason}`, {
          path: root,
          backend: backend.name,
        }),
      );
    }
  }
  throw new VigilError(ErrorCode.BACKEND_UNAVAILABLE, `no backend can watch ${root}: ${rejected.map((r) => `${r.backend}: ${r.reason}`).join('; ')}`, {
    path: root,
  });
}

/** The warning for a forced native backend on a filesystem whose remote changes it cannot see. */
export function remoteUnseen(path: string, type: string, backend: string): VigilError {
  return new VigilError(ErrorCode.REMOTE_CHANGES_UNSEEN, `${path} is on ${type}: the forced ${backend} backend will not see changes made by other machines`, {
    path,
    backend,
  });
}
