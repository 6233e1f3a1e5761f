// Run by a Windows node.exe (under Wine: tests/wine/rdcw-conformance-wine.test.ts
// drives it through scripts/wine/node.mjs):
//
//   node.exe conformance-wine.mjs [scenario id ...]
//
// Runs the conformance scenarios (packages/conformance) against the rdcw
// backend with runScenario, one after the other, from the packages' built
// dist/ (so `node scripts/setup.mjs` first). Prints one line per scenario,
// `SCENARIO {"id","ok","ms","problems"}`, then `DONE {...}`. The rdcw addon is
// the one named by $VIGIL_RDCW_ADDON (the harness points it at
// packages/prebuilt/rdcw-win32-x64/vigil_rdcw.node).
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (pkg) => pathToFileURL(path.join(root, 'packages', pkg, 'dist', 'index.js')).href;

const { loadScenarios, runScenario, DEFAULT_SETTINGS } = await import(dist('conformance'));

function line(tag, obj) {
  process.stdout.write(`${tag} ${JSON.stringify(obj)}\n`);
}

// Through the umbrella package, as a user watches (with its Windows platform
// facts from the addon's volumeInfo).
const vigilfs = await import(dist('vigilfs'));
const backend = vigilfs.backends.find((b) => b.name === 'rdcw');
const probe = await backend.probe(os.tmpdir(), undefined);
if (!probe.ok) {
  line('DONE', { probe });
  process.exit(1);
}
const target = {
  name: 'rdcw',
  capabilities: probe.capabilities,
  watch: (roots, options) => vigilfs.watch(roots, { ...options, backend: 'rdcw' }),
};
line('TARGET', { through: 'vigilfs' });

const only = new Set(process.argv.slice(2));
const scenarios = loadScenarios().filter((s) => only.size === 0 || only.has(s.id));
const settings = { ...DEFAULT_SETTINGS, deadline: Number(process.env.VIGIL_CONFORMANCE_DEADLINE_MS ?? DEFAULT_SETTINGS.deadline) };
const t0 = Date.now();
let passed = 0;
let failed = 0;
let skipped = 0;
for (const s of scenarios) {
  const unmet = s.requires.filter((c) => !c.test(target.capabilities)).map((c) => c.text);
  if (unmet.length) {
    skipped++;
    line('SCENARIO', { id: s.id, skipped: `requires ${unmet.join(', ')}` });
    continue;
  }
  const started = Date.now();
  let r;
  try {
    r = await runScenario(s, target, settings);
  } catch (e) {
    r = { ok: false, problems: [`threw: ${e?.stack ?? e}`], report: String(e) };
  }
  if (r.ok) passed++;
  else failed++;
  line('SCENARIO', {
    id: s.id,
    ok: r.ok,
    ms: Date.now() - started,
    knownFailure: s.knownFailure,
    problems: r.ok ? undefined : r.problems,
    report: r.ok ? undefined : r.report.slice(0, 4000),
  });
}
line('DONE', { passed, failed, skipped, ms: Date.now() - t0, capabilities: probe.capabilities });
process.exit(0);
