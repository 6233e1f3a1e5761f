/**
 * The directory-set scanner: see types.ts for the contract. Use
 * {@link createDirSetScanner}; the two implementations are exported for tests
 * and benchmarks.
 */
import { warnOnce } from '@vigilfs/native-loader';
import { loadNativeBinding } from './native-binding.js';
import { JsDirSetScanner } from './js-scanner.js';
import { NativeDirSetScanner } from './native-scanner.js';
import type { DirSetScanner, DirSetScannerOptions } from './types.js';

export * from './types.js';
export { JsDirSetScanner } from './js-scanner.js';
export { NativeDirSetScanner } from './native-scanner.js';
export { loadNativeBinding, nativeCandidates, nativeUnavailableReason } from './native-binding.js';

/**
 * A scanner: native when the vigil_poll addon loads (and `prefer` is not
 * `'js'`), else the JS one, whose `nativeUnavailableReason` says why.
 */
export function createDirSetScanner(options: DirSetScannerOptions = {}): DirSetScanner {
  const followSymlinks = options.followSymlinks === true;
  if (options.prefer === 'js') return new JsDirSetScanner({ followSymlinks, nativeUnavailableReason: "'js' was preferred" });
  const load = loadNativeBinding();
  if (load.ok) return new NativeDirSetScanner(load.binding, { followSymlinks });
  // Never a silent fallback: the JS scanner costs several times the CPU (see README.md).
  warnOnce('poll-scanner', `vigil: polling with the JavaScript directory scanner, which costs several times the CPU of the native one: ${load.reason}`);
  return new JsDirSetScanner({ followSymlinks, nativeUnavailableReason: load.reason });
}
