/**
 * @vigilfs/conformance: vigil's behaviour contract (docs semantics.md, R1–R12)
 * as scenario files, and the one driver that runs them against any backend.
 *
 * ```ts
 * import { describe, it } from 'vitest';
 * import { backends, watch } from 'vigilfs';
 * import { runConformance } from '@vigilfs/conformance';
 * for (const b of backends) {
 *   runConformance({ name: b.name, capabilities: b.capabilities, watch: (root, o) => watch(root, { ...o, backend: b.name }) }, { describe, it });
 * }
 * ```
 *
 * The format is described in scenarios/README.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeCapability, parseScenario, type Scenario } from './scenario.js';
import { DEFAULT_SETTINGS, runScenario, type ConformanceTarget, type RunSettings } from './run.js';

export * from './scenario.js';
export * from './match.js';
export { fromBytes, fsPath, showName, toBytes } from './names.js';
export { DEFAULT_SETTINGS, runScenario, type ConformanceTarget, type RunSettings, type ScenarioResult } from './run.js';

/** The scenarios shipped with this package. */
export const scenariosDir: string = fileURLToPath(new URL('../scenarios/', import.meta.url));

/** Parses every `*.scenario` file under `dir` (id = `group/name`), sorted by id. Syntax errors throw. */
export function loadScenarios(dir: string = scenariosDir): Scenario[] {
  const out: Scenario[] = [];
  const visit = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) visit(p);
      else if (entry.name.endsWith('.scenario')) {
        const id = path
          .relative(dir, p)
          .replace(/\.scenario$/, '')
          .split(path.sep)
          .join('/');
        out.push(parseScenario(fs.readFileSync(p, 'utf8'), id, path.relative(path.dirname(dir), p)));
      }
    }
  };
  visit(dir);
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

type TestFn = () => Promise<void>;
/** The part of vitest's API the driver uses (passed in, so this package does not depend on a test runner). */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  it: {
    (name: string, fn: TestFn, timeout?: number): void;
    skipIf(condition: boolean): (name: string, fn: TestFn, timeout?: number) => void;
    fails(name: string, fn: TestFn, timeout?: number): void;
  };
}

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** Scenarios to run; default: every shipped scenario. */
  scenarios?: readonly Scenario[];
  /** Timing; default {@link DEFAULT_SETTINGS}. */
  settings?: Partial<RunSettings>;
  /**
   * Scenarios this target is known to fail, by id, each with its reason (a
   * documented difference of the platform or of an emulation, e.g. Wine or the
   * FSEvents model). They run as expected failures: one that starts passing
   * fails the run, so the entry gets removed. An id that names no scenario
   * throws, so a renamed scenario cannot leave a stale entry behind.
   */
  expectedFailures?: Readonly<Record<string, string>>;
}

/**
 * Registers one test per scenario for `target`, in a `describe` named after
 * the backend. A scenario whose `requires` the backend does not meet is
 * registered as skipped with the reason in its name (a declared gate); one
 * marked `known-failure`, or listed in `options.expectedFailures` for this
 * target, runs as an expected failure with the reason in its name.
 */
export function runConformance(target: ConformanceTarget, api: TestApi, options: ConformanceOptions = {}): void {
  const scenarios = options.scenarios ?? loadScenarios();
  const settings: RunSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  const expectedFailures = options.expectedFailures ?? {};
  const unknown = Object.keys(expectedFailures).filter((id) => !scenarios.some((s) => s.id === id));
  if (unknown.length) throw new Error(`expectedFailures for ${target.name} names no scenario: ${unknown.join(', ')}`);
  api.describe(`conformance: ${target.name}`, () => {
    for (const s of scenarios) {
      const unmet = s.requires.filter((c) => !c.test(target.capabilities));
      const name = `${s.id}: ${s.title} [${s.rules.join(' ')}]`;
      const timeout = 4 * (s.timeout ?? settings.deadline) + 5_000;
      const fn: TestFn = async () => {
        const result = await runScenario(s, target, settings);
        if (!result.ok) throw new Error(result.report);
      };
      if (unmet.length) {
        const why = unmet.map((c) => `requires ${c.text}, ${target.name} has ${describeCapability(c, target.capabilities)}`).join('; ');
        api.it.skipIf(true)(`${name} (skipped: ${why})`, fn, timeout);
      } else if (s.knownFailure) {
        api.it.fails(`${name} (known failure: ${s.knownFailure})`, fn, timeout);
      } else if (expectedFailures[s.id]) {
        api.it.fails(`${name} (expected to fail on ${target.name}: ${expectedFailures[s.id]})`, fn, timeout);
      } else {
        api.it(name, fn, timeout);
      }
    }
  });
}
