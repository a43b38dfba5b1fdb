import { describe, expect, it } from 'vitest';
import {
  MfaClient,
  MfaConfigurationError,
  MfaProviderError,
  MfaValidationError,
  type MfaClientOptions,
  type MfaProvider,
} from '../src/index.js';
import { MemoryMfaStore, TotpMfaProvider } from '../src/totp/index.js';
import { TEST_KEY, newUser, totpHarness } from './support/totp.js';

// MfaClient's own checks, which the mutation report (docs/mutation.md) found unpinned: the constructor's refusals,
// the QR-code size limit, and what it accepts from a provider. The MfaProvider interface is public, so a buggy or
// hostile provider is a real caller: MfaClient must fail closed with the typed error and its exact message.

/** An app's own provider: a working TotpMfaProvider on the memory store underneath, with `overrides` on top. */
function customProvider(overrides: Partial<Record<keyof MfaProvider, unknown>>): MfaProvider {
  const totp = new TotpMfaProvider({ store: new MemoryMfaStore(), encryptionKey: TEST_KEY });
  const base: MfaProvider = {
    name: 'custom',
    getStatus: (u, c) => totp.getStatus(u, c),
    createSecret: (u, c) => totp.createSecret(u, c),
    enable: (u, o, c) => totp.enable(u, o, c),
    disable: (u, c, p) => totp.disable(u, c, p),
    verify: (u, code, c) => totp.verify(u, code, c),
  };
  return { ...base, ...overrides } as MfaProvider;
}

const clientOf = (overrides: Partial<Record<keyof MfaProvider, unknown>>) =>
  new MfaClient({ provider: customProvider(overrides), issuer: 'Acme' });

/** The provider answered outside its contract: never retried, with exactly this message. */
const invalidAnswer = (message: string) => ({
  name: 'MfaProviderError',
  code: 'provider_error',
  type: 'invalid_response',
  retryable: false,
  message,
});

