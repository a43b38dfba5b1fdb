import { describe, expect, it } from 'vitest';
import { MfaClient, type MfaProvider } from '../src/index.js';
import {
  MemoryMfaStore,
  TotpMfaProvider,
  type TrustDevice,
  type TrustDeviceResult,
  type TrustedDeviceUse,
  type UseTrustedDevice,
} from '../src/totp/index.js';
import { asksForCode, trustBrowser } from './support/devices.js';
import { createFakeAuthenticator, createFixedClock } from '../src/testing/index.js';
import { START, STEP_MS, TEST_KEY, newUser, totpHarness } from './support/totp.js';

// The trusted-device answers of a custom store, and of a custom provider, are checked once at the boundary: a slip
// never reads as "trusted" (the login asks for the code by failing closed), and a device that was not stored never
// comes with a token.

/** A memory store (as an app may write one) whose device answers are bent by the test; everything else is real. */
class BentStore extends MemoryMfaStore {
  bendUse: ((answer: TrustedDeviceUse) => unknown) | null = null;
  bendTrust: ((answer: TrustDeviceResult, request: TrustDevice) => unknown) | null = null;
  bendList: ((answer: unknown) => unknown) | null = null;
  failTrust = false;

  override async useTrustedDevice(request: UseTrustedDevice): Promise<TrustedDeviceUse> {
    const answer = await super.useTrustedDevice(request);
    return (this.bendUse ? this.bendUse(answer) : answer) as TrustedDeviceUse;
  }

  override async trustDevice(request: TrustDevice): Promise<TrustDeviceResult> {
    if (this.failTrust) throw new Error('connection reset while trusting a device');
    const answer = await super.trustDevice(request);
    return (this.bendTrust ? this.bendTrust(answer, request) : answer) as TrustDeviceResult;
  }

  override async listTrustedDevices(request: { userId: string; now: number }) {
    const answer = await super.listTrustedDevices(request);
    return (this.bendList ? this.bendList(answer) : answer) as typeof answer;
  }
}

async function trustedSetup() {
  const store = new BentStore();
  const harness = totpHarness(store);
  const user = newUser();
  const { secret } = await harness.enroll(user);
  const token = await trustBrowser(harness, user, secret);
  return { store, harness, user, secret, token };
}

