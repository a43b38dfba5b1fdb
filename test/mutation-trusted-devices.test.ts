import { createHash, createHmac, hkdfSync } from 'node:crypto';
import { expect, it } from 'vitest';
import { MfaValidationError, type MfaUser } from '../src/index.js';
import { MemoryMfaStore, type MfaStore, type UseTrustedDevice } from '../src/totp/index.js';
import { UNKNOWN_TOKEN, asksForCode, notingTrusts, trustBrowser } from './support/devices.js';
import { TEST_KEY, newUser, totpHarness } from './support/totp.js';

// The trusted-device code's edges the mutation report (docs/mutation.md) found unpinned: the stored hash format, the
// token shape check before any hashing, the keyless form, a step-up token of a replaced factor, and the exact
// answers of the option readers. Each test is named after what would go wrong without it.

/** The memory store, with the candidate hashes of every `useTrustedDevice` noted (a forwarding proxy). */
function notingCandidates(store: MfaStore): { store: MfaStore; candidates: string[][] } {
  const candidates: string[][] = [];
  const proxy = new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (property === 'useTrustedDevice') candidates.push([...(args[0] as UseTrustedDevice).candidateHashes]);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, candidates };
}

async function enrolled(options = {}, store: MfaStore = new MemoryMfaStore()) {
  const harness = totpHarness(store, options);
  const user = newUser();
  const { secret, recoveryCodes } = await harness.enroll(user);
  return { harness, user, secret, recoveryCodes };
}

const b64 = (bytes: Buffer) => bytes.toString('base64url');

it('rolling deploy: a device is stored as <keyId>.HMAC-SHA-256(HKDF(key, "saasus-mfa trusted device"), userId NUL token)', async () => {
  const noted = notingTrusts(new MemoryMfaStore());
  const { harness, user, secret } = await enrolled({}, noted.store);
  const token = await trustBrowser(harness, user, secret);
  const key = Buffer.from(
    hkdfSync('sha256', Buffer.from(TEST_KEY, 'base64'), Buffer.alloc(0), 'saasus-mfa trusted device', 32),
  );
  const tag = b64(createHmac('sha256', key).update(`${user.id}\0${token}`).digest());
  const [keyId] = noted.hashes[0]!.split('.');
  expect(noted.hashes).toEqual([`${keyId}.${tag}`]);
});

it('development without keys: a trusted device counts, stored as sha256.SHA-256("saasus-mfa trusted device" NUL userId NUL token)', async () => {
  const noted = notingTrusts(new MemoryMfaStore());
  const { harness, user, secret } = await enrolled({ encryptionKey: undefined, env: {} }, noted.store);
  const token = await trustBrowser(harness, user, secret);
  const digest = createHash('sha256').update(`saasus-mfa trusted device\0${user.id}\0${token}`).digest();
  expect(noted.hashes).toEqual([`sha256.${b64(digest)}`]);
  expect(await asksForCode(harness, user, token), 'the keyless device counts').toBe(false);
  expect(await asksForCode(harness, newUser(), token), 'not for another user').toBe(false);
  expect(await asksForCode(harness, user, UNKNOWN_TOKEN)).toBe(true);
});

it('junk device cookie: a string that is not a device token is never hashed, the store gets no candidate at all', async () => {
  const noted = notingCandidates(new MemoryMfaStore());
  const { harness, user, secret } = await enrolled({}, noted.store);
  const token = await trustBrowser(harness, user, secret);
  // Too short, too long, a character outside base64url, a last letter no 32 bytes end with, another version.
  const body = token.slice(3);
  const junk = ['', 'x', `x${token}`, `${token}x`, 'd1.AA', `d1.${body.slice(0, -1)}`, `d1.${body.slice(0, 41)}+A`];
  junk.push(`d1.${body.slice(0, -1)}B`, `d1.${body.slice(0, -1)}=`, `d2.${body}`);
  for (const cookie of junk) expect(await asksForCode(harness, user, cookie), cookie).toBe(true);
  expect(noted.candidates).toEqual(junk.map(() => []));
  // Given to the provider directly (an app may skip MfaClient), not even a string: no candidate, no crash.
  await expect(harness.provider.checkTrustedDevice(user, 42 as unknown as string)).resolves.toEqual({
    trusted: false,
    mfaEnabled: true,
  });
  expect(noted.candidates.at(-1)).toEqual([]);
  expect(await asksForCode(harness, user, token)).toBe(false);
  expect(noted.candidates.at(-1)).toHaveLength(1);
});

it('trusted device at login: the provider answers trusted AND mfaEnabled, so an app reading mfaEnabled keeps MFA on', async () => {
  const { harness, user, secret } = await enrolled();
  const token = await trustBrowser(harness, user, secret);
  await expect(harness.provider.checkTrustedDevice(user, token)).resolves.toEqual({ trusted: true, mfaEnabled: true });
});