/** What the constructor throws, or undefined. */
function constructing(options: unknown): unknown {
  try {
    new MfaClient(options as MfaClientOptions);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('a misconfigured MfaClient is refused at construction, with a message that says what is missing', () => {
  it.each([
    ['no options at all', undefined],
    ['null', null],
    ['a string (the issuer alone)', 'Acme'],
  ])('%s: "MfaClient needs { provider, issuer }"', (_label, options) => {
    const error = constructing(options);
    expect(error).toBeInstanceOf(MfaConfigurationError);
    expect(error).toMatchObject({ message: 'MfaClient needs { provider, issuer }' });
  });

  it.each([
    ['no provider', undefined],
    ['a null provider', null],
    ['an object that is no provider', { name: 'custom' }],
    ['the provider class instead of an instance', TotpMfaProvider],
    ['a provider whose verify is not a function', { ...customProvider({}), verify: 'yes' }],
  ])('%s: "MfaClient needs a provider"', (_label, provider) => {
    const error = constructing({ provider, issuer: 'Acme' });
    expect(error).toBeInstanceOf(MfaConfigurationError);
    expect(error).toMatchObject({ message: 'MfaClient needs a provider (for example new SaasusMfaProvider())' });
  });
});

describe('createSetup: what reaches the authenticator app', () => {
  // 8 ASCII letters and 110 CJK characters (9 characters each once percent-encoded): with the longest secret a
  // provider may answer (128 characters), the otpauth URI is exactly 1200 characters, the most a QR code here holds.
  const atTheLimit = `${'a'.repeat(8)}${'語'.repeat(110)}`;

  it('an account name whose URI is exactly at the QR-code limit still gets a setup; one character more is refused by name', async () => {
    const store = new MemoryMfaStore();
    const { client } = totpHarness(store);
    const user = { id: newUser().id, email: atTheLimit };
    const setup = await client.createSetup(user);
    expect(setup.otpauthUri.length - setup.secret.length + 128, 'the URI with the longest secret').toBe(1200);

    const tooLong = { id: newUser().id, email: `${atTheLimit}a` };
    const refused = client.createSetup(tooLong);
    await expect(refused).rejects.toBeInstanceOf(MfaValidationError);
    await expect(refused).rejects.toMatchObject({
      message: 'The account name (e-mail, sign-in id or user id) is too long for a QR code',
      field: 'accountName',
    });
    expect((await store.load({ userId: tooLong.id })).pending, 'nothing stored').toBeNull();
  });

  it('the setup carries the QR codes rendered from its own otpauth URI (SVG and PNG)', async () => {
    const { client } = totpHarness(new MemoryMfaStore());
    const setup = await client.createSetup(newUser());
    expect(setup.qrCodeSvg).toMatch(/^<svg[^>]*>[\s\S]*<\/svg>\s*$/);
    expect(setup.qrCodeDataUrl).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+={0,2}$/);
  });

  it.each([
    ['a lower-case secret', 'jbswy3dpehpk3pxp'],
    ['a secret with padding', 'JBSWY3DPEHPK3PXP===='],
    ['a hex secret', '0123456789abcdef0123'],
    ['a secret shorter than 16 characters', 'JBSWY3DPEHPK3PX'],
    ['a String object around a base32 secret', new String('JBSWY3DPEHPK3PXP')],
    ['an array holding a base32 secret', ['JBSWY3DPEHPK3PXP']],
    ['a number that reads as base32', 2222222222222222],
    ['no secret', undefined],
  ])('a provider answering %s never gets it into an authenticator app', async (_label, secret) => {
    const client = clientOf({ createSecret: async () => ({ secret }) });
    const setup = client.createSetup(newUser());
    await expect(setup).rejects.toBeInstanceOf(MfaProviderError);
    await expect(setup).rejects.toMatchObject(invalidAnswer('The provider returned a secret that is not base32'));
  });
});

describe('answers of a buggy or hostile provider', () => {
  it('a provider that says MFA is off but names a method: the app sees no method, as for any user without MFA', async () => {
    const client = clientOf({ getStatus: async () => ({ enabled: false, method: 'softwareToken' }) });
    expect(await client.getStatus(newUser())).toStrictEqual({ enabled: false, method: null });
    const on = clientOf({ getStatus: async () => ({ enabled: true, method: 'email' }) });
    expect(await on.getStatus(newUser())).toStrictEqual({ enabled: true, method: 'email' });
  });

  it('a setup verify whose provider adds a step-up token that is not a string: the result carries no token at all', async () => {
    for (const stepUpToken of [42, { token: 'x' }, null, undefined]) {
      const client = clientOf({ verify: async () => ({ verified: true, stepUpToken }) });
      expect(await client.verify(newUser(), '123456')).toStrictEqual({ verified: true });
    }
    const client = clientOf({ verify: async () => ({ verified: true, stepUpToken: 'v1.token' }) });
    expect(await client.verify(newUser(), '123456')).toStrictEqual({ verified: true, stepUpToken: 'v1.token' });
  });

  it('a provider that throws a plain Error: MfaClient reports it as unexpected, naming only its class', async () => {
    const secret = 'JBSWY3DPEHPK3PXP leaked in a message';
    const client = clientOf({
      getStatus: async () => {
        throw new TypeError(secret);
      },
    });
    const failure = client.getStatus(newUser());
    await expect(failure).rejects.toBeInstanceOf(MfaProviderError);
    await expect(failure).rejects.toMatchObject({
      code: 'provider_error',
      type: 'unexpected',
      retryable: false,
      message: 'The MFA provider failed unexpectedly (TypeError)',
    });
  });

  it('a provider without login checks: verifySecondFactor names the missing method and where to find it', async () => {
    const client = clientOf({});
    for (const code of ['123456', 'AAAA-BBBB-CCCC']) {
      const failure = client.verifySecondFactor(newUser(), code);
      await expect(failure).rejects.toBeInstanceOf(MfaConfigurationError);
      const method = code === '123456' ? 'verifyFactor' : 'verifyRecoveryCode';
      await expect(failure).rejects.toMatchObject({
        message: `The custom provider does not support ${method}; use TotpMfaProvider for login checks, recovery codes and trusted devices`,
      });
    }
  });

  it('revoking devices: a provider answering neither a boolean nor a count is reported by what it failed to say', async () => {
    const client = clientOf({ revokeTrustedDevice: async () => 'yes', revokeTrustedDevices: async () => '2' });
    await expect(client.revokeTrustedDevice(newUser(), 'd-1')).rejects.toMatchObject(
      invalidAnswer('The provider did not say whether a device was revoked'),
    );
    await expect(client.revokeTrustedDevices(newUser())).rejects.toMatchObject(
      invalidAnswer('The provider did not say how many devices were revoked'),
    );
  });
});

describe('a recovery code the provider did not really confirm never passes a login', () => {
  it.each([
    ['nothing', undefined],
    ['null', null],
    ['no count', {}],
    ['a count that is a string', { remaining: '3' }],
    ['a negative count', { remaining: -1 }],
    ['a fractional count', { remaining: 1.5 }],
    ['NaN', { remaining: Number.NaN }],
    ['Infinity', { remaining: Number.POSITIVE_INFINITY }],
  ])('a provider answering %s: MfaProviderError, "did not confirm the recovery code"', async (_label, answer) => {
    const client = clientOf({ verifyRecoveryCode: async () => answer });
    for (const attempt of [
      client.verifyRecoveryCode(newUser(), 'AAAA-BBBB-CCCC'),
      client.verifySecondFactor(newUser(), 'AAAA-BBBB-CCCC'),
    ]) {
      await expect(attempt).rejects.toBeInstanceOf(MfaProviderError);
      await expect(attempt).rejects.toMatchObject(invalidAnswer('The provider did not confirm the recovery code'));
    }
  });

  it('the last recovery code (0 remain) is a valid use, not a refusal', async () => {
    const client = clientOf({ verifyRecoveryCode: async () => ({ remaining: 0, stepUpToken: 'v1.token' }) });
    expect(await client.verifyRecoveryCode(newUser(), 'AAAA-BBBB-CCCC')).toStrictEqual({
      remaining: 0,
      stepUpToken: 'v1.token',
    });
    await expect(client.verifySecondFactor(newUser(), 'AAAA-BBBB-CCCC')).resolves.toMatchObject({
      verified: true,
      method: 'recovery_code',
      recoveryCodesRemaining: 0,
    });
  });

  it('a used recovery code reports how many remain, and a step-up token only when the provider gave a string one', async () => {
    for (const stepUpToken of [undefined, 42, null]) {
      const client = clientOf({ verifyRecoveryCode: async () => ({ remaining: 3, stepUpToken }) });
      expect(await client.verifyRecoveryCode(newUser(), 'AAAA-BBBB-CCCC')).toStrictEqual({ remaining: 3 });
    }
  });
});