describe('the store guard on trusted-device answers', () => {
  const UNREADABLE = 'The MFA store answered a trusted device that is not readable';
  type UseBend = (answer: TrustedDeviceUse) => unknown;
  /** The real trusted answer with one field of its device record replaced. */
  const deviceWith =
    (fields: Record<string, unknown>): UseBend =>
    (a) =>
      a.outcome === 'trusted' ? { ...a, device: { ...a.device, ...fields } } : a;
  it.each<[string, UseBend, string]>([
    ['undefined', () => undefined, 'The MFA store answered an unknown trusted device outcome'],
    ['an unknown outcome', () => ({ outcome: 'yes' }), 'The MFA store answered an unknown trusted device outcome'],
    ['trusted without the device', () => ({ outcome: 'trusted' }), UNREADABLE],
    ['trusted with a device that is null', () => ({ outcome: 'trusted', device: null }), UNREADABLE],
    ['trusted with a device that is text', () => ({ outcome: 'trusted', device: 'phone' }), UNREADABLE],
    ['trusted with a device without its id', (a) => ({ ...a, device: { label: 'x' } }), UNREADABLE],
    ['trusted with an empty device id', deviceWith({ id: '' }), UNREADABLE],
    ['trusted with an empty label', deviceWith({ label: '' }), UNREADABLE],
    ['trusted with a factor id that is a number', deviceWith({ secretId: 7 }), UNREADABLE],
    ['trusted with a creation time as text', deviceWith({ createdAt: '1' }), UNREADABLE],
    ['trusted with a last use that is not a number', deviceWith({ lastUsedAt: Number.NaN }), UNREADABLE],
    ['trusted with an expiry that never comes', deviceWith({ expiresAt: Number.POSITIVE_INFINITY }), UNREADABLE],
    ['trusted with an expired device', deviceWith({ expiresAt: 0 }), 'The MFA store trusted an expired device'],
    [
      'trusted with a device expiring at this very millisecond',
      deviceWith({ expiresAt: START + 2 * STEP_MS }),
      'The MFA store trusted an expired device',
    ],
    [
      'untrusted without factorEnabled',
      () => ({ outcome: 'untrusted' }),
      'The MFA store answered an untrusted device without saying whether MFA is on',
    ],
    [
      'untrusted with factorEnabled as text',
      () => ({ outcome: 'untrusted', factorEnabled: 'false' }),
      'The MFA store answered an untrusted device without saying whether MFA is on',
    ],
  ])(
    'a malformed useTrustedDevice answer (%s) is never trusted: the login fails closed as invalid_response',
    async (_, bend, message) => {
      const { store, harness, user, token } = await trustedSetup();
      expect(harness.clock.nowMs(), 'the instant the expiry case names').toBe(START + 2 * STEP_MS);
      store.bendUse = bend;
      await expect(asksForCode(harness, user, token)).rejects.toMatchObject({
        type: 'invalid_response',
        status: 502,
        message,
      });
    },
  );

  it('a store that says trusted for a token it was given no hash of (a malformed one) fails closed', async () => {
    const { store, harness, user } = await trustedSetup();
    const real = await store.listTrustedDevices({ userId: user.id, now: harness.clock.nowMs() });
    store.bendUse = () => ({ outcome: 'trusted', device: real[0] });
    await expect(asksForCode(harness, user, 'not a token')).rejects.toMatchObject({
      type: 'invalid_response',
      message: 'The MFA store trusted a device token it was not given',
    });
  });

  it.each([
    ['an unknown outcome', () => ({ outcome: 'ok' }), 'The MFA store answered an unknown trust outcome'],
    [
      'trusted without dropped',
      () => ({ outcome: 'trusted' }),
      'The MFA store answered a trusted device list that is not a list',
    ],
    [
      'dropping the device it was asked to trust',
      (_: TrustDeviceResult, request: TrustDevice) => ({ outcome: 'trusted', dropped: [request.device] }),
      'The MFA store dropped the device it was asked to trust',
    ],
  ])('a malformed trustDevice answer (%s): no device token is given', async (_, bend, message) => {
    const { store, harness, user, secret } = await trustedSetup();
    store.bendTrust = bend as (answer: TrustDeviceResult, request: TrustDevice) => unknown;
    const call = harness.client.verifySecondFactor(user, harness.authenticator.code(secret), {
      trustDevice: { label: 'Phone' },
    });
    await expect(call).rejects.toMatchObject({ type: 'invalid_response', message });
  });

  it('a trust over maxTrustedDevices drops the oldest device, not the new one: the guard lets that answer through', async () => {
    const harness = totpHarness(new BentStore(), { maxTrustedDevices: 1 });
    const user = newUser();
    const { secret } = await harness.enroll(user);
    const first = await trustBrowser(harness, user, secret, 'Old laptop');
    const second = await trustBrowser(harness, user, secret, 'New phone');
    expect(await asksForCode(harness, user, second)).toBe(false);
    expect(await asksForCode(harness, user, first)).toBe(true);
    expect(harness.events.filter((e) => e.type === 'device_revoked')).toMatchObject([{ reason: 'limit' }]);
  });

  it('a store that fails while trusting: the call rejects with store_unavailable, no token; the code was used', async () => {
    const { store, harness, user, secret } = await trustedSetup();
    store.failTrust = true;
    const code = harness.authenticator.code(secret);
    await expect(
      harness.client.verifySecondFactor(user, code, { trustDevice: { label: 'Phone' } }),
    ).rejects.toMatchObject({ type: 'store_unavailable', retryable: true });
    await expect(harness.client.verifySecondFactor(user, code)).rejects.toMatchObject({ reason: 'replayed' });
    expect(await harness.client.listTrustedDevices(user)).toHaveLength(1);
  });

  it('the factor changed between the code check and the trust (stale): the call rejects, no token, no device', async () => {
    const { store, harness, user, secret } = await trustedSetup();
    store.bendTrust = null;
    // Another server disables and re-enrols between this server's code check and its trustDevice.
    const original = store.trustDevice.bind(store);
    store.trustDevice = async (request) => {
      await store.deleteFactor({ userId: user.id });
      return original(request);
    };
    const call = harness.client.verifySecondFactor(user, harness.authenticator.code(secret), {
      trustDevice: { label: 'Phone' },
    });
    await expect(call).rejects.toMatchObject({ type: 'store_unavailable' });
    expect(await store.listTrustedDevices({ userId: user.id, now: harness.clock.nowMs() })).toEqual([]);
  });

  it('a malformed device list is invalid_response, never a list with a hash in it', async () => {
    const { store, harness, user } = await trustedSetup();
    store.bendList = () => 'none';
    await expect(harness.client.listTrustedDevices(user)).rejects.toMatchObject({ type: 'invalid_response' });
    store.bendList = (list) => (list as object[]).map((d) => ({ ...d, createdAt: 'yesterday' }));
    await expect(harness.client.listTrustedDevices(user)).rejects.toMatchObject({ type: 'invalid_response' });
    store.bendList = (list) => (list as object[]).map((d) => ({ ...d, tokenHash: 'k.HASH' }));
    const [device] = await harness.client.listTrustedDevices(user);
    expect(JSON.stringify(device)).not.toContain('HASH');
  });
});

