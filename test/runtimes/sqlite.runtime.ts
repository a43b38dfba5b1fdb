import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SuiteRuntime,
  packedProject,
  removeDir,
  runScript,
  selectedRuntimes,
  startWrangler,
} from '../support/runtime-runs.js';

// The SQLite store (saasus-mfa/stores/sqlite, packed) on each runtime's own SQLite: bun:sqlite on Bun, node:sqlite
// on Node 22 and 24 and on Deno, D1 on workerd (wrangler's local mode). scripts/sqlite-lifecycle.mjs is the app:
// migrate, setup, wrong code, verify, enable, replay refused, then one TOTP code and one recovery code each sent by
// several calls at once, of which exactly one may pass. Node 20 has no built-in SQLite: better-sqlite3 there is run
// by test/sqlite-store.test.ts with the whole contract suite.

interface Step {
  ok: boolean;
  value?: unknown;
  error?: string;
  ms: number;
}
interface SqliteReport {
  binding: string;
  steps: Record<string, Step>;
  secretAbsent: boolean;
}

const RACERS = 8;
const runtimes = selectedRuntimes().filter((name) => name !== 'node20');
const table: string[] = [];

async function lifecycleOn(runtime: SuiteRuntime, dir: string, data: string): Promise<SqliteReport> {
  if (runtime === 'workerd') {
    const worker = await startWrangler(dir, 'wrangler-sqlite.toml', ['--persist-to', data]);
    try {
      return (await (await fetch(worker.url)).json()) as SqliteReport;
    } finally {
      await worker.stop();
    }
  }
  const file = join(data, 'mfa.db');
  // Deno: read and write in the database's directory only (the file and its -wal and -shm companions).
  const flags =
    runtime === 'deno' ? ['run', '--no-prompt', `--allow-read=${data}`, `--allow-write=${data}`] : undefined;
  return (await runScript(runtime, dir, 'sqlite-main.mjs', [file], flags)) as SqliteReport;
}

if (runtimes.length === 0) it.skip('the SQLite store runs here on Node 22/24, Bun, Deno and workerd only', () => {});

afterAll(() => {
  // The runtime x store table as measured, in the CI log.
  if (table.length)
    process.stdout.write(['runtime    binding       lifecycle  race  total ms', ...table].join('\n') + '\n');
});

describe.each(runtimes)('SQLite store on %s', (runtime) => {
  let report: SqliteReport;
  const data = mkdtempSync(join(tmpdir(), `saasus-mfa-sqlite-${runtime}-`));
  beforeAll(async () => {
    const dir = await packedProject();
    const startedAt = Date.now();
    report = await lifecycleOn(runtime, dir, data);
    const total = Date.now() - startedAt;
    const works = Object.values(report.steps ?? {}).every((step) => step.ok) ? 'works' : 'FAILS';
    const raced = report.steps?.oneCodeRaced?.value as { accepted?: number } | undefined;
    table.push(
      `${runtime.padEnd(10)} ${String(report.binding).padEnd(13)} ${works.padEnd(10)} ${String(raced?.accepted ?? '?').padEnd(5)} ${total}`,
    );
  });
  afterAll(() => removeDir(data));

  it('runs migrate → setup → wrong code refused → verify → enable → replay refused', () => {
    expect(report, JSON.stringify(report)).toHaveProperty('steps');
    const { steps } = report;
    for (const [name, step] of Object.entries(steps)) expect(step, name).toMatchObject({ ok: true });
    expect(report.binding).toBe(runtime === 'bun' ? 'bun:sqlite' : runtime === 'workerd' ? 'd1' : 'node:sqlite');
    expect(steps.wrongCode!.value).toBe('invalid_code:mismatch');
    expect(steps.verify!.value).toBe('verified');
    expect((steps.enable!.value as { recoveryCodes: string[] }).recoveryCodes).toHaveLength(10);
    expect(steps.status!.value).toEqual({ enabled: true, method: 'softwareToken' });
    expect(steps.replayRefused!.value).toBe('invalid_code:replayed');
  });

  it(`replay race: one TOTP code sent by ${RACERS} calls at once signs in exactly once`, () => {
    expect(report.steps.oneCodeRaced!.value).toEqual({ accepted: 1, refusals: ['invalid_code:replayed'] });
  });

  it(`replay race: one recovery code sent by ${RACERS} calls at once is used exactly once, and leaves nine`, () => {
    const raced = report.steps.oneRecoveryCodeRaced!.value as { accepted: number; refusals: string[] };
    expect(raced.accepted).toBe(1);
    expect(raced.refusals).toHaveLength(1);
    expect(raced.refusals[0]).toMatch(/^invalid_code/);
    expect(report.steps.remaining!.value).toBe(9);
  });
});
