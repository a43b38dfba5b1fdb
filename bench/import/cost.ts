/**
 * 5. Cost of being imported. Cold import: a fresh Node process per sample, the time of the first `import()` inside
 * it, and the whole process's wall time (spawn to exit), against a process importing nothing and one importing axios
 * alone. Size: each subpath of the built dist/ bundled and minified by esbuild, gzipped, with every dependency
 * external (what this package adds) and bundled (for information: what a bundling user ships).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { type BenchOptions, scale } from '../lib/options.js';
import { type Figure, Section, ratioOf } from '../lib/report.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROBE = fileURLToPath(new URL('./probe.mjs', import.meta.url));

/**
 * Budgets (BENCHMARKS.md and the README): gzipped bytes without dependencies, and ms to import cold. Moved once, in
 * issue 15, after the login policy, the durable stores and trusted devices (13.0, 7.1 and 5.8 kB then, against
 * 10, 5 and 5): the store scripts and SQL functions are text the store must send, and the budget still stops a
 * dependency or a runaway file being bundled in.
 */
export const SIZE_BUDGETS_KB: Record<string, number> = {
  'saasus-mfa': 15,
  'saasus-mfa/saasus': 12,
  'saasus-mfa/totp': 15,
  'saasus-mfa/stores/redis': 9,
  'saasus-mfa/stores/postgres': 8,
  'saasus-mfa/testing': 15,
  'saasus-mfa/testing/saasus': 15,
};
export const IMPORT_BUDGET_MS: Record<string, number> = { 'saasus-mfa': 50, 'saasus-mfa/totp': 50 };
/** `saasus-mfa/saasus` loads axios, which alone costs more than 50 ms: its budget is relative to axios alone. */
export const SAASUS_IMPORT_BUDGET_VS_AXIOS = 1.3;

const IMPORTS: [id: string, label: string, specifier: string | undefined][] = [
  ['nothing', 'node, importing nothing', undefined],
  ['axios', 'axios alone', 'axios'],
  ['core', "'saasus-mfa'", 'saasus-mfa'],
  ['saasus', "'saasus-mfa/saasus'", 'saasus-mfa/saasus'],
  ['totp', "'saasus-mfa/totp'", 'saasus-mfa/totp'],
];

function sample(specifier: string | undefined): { importMs: number; processMs: number } {
  const started = performance.now();
  const child = spawnSync(process.execPath, [PROBE, ...(specifier ? [specifier] : [])], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  const processMs = performance.now() - started;
  if (child.status !== 0) throw new Error(`importing ${specifier} failed: ${child.stderr}`);
  return { importMs: (JSON.parse(child.stdout) as { ms: number }).ms, processMs };
}

const packageJson = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as {
  exports: Record<string, { import?: { default?: string } }>;
};

async function gzippedBytes(subpath: string, bundleDependencies: boolean): Promise<number> {
  const entry =
    packageJson.exports[subpath === 'saasus-mfa' ? '.' : `./${subpath.slice('saasus-mfa/'.length)}`]?.import?.default;
  if (!entry) throw new Error(`no ESM entry for ${subpath} in package.json exports`);
  const result = await build({
    entryPoints: [`${ROOT}${entry}`],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // pg's optional native binding is never installed; msw's optional peers neither.
    ...(bundleDependencies ? { external: ['pg-native', 'typescript'] } : { packages: 'external' as const }),
  });
  return gzipSync(result.outputFiles[0]!.contents, { level: 9 }).length;
}

export async function importCost(options: BenchOptions): Promise<Section> {
  const section = new Section('import', '5. Cost of being imported (built dist/)');
  const samples = scale(options, 3, 31);
  const importMs = new Map<string, number[]>(IMPORTS.map(([id]) => [id, []]));
  const processMs = new Map<string, number[]>(IMPORTS.map(([id]) => [id, []]));
  for (const [, , specifier] of IMPORTS) sample(specifier); // disk cache warm for every file involved
  for (let i = 0; i < samples; i++) {
    // Interleaved, so every figure sees the same machine load.
    for (const [id, , specifier] of IMPORTS) {
      const { importMs: inside, processMs: whole } = sample(specifier);
      importMs.get(id)!.push(inside);
      processMs.get(id)!.push(whole);
    }
  }
  const imported = new Map<string, Figure>();
  const nothing = section.figure(
    'process.nothing',
    'process wall time: node importing nothing',
    'ms',
    'lower',
    processMs.get('nothing')!,
  );
  for (const [id, label, specifier] of IMPORTS) {
    if (!specifier) continue;
    const inside = section.figure(
      `import.${id}`,
      `cold import(${label}), inside the process`,
      'ms',
      'lower',
      importMs.get(id)!,
    );
    const whole = section.figure(`process.${id}`, `process wall time: ${label}`, 'ms', 'lower', processMs.get(id)!);
    section.compare(`process.${id}.vs-nothing`, `${label}: process time / empty process`, ratioOf(whole, nothing));
    const budget = IMPORT_BUDGET_MS[specifier];
    if (budget !== undefined)
      section.compare(`import.${id}.budget`, `${label}: cold import ms (budget)`, inside.median, {
        op: '<',
        target: budget,
      });
    imported.set(id, inside);
  }
  section.compare(
    'import.saasus.vs-axios',
    "'saasus-mfa/saasus' cold import / axios alone (budget)",
    ratioOf(imported.get('saasus')!, imported.get('axios')!),
    { op: '<=', target: SAASUS_IMPORT_BUDGET_VS_AXIOS },
  );

  for (const subpath of Object.keys(SIZE_BUDGETS_KB)) {
    const alone = await gzippedBytes(subpath, false);
    section.figure(`size.${subpath}.without-deps`, `${subpath}: min+gzip, dependencies external`, 'kB', 'lower', [
      alone / 1000,
    ]);
    section.compare(`size.${subpath}.budget`, `${subpath}: kB min+gzip without deps (budget)`, alone / 1000, {
      op: '<',
      target: SIZE_BUDGETS_KB[subpath]!,
    });
    try {
      const bundled = await gzippedBytes(subpath, true);
      section.figure(
        `size.${subpath}.with-deps`,
        `${subpath}: min+gzip, dependencies bundled (information)`,
        'kB',
        'lower',
        [bundled / 1000],
      );
    } catch (error) {
      section.skip(
        `size.${subpath}.with-deps`,
        `esbuild could not bundle its dependencies: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      );
    }
  }
  return section;
}