it('no step-up: trustDevice called on the provider without a step-up token is step_up_required, never a device', async () => {
  const { harness, user } = await enrolled();
  for (const stepUpToken of [undefined, null, 42, {}])
    await expect(harness.provider.trustDevice(user, { label: 'Chrome', stepUpToken } as never)).rejects.toMatchObject({
      code: 'step_up_required',
      reason: 'invalid',
    });
  expect(await harness.client.listTrustedDevices(user)).toEqual([]);
});

it('step-up of a replaced factor: a step-up token from before a reset trusts no device for the new factor, and no token is given', async () => {
  const { harness, user, secret } = await enrolled();
  const { stepUpToken } = await harness.client.verifySecondFactor(user, harness.authenticator.code(secret));
  await harness.client.adminReset(user, { actor: 'support:1', reason: 'lost phone' });
  await harness.enroll(user);
  harness.events.length = 0;
  await expect(
    harness.provider.trustDevice(user, { label: 'Old tab', stepUpToken: stepUpToken! }),
  ).rejects.toMatchObject({
    code: 'provider_error',
    type: 'store_unavailable',
  });
  expect(await harness.client.listTrustedDevices(user)).toEqual([]);
  expect(harness.events.filter((e) => e.type === 'device_trusted')).toEqual([]);
});

/** verifySecondFactor with these options: the validation error it rejects with (field, message), or 'ok'. */
async function trustWith(options: unknown): Promise<string> {
  const { harness, user, secret } = await enrolled();
  try {
    await harness.client.verifySecondFactor(user, harness.authenticator.code(secret), options as never);
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(MfaValidationError);
    const { field, message, status } = error as MfaValidationError & { field: string };
    expect(status).toBe(400);
    return `${field}: ${message}`;
  }
}

const throwing = (name: string) =>
  Object.defineProperty({}, name, {
    get() {
      throw new Error('hostile getter');
    },
  });

it('hostile options: a label that is no label is a 400 naming the field and the rule, never a device', async () => {
  expect(await trustWith(throwing('trustDevice'))).toBe('trustDevice: trustDevice could not be read');
  expect(await trustWith({ trustDevice: throwing('label') })).toBe(
    'trustDevice.label: trustDevice.label could not be read',
  );
  expect(await trustWith({ trustDevice: 'Firefox' })).toBe(
    'trustDevice.label: trustDevice must be an object with a label',
  );
  expect(await trustWith({ trustDevice: { label: 7 } })).toBe('trustDevice.label: trustDevice.label must be a string');
  expect(await trustWith({ trustDevice: { label: '  ' } })).toBe(
    'trustDevice.label: trustDevice.label must not be blank',
  );
  expect(await trustWith({ trustDevice: { label: 'x'.repeat(201) } })).toBe(
    'trustDevice.label: trustDevice.label is longer than 200 characters',
  );
  expect(await trustWith({ trustDevice: { label: 'a\u0007b' } })).toMatch(/^trustDevice\.label: trustDevice\.label \S/);
});

it('label edges: 200 characters, trustDevice null and options null are accepted as they are documented', async () => {
  expect(await trustWith({ trustDevice: { label: 'x'.repeat(200) } })).toBe('ok');
  expect(await trustWith({ trustDevice: null })).toBe('ok');
  expect(await trustWith(null)).toBe('ok');
});

it('hostile login options: a device token that is no string is a 400 naming deviceToken; null options ask for the code', async () => {
  const { harness, user } = await enrolled();
  await expect(harness.client.needsSecondFactor(user, throwing('deviceToken') as never)).rejects.toMatchObject({
    status: 400,
    field: 'deviceToken',
    message: 'deviceToken could not be read',
  });
  await expect(harness.client.needsSecondFactor(user, { deviceToken: 42 } as never)).rejects.toMatchObject({
    status: 400,
    field: 'deviceToken',
    message: 'deviceToken must be a string (the cookie as sent) or null',
  });
  expect(await harness.client.needsSecondFactor(user, null as never)).toBe(true);
});

it('revoking by a forged id: a deviceId over 100 characters is a 400 with the rule; 100 characters is "no such device"', async () => {
  const { harness, user } = await enrolled();
  const revoke = (id: string) => harness.client.revokeTrustedDevice(user as MfaUser, id);
  await expect(revoke('x'.repeat(100))).resolves.toBe(false);
  await expect(revoke('x'.repeat(101))).rejects.toMatchObject({
    status: 400,
    field: 'deviceId',
    message: 'deviceId must be a string of 1 to 100 characters',
  });
});
