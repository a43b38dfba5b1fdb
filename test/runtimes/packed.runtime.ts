import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedFakeSaasus, serveFakeSaasus } from '../support/runtime-fake-saasus.js';
import { decodePngDataUrl, decodeSvg } from '../support/runtime-qr.js';
import {
  type RunningWorker,
  type SuiteRuntime,
  packedProject,
  runScript,
  selectedRuntimes,
  startWrangler,
} from '../support/runtime-runs.js';

// The packed package, as a user installs it, on each runtime: the whole self-hosted lifecycle with QR codes on the
// memory store, and the SaaSus provider over real HTTP against the testing kit's fake served from this Node process.
// scripts/lifecycle.mjs is the app; this file judges what it reports. The QR codes must be the same bytes on every
// runtime, so each runtime's are compared with those rendered by the Node running this suite.

interface Step {
  ok: boolean;
  value?: unknown;
  error?: string;
}
interface LifecycleReport {
  selfHosted: { steps: Record<string, Step>; qr?: { otpauthUri: string; qrCodeSvg: string; qrCodeDataUrl: string } };
  saasus?: { steps: Record<string, Step>; qrDecodesTo?: string; qrCodeDataUrl?: string };
}

const runtimes = selectedRuntimes();
let dir: string;
let served: ServedFakeSaasus;
let reference: LifecycleReport;
const reports = new Map<SuiteRuntime, LifecycleReport>();

async function lifecycleOn(runtime: SuiteRuntime): Promise<LifecycleReport> {
  const address = JSON.stringify(served.addressForNewUser());
  if (runtime !== 'workerd') return (await runScript(runtime, dir, 'main.mjs', [address])) as LifecycleReport;
  let worker: RunningWorker | undefined;
  try {
    worker = await startWrangler(dir, 'wrangler.toml');
    const response = await fetch(`${worker.url}/?fake=${encodeURIComponent(address)}`);
    return (await response.json()) as LifecycleReport;
  } finally {
    await worker?.stop();
  }
}

beforeAll(async () => {
  dir = await packedProject();
  served = await serveFakeSaasus();
  // The reference bytes: the same scripts on the Node that runs this suite, against the same packed package.
  reference = await lifecycleOn('node20');
});

afterAll(async () => {
  await served?.close();
  // The runtime table as measured, in the CI log.
  process.stdout.write(
    [
      'runtime    self-hosted + QR   saasus over HTTP',
      ...[...reports].map(([name, report]) => summary(name, report)),
    ].join('\n') + '\n',
  );
});

function summary(name: string, report: LifecycleReport): string {
  const all = (steps: Record<string, Step> | undefined) =>
    steps && Object.values(steps).every((step) => step.ok) ? 'works' : 'FAILS';
  return `${name.padEnd(10)} ${all(report.selfHosted.steps).padEnd(18)} ${all(report.saasus?.steps)}`;
}

describe.each(runtimes)('packed package on %s', (runtime) => {
  let report: LifecycleReport;
  beforeAll(async () => {
    report = runtime === 'node20' ? reference : await lifecycleOn(runtime);
    reports.set(runtime, report);
  });

  it('runs the self-hosted lifecycle on the memory store: setup, verify, enable, replay refused, recovery code, disable', () => {
    const { steps } = report.selfHosted;
    for (const [name, step] of Object.entries(steps)) expect(step, name).toMatchObject({ ok: true });
    expect(steps.verify!.value).toBe('verified');
    expect(steps.enable!.value).toMatchObject({ enabled: true });
    expect((steps.enable!.value as { recoveryCodes: string[] }).recoveryCodes).toHaveLength(10);
    expect(steps.status!.value).toEqual({ enabled: true, method: 'softwareToken' });
    expect(steps.replayRefused!.value).toBe('invalid_code:replayed');
    expect(steps.recoveryCode!.value).toBe('recovery_code');
    expect(steps.disableWithoutProof!.value).toBe('step_up_required');
    expect(steps.disable!.value).toBe(false);
  });

  it('renders QR codes that decode to the exact otpauth URI, byte-identical to those rendered on Node 20', () => {
    const qr = report.selfHosted.qr!;
    expect(decodePngDataUrl(qr.qrCodeDataUrl)).toBe(qr.otpauthUri);
    expect(decodeSvg(qr.qrCodeSvg)).toBe(qr.otpauthUri);
    expect(qr.qrCodeSvg).toBe(reference.selfHosted.qr!.qrCodeSvg);
    expect(qr.qrCodeDataUrl).toBe(reference.selfHosted.qr!.qrCodeDataUrl);
  });

  it('runs the SaaSus provider over real HTTP against the fake: status, setup, wrong code refused, verify, enable', () => {
    const { steps, qrDecodesTo, qrCodeDataUrl } = report.saasus!;
    for (const [name, step] of Object.entries(steps)) expect(step, name).toMatchObject({ ok: true });
    expect(steps.statusBefore!.value).toEqual({ enabled: false, method: null });
    expect(steps.wrongCode!.value).toBe('invalid_code');
    expect(steps.statusAfter!.value).toEqual({ enabled: true, method: 'softwareToken' });
    expect(decodePngDataUrl(qrCodeDataUrl!)).toBe(qrDecodesTo);
  });
});

