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
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (pkg) => pathToFileURL(path.join(root, 'packages', pkg, 'dist', 'index.js')).href;

const { createWatcher } = await import(dist('core'));
const { pollBackend } = await import(dist('poll'));
const { rdcwBackend } = await import(dist('rdcw'));
const { loadScenarios, runScenario, DEFAULT_SETTINGS } = await import(conformanceForWindows());

/**
 * @vigilfs/conformance's driver assumes '/' separators (run.ts: the
 * temp-directory check in resolveIn, the event paths, knownPaths() and the
 * disk walk made relative to the scenario root, the roots joined with '/'), so on Windows every
 * operation throws "leaves the scenario's temp directory" and every event
 * would be "<outside>". Until the package handles path.sep itself, this loads
 * a copy of its built dist/index.js with exactly those five spots made
 * separator-aware (each replacement must match once, or this throws), and
 * its @vigilfs/core import pointed at the same core this runner uses.
 */
function conformanceForWindows() {
  const file = path.join(root, 'packages', 'conformance', 'dist', 'index.js');
  let text = fs.readFileSync(file, 'utf8');
  // Each spot as a pattern, in both spellings the source has had (`base + "/"` and `${base}/`).
  const swaps = [
    [
      /p\.startsWith\((?:base \+ "\/"|`\$\{base\}\/`)\)\) return p\.slice\(base\.length \+ 1\);/g,
      'p.startsWith(base + path.sep)) return p.slice(base.length + 1).split(path.sep).join("/");',
    ],
    [/!abs\.startsWith\((?:tmp \+ "\/"|`\$\{tmp\}\/`)\)/g, '!abs.startsWith(tmp + path.sep)'],
    [/p === "\." \? base : `\$\{base\}\/\$\{p\}`/g, 'p === "." ? base : path.join(base, p)'],
    [
      /w\.knownPaths\(\)\.map\(\(p\) => p === base \? "\." : p\.slice\(base\.length \+ 1\)\)/g,
      'w.knownPaths().map((p) => p === base ? "." : p.slice(base.length + 1).split(path.sep).join("/"))',
    ],
    [
      /onDisk\.map\(\(p\) => p === base \? "\." : p\.slice\(base\.length \+ 1\)\)/g,
      'onDisk.map((p) => p === base ? "." : p.slice(base.length + 1).split(path.sep).join("/"))',
    ],
    [/from "@vigilfs\/core"/g, `from ${JSON.stringify(dist('core'))}`],
  ];
  for (const [from, to] of swaps) {
    const n = text.match(from)?.length ?? 0;
    if (n !== 1) throw new Error(`conformance dist changed: ${from} matches ${n} times, not once`);
    text = text.replace(from, () => to);
  }
  // scenariosDir is computed from import.meta.url: keep it pointing at the package.
  text = text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href));
  const copy = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-conformance-win-')), 'index.mjs');
  fs.writeFileSync(copy, text);
  return pathToFileURL(copy).href;
}

function line(tag, obj) {
  process.stdout.write(`${tag} ${JSON.stringify(obj)}\n`);
}

// Through the umbrella package, as a user watches (with its Windows platform
// facts from the addon's volumeInfo), when it registers rdcw; else the rdcw
// backend alone with core.
const vigilfs = await import(dist('vigilfs'));
const registered = vigilfs.backends?.find((b) => b.name === 'rdcw');
const backend = registered ?? rdcwBackend;
const probe = await backend.probe(os.tmpdir(), undefined);
if (!probe.ok) {
  line('DONE', { probe });
  process.exit(1);
}
const environment = { backends: [rdcwBackend], poller: pollBackend, platform: undefined };
const target = {
  name: 'rdcw',
  capabilities: probe.capabilities,
  watch: registered
    ? (roots, options) => vigilfs.watch(roots, { ...options, backend: 'rdcw' })
    : (roots, options) => createWatcher(environment, roots, { ...options, backend: 'rdcw' }),
};
line('TARGET', { through: registered ? 'vigilfs' : '@vigilfs/core + @vigilfs/rdcw' });

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
