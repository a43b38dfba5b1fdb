import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * The benchmark suite must not rot: a smoke run (a few iterations of everything) has to finish and produce every
 * figure. No figure is compared with anything here: the machine is shared and timings are noise. `npm test` builds
 * dist/ before vitest runs; the suite measures the built package.
 */
const root = fileURLToPath(new URL('..', import.meta.url));

interface Results {
  mode: string;
  machine: { cpu: string; cores: number; node: string };
  load: { before: number[] };
  sections: {
    id: string;
    figures: { id: string; median: number; p25: number; p75: number; n: number }[];
    comparisons: { id: string; value: number }[];
    skipped: { id: string; reason: string }[];
  }[];
}

const ROUND_TRIPS = [
  'verify-success.round-trips',
  'verify-success.driver-commands',
  'verify-failure.round-trips',
  'verify-success-client-key.round-trips',
  'verify-cold.round-trips',
  'recovery-code.round-trips',
  'recovery-code-cold.round-trips',
  'get-status.round-trips',
  'needs-second-factor-device.round-trips',
];
const OVERHEAD = [1, 16, 64].flatMap((c) => [`c${c}.verify`, `c${c}.store-call`, `c${c}.floor`]);

/** Figures every run must have; with a service down its figures are skipped (and say so), unless services are required. */
const EXPECTED = {
  saasus: [
    'getStatus.sdk.latency',
    'getStatus.bare.latency',
    'getStatus.sdk.cpu',
    'getStatus.bare.cpu',
    'verify.sdk.latency',
    'verify.bare.latency',
    'verify.sdk.cpu',
    'verify.bare.cpu',
  ],
  totp: ['sdk.verify', 'otplib.verify', 'otplib-node.verify', 'floor.hmac3'],
  'round-trips': [
    'memory.verify-success.store-calls',
    'memory.verify-failure.store-calls',
    'memory.recovery-code.store-calls',
    ...ROUND_TRIPS.map((id) => `sqlite.${id}`),
  ],
  concurrency: ['memory.c1', 'memory.c16', 'memory.c64', 'sqlite.c1', 'sqlite.c16', 'sqlite.c64'],
  // SQLite is a file: no service to be down.
  overhead: OVERHEAD.map((id) => `sqlite.${id}`),
  examples: ['status.bare-node', 'status.express', 'status.koa', 'verify.bare-node', 'verify.express', 'verify.koa'],
  import: [
    'import.core',
    'import.saasus',
    'import.totp',
    'import.axios',
    'process.nothing',
    'size.saasus-mfa.without-deps',
    'size.saasus-mfa/saasus.without-deps',
  ],
} as const;
const PER_STORE = {
  'round-trips': ROUND_TRIPS,
  concurrency: ['c1', 'c16', 'c64'],
  overhead: OVERHEAD,
} as const;

describe('benchmark suite (smoke run)', () => {
  it('runs every section and reports every figure as a median with its spread', { timeout: 180_000 }, () => {
    expect(existsSync(join(root, 'dist/index.js')), 'run `npm run build` first').toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    try {
      const out = join(dir, 'results.json');
      const tsx = join(root, 'node_modules/tsx/dist/cli.mjs');
      const run = spawnSync(
        process.execPath,
        [tsx, '--tsconfig', 'bench/tsconfig.json', 'bench/run.ts', '--smoke', '--out', out],
        {
          cwd: root,
          encoding: 'utf8',
          timeout: 170_000,
        },
      );
      expect(run.status, `bench exited ${run.status}\n${run.stdout}\n${run.stderr}`).toBe(0);
      const results = JSON.parse(readFileSync(out, 'utf8')) as Results;
      expect(results.mode).toBe('smoke');
      expect(results.machine.cores).toBeGreaterThan(0);
      expect(results.load.before).toHaveLength(3);

      const figures = new Map(results.sections.flatMap((s) => s.figures.map((f) => [f.id, f] as const)));
      const skipped = results.sections.flatMap((s) => s.skipped.map((k) => k.id));
      const wanted: string[] = Object.entries(EXPECTED).flatMap(([section, ids]) =>
        ids.map((id) => `${section}.${id}`),
      );
      for (const store of ['redis', 'postgres']) {
        const down = skipped.includes(`round-trips.${store}`);
        if (down && process.env.MFA_REQUIRE_SERVICES !== '1') {
          console.warn(`  SKIPPED in the bench smoke run: ${store} figures (service unreachable)`);
          continue;
        }
        for (const [section, ids] of Object.entries(PER_STORE))
          wanted.push(...ids.map((id) => `${section}.${store}.${id}`));
      }
      // The Redis Cluster is started by the suite itself from redis-server (skipped, and said so, where it cannot be).
      if (!skipped.includes('round-trips.redis-cluster') || process.env.MFA_REQUIRE_SERVICES === '1')
        wanted.push(
          ...ROUND_TRIPS.map((id) => `round-trips.redis-cluster.${id}`),
          'round-trips.redis-cluster-acks.verify-success.round-trips',
          'round-trips.redis-cluster-acks.verify-success.driver-commands',
          ...['redis-cluster', 'redis-cluster-acks'].flatMap((name) => OVERHEAD.map((id) => `overhead.${name}.${id}`)),
        );
      const missing = wanted.filter((id) => !figures.has(id));
      expect(missing, 'figures the smoke run did not produce').toEqual([]);
      for (const figure of figures.values()) {
        expect(Number.isFinite(figure.median), figure.id).toBe(true);
        expect(figure.p25 <= figure.median && figure.median <= figure.p75, figure.id).toBe(true);
        expect(figure.n, figure.id).toBeGreaterThan(0);
      }
      for (const comparison of results.sections.flatMap((s) => s.comparisons))
        expect(Number.isFinite(comparison.value), comparison.id).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
