/**
 * @vigilfs/runner: `vigil run`, rules that watch paths with vigil and run a
 * command (an argv, never a shell) or a plugin on their changes.
 *
 * ```ts
 * import { watch } from 'vigilfs';
 * import { main } from '@vigilfs/runner';
 * process.exitCode = await main(['--config', 'rules.yaml', '-v'], { watch });
 * ```
 */
export { main, ENVIRONMENT, RUN_HELP, type MainOptions } from './main.js';
export { loadRules, loadRuleFile, findConfig, OverflowPolicy, DEFAULT_FILES, type Rule, type ConfigLocation } from './config.js';
export { RuleRunner, type RuleState, type WatchFunction } from './rule-runner.js';
export {
  commandArgv,
  commandEnv,
  PLACEHOLDERS,
  type Action,
  type PluginContext,
  type PluginHandler,
  type PluginSetup,
} from './actions.js';
export { createLogger, describeError, type Logger } from './log.js';
