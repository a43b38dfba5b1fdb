// The SQLite store's core lifecycle on whatever SQLite the runtime has, against the PACKED package: imported by the
// Node/Bun/Deno entry (sqlite-main.mjs, a file through node:sqlite or bun:sqlite) and the Workers entry
// (sqlite-worker.mjs, D1). It returns what happened, step by step; test/runtimes/sqlite.runtime.ts judges it.
import { MfaClient, isMfaError } from 'saasus-mfa';
import { SqliteMfaStore } from 'saasus-mfa/stores/sqlite';
import { createFakeAuthenticator } from 'saasus-mfa/testing';
import { TotpMfaProvider } from 'saasus-mfa/totp';

const ENCRYPTION_KEY = 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=';
/** How many calls race with one code (and with one recovery code). */
export const RACERS = 8;
const authenticator = createFakeAuthenticator();

/** An error as the suite compares it: class code and reason, never a message (which may not hold a secret anyway). */
const described = (error) =>
  isMfaError(error) ? `${error.code}${error.reason ? `:${error.reason}` : ''}` : `${error?.name}: ${error?.message}`;

async function record(steps, name, step) {
  const startedAt = Date.now();
  try {
    steps[name] = { ok: true, value: await step() };
  } catch (error) {
    steps[name] = { ok: false, error: described(error) };
  }
  steps[name].ms = Date.now() - startedAt;
  return steps[name].value;
}

/** How many of `calls` (started together) succeeded, and how the others were refused. */
async function race(calls) {
  const settled = await Promise.allSettled(calls);
  const refusals = settled.filter((one) => one.status === 'rejected').map((one) => described(one.reason));
  return { accepted: settled.length - refusals.length, refusals: [...new Set(refusals)].sort() };
}

/** Runs the lifecycle on `driver` (a SqliteDriver); `binding` names it in the report. */
export async function runSqliteLifecycle(driver, binding) {
  const steps = {};
  const store = new SqliteMfaStore({ driver, tablePrefix: 'runtime_mfa_' });
  await record(steps, 'migrate', async () => (await store.migrate(), 'migrated'));
  const mfa = new MfaClient({
    provider: new TotpMfaProvider({ store, encryptionKey: ENCRYPTION_KEY }),
    issuer: 'Acme Runtimes',
  });
  const user = { id: `sqlite-user-${Date.now()}-${Math.random().toString(36).slice(2)}`, email: 'ada@example.com' };
  const setup = await record(steps, 'createSetup', async () => {
    const created = await mfa.createSetup(user);
    return { secret: created.secret, uri: created.otpauthUri.startsWith('otpauth://totp/') };
  });
  if (!setup) return { binding, steps };
  const code = authenticator.code(setup.secret);
  await record(steps, 'wrongCode', async () => {
    const wrong = code === '000000' ? '111111' : '000000';
    return mfa.verify(user, wrong).then(
      () => 'accepted (wrong code!)',
      (error) => described(error),
    );
  });
  await record(steps, 'verify', async () => (await mfa.verify(user, code), 'verified'));
  const enabled = await record(steps, 'enable', () => mfa.enable(user));
  await record(steps, 'status', () => mfa.getStatus(user));
  await record(steps, 'replayRefused', () =>
    mfa.verifySecondFactor(user, code).then(
      () => 'accepted (replay!)',
      (error) => described(error),
    ),
  );
  // One code from several calls at once: the store's claim lets exactly one through.
  const next = authenticator.codeAt(setup.secret, Date.now() + 30_000);
  await record(steps, 'oneCodeRaced', () =>
    race(Array.from({ length: RACERS }, () => mfa.verifySecondFactor(user, next))),
  );
  const recoveryCode = enabled?.recoveryCodes?.[0];
  await record(steps, 'oneRecoveryCodeRaced', () =>
    race(Array.from({ length: RACERS }, () => mfa.verifySecondFactor(user, recoveryCode))),
  );
  await record(steps, 'remaining', async () => (await store.load({ userId: user.id })).recoveryCodes);
  return { binding, steps, secretAbsent: !JSON.stringify(steps).includes(recoveryCode ?? '\u0000') };
}
