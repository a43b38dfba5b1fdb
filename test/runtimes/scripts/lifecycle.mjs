// The whole MFA lifecycle as an app on any runtime would run it, against the PACKED package: imported by the Node,
// Bun and Deno entry (main.mjs) and by the Workers entry (worker.mjs). Plain JavaScript so every runtime runs it
// unchanged. It returns what happened, step by step; the vitest suite (test/runtimes.packed.test.ts) judges it.
import { MfaClient, isMfaError } from 'saasus-mfa';
import { SaasusMfaProvider } from 'saasus-mfa/saasus';
import { createFakeAuthenticator } from 'saasus-mfa/testing';
import { MemoryMfaStore, TotpMfaProvider } from 'saasus-mfa/totp';

/** A fixed secret, issuer and user, so every runtime renders the same QR code and the outputs can be compared. */
export const FIXED_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const ENCRYPTION_KEY = 'q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=';
const authenticator = createFakeAuthenticator();

/** Runs `step`, recording its outcome (a value or the error's class and code) under `name`. */
async function record(steps, name, step) {
  try {
    steps[name] = { ok: true, value: await step() };
  } catch (error) {
    steps[name] = {
      ok: false,
      error: isMfaError(error) ? `${error.name}:${error.code}` : `${error?.name}: ${error?.message}`,
    };
  }
  return steps[name].value;
}

async function selfHosted() {
  const steps = {};
  const mfa = new MfaClient({
    provider: new TotpMfaProvider({
      store: new MemoryMfaStore(),
      encryptionKey: ENCRYPTION_KEY,
      generateSecret: () => FIXED_SECRET,
    }),
    issuer: 'Acme Runtimes',
  });
  const user = { id: 'runtime-user-1', email: 'ada@example.com' };
  const setup = await record(steps, 'createSetup', () => mfa.createSetup(user));
  if (!setup) return { steps };
  const code = authenticator.code(setup.secret);
  await record(steps, 'verify', async () => (await mfa.verify(user, code), 'verified'));
  const enabled = await record(steps, 'enable', () => mfa.enable(user));
  await record(steps, 'status', () => mfa.getStatus(user));
  await record(steps, 'replayRefused', async () => {
    try {
      await mfa.verifySecondFactor(user, code);
      return 'accepted (replay!)';
    } catch (error) {
      return isMfaError(error) ? `${error.code}:${error.reason ?? ''}` : String(error);
    }
  });
  const recoveryCode = enabled?.recoveryCodes?.[0];
  let stepUpToken;
  await record(steps, 'recoveryCode', async () => {
    const login = await mfa.verifySecondFactor(user, recoveryCode);
    stepUpToken = login.stepUpToken;
    return login.method;
  });
  // A stolen session alone cannot turn MFA off; the step-up token of the login just made can.
  await record(steps, 'disableWithoutProof', async () => {
    try {
      await mfa.disable(user);
      return 'disabled (no step-up!)';
    } catch (error) {
      return isMfaError(error) ? error.code : String(error);
    }
  });
  await record(steps, 'disable', async () => (await mfa.disable(user, { stepUpToken })).enabled);
  return {
    steps,
    qr: { otpauthUri: setup.otpauthUri, qrCodeSvg: setup.qrCodeSvg, qrCodeDataUrl: setup.qrCodeDataUrl },
  };
}

async function saasus(fake) {
  const steps = {};
  const mfa = new MfaClient({
    provider: new SaasusMfaProvider({
      saasId: fake.saasId,
      apiKey: fake.apiKey,
      secretKey: fake.secretKey,
      baseUrl: fake.baseUrl,
      maxRetries: 0,
    }),
    issuer: 'Acme Runtimes',
  });
  const user = { id: fake.userId, email: 'grace@example.com' };
  const context = { accessToken: fake.accessToken };
  await record(steps, 'statusBefore', () => mfa.getStatus(user, context));
  const setup = await record(steps, 'createSetup', () => mfa.createSetup(user, context));
  if (!setup) return { steps };
  await record(steps, 'wrongCode', async () => {
    try {
      await mfa.verify(user, '000000', context);
      return 'accepted (wrong code!)';
    } catch (error) {
      return isMfaError(error) ? error.code : String(error);
    }
  });
  await record(steps, 'verify', async () => (await mfa.verify(user, authenticator.code(setup.secret), context), 'ok'));
  await record(steps, 'enable', async () => (await mfa.enable(user, context)).enabled);
  await record(steps, 'statusAfter', () => mfa.getStatus(user, context));
  return { steps, qrDecodesTo: setup.otpauthUri, qrCodeDataUrl: setup.qrCodeDataUrl };
}

/** Both providers' lifecycles; `fake` says where the fake SaaSus served from Node listens, and as whom to call it. */
export async function runLifecycle(fake) {
  return { selfHosted: await selfHosted(), saasus: fake ? await saasus(fake) : undefined };
}
