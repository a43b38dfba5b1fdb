/**
 * The benchmark suite: `npm run bench` (full) or `npm run bench:smoke` (a few iterations, proves it still runs).
 * Prints a Markdown table and writes bench/results.json (a smoke run: a file in the temp directory; or `--out <file>`). `--only saasus,totp` runs some sections.
 * Measures the BUILT package (dist/): `npm run build` first; the npm scripts do.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { examplesUnderLoad } from './examples/load.js';
import { importCost } from './import/cost.js';
import { describeMachine, loadAverage } from './lib/machine.js';
import type { BenchOptions } from './lib/options.js';
import { type Section, renderTable } from './lib/report.js';
import { serviceVersions } from './lib/services.js';
import { saasusOverhead } from './saasus/overhead.js';
import { storeConcurrency } from './stores/concurrency.js';
import { storeOverhead } from './stores/overhead.js';
import { storeRoundTrips } from './stores/round-trips.js';
import { totpVerify } from './totp/verify.js';

const SECTIONS: Record<string, (options: BenchOptions) => Promise<Section>> = {
  saasus: saasusOverhead,
  totp: totpVerify,
  'round-trips': storeRoundTrips,
  concurrency: storeConcurrency,
  overhead: storeOverhead,
  examples: examplesUnderLoad,
  import: importCost,
};

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
  },
});

if (!existsSync(fileURLToPath(new URL('../dist/index.js', import.meta.url)))) {
  console.error('dist/ is missing: run `npm run build` first (npm run bench does).');
  process.exit(1);
}

const options: BenchOptions = { smoke: values.smoke === true };
const chosen = values.only ? values.only.split(',').map((name) => name.trim()) : Object.keys(SECTIONS);
for (const name of chosen)
  if (!SECTIONS[name]) throw new Error(`unknown section ${name}; known: ${Object.keys(SECTIONS).join(', ')}`);

const machine = { ...describeMachine(), services: await serviceVersions() };
const loadBefore = loadAverage();
const started = new Date();
console.log(
  `saasus-mfa benchmarks (${options.smoke ? 'smoke' : 'full'}) on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load ${loadBefore.join(' ')}`,
);

const sections: Section[] = [];
const loadBySection: Record<string, [number, number, number]> = {};
for (const name of chosen) {
  const sectionStarted = performance.now();
  process.stdout.write(`  ${name}…`);
  const section = await SECTIONS[name]!(options);
  sections.push(section);
  loadBySection[name] = loadAverage();
  process.stdout.write(
    ` ${((performance.now() - sectionStarted) / 1000).toFixed(1)} s, load ${loadBySection[name].join(' ')}\n`,
  );
}

console.log(renderTable(sections));

const results = {
  suite: 'saasus-mfa',
  mode: options.smoke ? 'smoke' : 'full',
  startedAt: started.toISOString(),
  finishedAt: new Date().toISOString(),
  machine,
  command: options.smoke ? 'npm run bench:smoke' : 'npm run bench',
  // A shared machine's figures are only comparable at similar load: os.loadavg() before and after each section.
  load: { before: loadBefore, afterSection: loadBySection },
  sections: sections.map((s) => ({
    id: s.id,
    title: s.title,
    figures: s.figures,
    comparisons: s.comparisons,
    skipped: s.skipped,
  })),
};
// A smoke run's figures mean nothing: they never overwrite the real results.
const out =
  values.out ??
  (options.smoke
    ? join(tmpdir(), 'saasus-mfa-bench-smoke.json')
    : fileURLToPath(new URL('./results.json', import.meta.url)));
writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nwritten: ${out}`);
// Pools and keep-alive sockets of the measured clients are closed by each section; nothing should keep us alive,
// but a driver's stray timer must not turn a finished run into a hang in CI.
process.exit(0);