describe.runIf(runtimes.includes('deno'))('environment access refused (Deno without --allow-env)', () => {
  it('imports every subpath without reading the environment, and names the variable and the option instead of NotCapable', async () => {
    const outcome = (await runScript('deno', dir, 'no-env.mjs', [], ['run', '--no-prompt'])) as Record<string, string>;
    for (const subpath of ['saasus-mfa', 'saasus-mfa/totp', 'saasus-mfa/saasus', 'saasus-mfa/testing'])
      expect(outcome[subpath], subpath).toBe('imported');
    expect(outcome.TotpMfaProvider).toMatch(
      /^MfaConfigurationError:configuration_error: .*MFA_ENCRYPTION_KEY.*encryptionKey/,
    );
    expect(outcome.SaasusMfaProvider).toMatch(
      /^MfaConfigurationError:configuration_error: .*SAASUS_API_URL_BASE.*baseUrl/,
    );
    expect(outcome.TotpMfaProvider).not.toContain('NotCapable');
    expect(outcome['TotpMfaProvider with every option']).toBe('constructed');
  });
});

describe('every subpath imports', () => {
  const table = new Map<string, Record<string, string>>();
  afterAll(() => {
    const subpaths = Object.keys([...table.values()][0] ?? {});
    process.stdout.write(
      [
        ['subpath'.padEnd(28), ...table.keys()].join(' '),
        ...subpaths.map((subpath) =>
          [
            subpath.padEnd(28),
            ...[...table.values()].map((row) => (row[subpath] === 'imports' ? 'ok' : 'refused')),
          ].join(' '),
        ),
      ].join('\n') + '\n',
    );
  });

  it.each(runtimes.filter((name) => name !== 'workerd') as Exclude<SuiteRuntime, 'workerd'>[])(
    'on %s, every subpath of the packed package imports (the stores with their drivers installed)',
    async (runtime) => {
      // Deno: no --allow-env and no --allow-read at all.
      const flags = runtime === 'deno' ? ['run', '--no-prompt'] : undefined;
      const outcome = (await runScript(runtime, dir, 'imports.mjs', [], flags)) as Record<string, string>;
      table.set(runtime, outcome);
      for (const [subpath, result] of Object.entries(outcome)) {
        // msw itself (the fake SaaSus's optional peer) reads NODE_ENV when it loads: on Deno that subpath needs
        // --allow-env=NODE_ENV. Nothing of this package's own reads the environment at import.
        if (runtime === 'deno' && subpath === 'saasus-mfa/testing/saasus')
          expect(result, subpath).toMatch(/^NotCapable: .*"NODE_ENV"/);
        else expect(result, subpath).toBe('imports');
      }
    },
  );

  it.runIf(runtimes.includes('workerd'))(
    'on workerd with nodejs_compat, every subpath imports (without it, the lifecycle Worker shows the core four need no flag)',
    async () => {
      const worker = await startWrangler(dir, 'wrangler-imports.toml');
      try {
        const outcome = (await (await fetch(worker.url)).json()) as Record<string, string>;
        table.set('workerd+compat', outcome);
        for (const [subpath, result] of Object.entries(outcome)) expect(result, subpath).toBe('imports');
      } finally {
        await worker.stop();
      }
    },
  );
});
