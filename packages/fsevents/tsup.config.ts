import { libraryConfig } from '../../tsup.shared';

// The library, and the replay command (ESM only: it is run, not imported).
export default [libraryConfig(), libraryConfig({ entry: ['src/replay-cli.ts'], format: ['esm'], dts: false, clean: false })];
