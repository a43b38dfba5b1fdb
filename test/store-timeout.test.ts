import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MfaProviderError } from '../src/index.js';
import { MemoryMfaStore, type MfaStore } from '../src/totp/index.js';
import { faultyStoreFixtures, type FaultyStore } from './support/faulty-stores.js';
import { STEP_MS, newUser, totpHarness } from './support/totp.js';

/**
 * Denial of service: a store that stops answering (a stalled Redis or PostgreSQL connection, which driver defaults
 * wait on forever) cannot hang a login. After `storeTimeoutMs` every call fails as `store_unavailable`, a late answer
 * or failure is swallowed, and the same client works again once the store answers. No assertion is timed: a call
 * that hung would fail the test by its own timeout.
 */

/** A custom store (as an app may write one) that stops answering on demand; late answers fail after `lateMs`. */
function stallableStore(lateMs: number) {
  const inner = new MemoryMfaStore();
  let stalled = false;
  const store = new Proxy(inner, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver) as unknown;
      if (typeof value !== 'function' || name === 'constructor') return value;
      return (...args: unknown[]) => {
        if (!stalled) return (value as (...a: unknown[]) => unknown).apply(target, args);
        return new Promise((_, reject) => setTimeout(() => reject(new Error('late failure nobody waits for')), lateMs));
      };
    },
  }) as MfaStore;
  return { store, stall: (on: boolean) => void (stalled = on) };
}

/** Settles a promise within `withinMs`, or reports that it is still pending. */
function settledWithin<T>(promise: Promise<T>, withinMs: number) {
  return Promise.race([
    promise.then(
      (value) => ({ state: 'passed' as const, value }),
      (error: unknown) => ({ state: 'failed' as const, error }),
    ),
    new Promise<{ state: 'pending' }>((resolve) => setTimeout(() => resolve({ state: 'pending' }), withinMs)),
  ]);
}

describe('a store that stops answering', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => void unhandled.push(reason);
  beforeAll(() => void process.on('unhandledRejection', onUnhandled));
  afterAll(() => void process.off('unhandledRejection', onUnhandled));

  it('denial of service: every call fails as store_unavailable after storeTimeoutMs, and late failures are swallowed', async () => {
    const { store, stall } = stallableStore(400);
    const { client, authenticator, enroll } = totpHarness(store, { storeTimeoutMs: 150 });
    const user = newUser();
    const { secret, recoveryCodes } = await enroll(user);
    const { deviceToken } = await client.verifySecondFactor(user, authenticator.code(secret), {
      trustDevice: { label: 'Firefox' },
    });
    const [device] = await client.listTrustedDevices(user);
    stall(true);
    const calls: Record<string, Promise<unknown>> = {
      getStatus: client.getStatus(user),
      needsSecondFactor: client.needsSecondFactor(user),
      'needsSecondFactor (device token)': client.needsSecondFactor(user, { deviceToken }),
      verifySecondFactor: client.verifySecondFactor(user, authenticator.code(secret)),
      'verifySecondFactor (recovery code)': client.verifySecondFactor(user, recoveryCodes[0]!),
      disable: client.disable(user, { code: 'AAAA-BBBB-CCCC' }),
      listTrustedDevices: client.listTrustedDevices(user),
      revokeTrustedDevice: client.revokeTrustedDevice(user, device!.id),
      revokeTrustedDevices: client.revokeTrustedDevices(user),
    };
    for (const [name, call] of Object.entries(calls)) {
      const outcome = await settledWithin(call, 5_000);
      expect(outcome.state, name).toBe('failed');
      const { error } = outcome as { error: unknown };
      expect(error, name).toBeInstanceOf(MfaProviderError);
      expect(error, name).toMatchObject({ type: 'store_unavailable', retryable: true, status: 502 });
      expect((error as Error).message).toBe('The MFA store (memory) did not answer within 150 ms');
    }
    // The store's late failures arrive after the calls gave up: nobody waits for them, nothing goes unhandled.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(unhandled).toEqual([]);
    stall(false);
    expect(await client.getStatus(user)).toEqual({ enabled: true, method: 'softwareToken' });
  });

  it('storeTimeoutMs: 0 turns the bound off: the call waits for the store', async () => {
    const { store, stall } = stallableStore(1_500);
    const { client } = totpHarness(store, { storeTimeoutMs: 0 });
    stall(true);
    const call = client.getStatus(newUser());
    expect((await settledWithin(call, 400)).state).toBe('pending');
    await expect(call).rejects.toMatchObject({ type: 'store_unavailable' });
    expect(unhandled).toEqual([]);
  });
});

for (const fixture of (await faultyStoreFixtures()).filter((candidate) => candidate.name === 'redis')) {
  describe.skipIf(!fixture.available)('Redis with ioredis defaults, stalled mid-login', () => {
    let faulty: FaultyStore;
    beforeAll(async () => {
      faulty = await fixture.open();
    });
    afterAll(() => faulty?.close());
    afterEach(() => faulty.proxy.restore());

    it('denial of service: the login fails after storeTimeoutMs instead of hanging, and the same client recovers', async () => {
      // ioredis defaults: no command timeout, so a stalled connection would hold the login for as long as it lasts.
      const { store, disconnect } = faulty.redisStoreWith!({});
      try {
        const { client, authenticator, clock, enroll } = totpHarness(store, { storeTimeoutMs: 300 });
        const user = newUser();
        const { secret } = await enroll(user);
        clock.advance(STEP_MS);
        faulty.proxy.stall();
        const outcome = await settledWithin(client.verifySecondFactor(user, authenticator.code(secret)), 10_000);
        expect(outcome.state).toBe('failed');
        expect((outcome as { error: unknown }).error).toMatchObject({ type: 'store_unavailable' });
        faulty.proxy.restore();
        clock.advance(STEP_MS);
        expect(await client.verifySecondFactor(user, authenticator.code(secret))).toMatchObject({ verified: true });
      } finally {
        disconnect();
      }
    });
  });
}