describe('MfaClient on a custom provider with trusted devices', () => {
  const clock = createFixedClock(START);
  const authenticator = createFakeAuthenticator(clock);
  /** A TotpMfaProvider behind an app's own provider object, with `bent` replacing some methods. */
  function clientWith(bent: Partial<MfaProvider>) {
    const totp = new TotpMfaProvider({ encryptionKey: TEST_KEY, now: clock.now });
    const provider = new Proxy(totp, {
      get: (target, property) =>
        property in bent
          ? bent[property as keyof MfaProvider]
          : ((Reflect.get(target, property, target) as unknown as () => unknown)?.bind?.(target) ??
            Reflect.get(target, property, target)),
    }) as unknown as MfaProvider;
    return new MfaClient({ provider, issuer: 'Acme' });
  }

  it.each([
    ['trusted as text', { trusted: 'true', mfaEnabled: true }],
    ['neither trusted nor MFA known', { trusted: false }],
    ['undefined', undefined],
  ])('a checkTrustedDevice answer of %s fails closed (never false)', async (_, answer) => {
    const client = clientWith({ checkTrustedDevice: async () => answer as never });
    await expect(client.needsSecondFactor(newUser(), { deviceToken: 'x' })).rejects.toMatchObject({
      type: 'invalid_response',
    });
  });

  it('a trustDevice answer without a device token fails the login instead of answering success without one', async () => {
    const client = clientWith({ trustDevice: async () => ({ device: {} }) as never });
    const user = newUser();
    const setup = await client.createSetup(user);
    await client.verify(user, authenticator.code(setup.secret));
    await client.enable(user);
    clock.advance(STEP_MS);
    const call = client.verifySecondFactor(user, authenticator.code(setup.secret), {
      trustDevice: { label: 'x' },
    });
    await expect(call).rejects.toMatchObject({ type: 'invalid_response' });
  });

  it('revoke answers that are not a boolean or a count are invalid_response', async () => {
    const client = clientWith({
      revokeTrustedDevice: async () => 'yes' as never,
      revokeTrustedDevices: async () => -1,
    });
    await expect(client.revokeTrustedDevice(newUser(), 'id')).rejects.toMatchObject({ type: 'invalid_response' });
    await expect(client.revokeTrustedDevices(newUser())).rejects.toMatchObject({ type: 'invalid_response' });
  });
});
