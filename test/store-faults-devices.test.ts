import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MfaProviderError } from '../src/index.js';
import { asksForCode, trustBrowser } from './support/devices.js';
import { faultyStoreFixtures, type FaultyStore, type OperationMarkers } from './support/faulty-stores.js';
import { STEP_MS, newUser, totpHarness } from './support/totp.js';

// Store faults around trusted devices: Redis or PostgreSQL cut at the device operation itself (a proxy of the
// test's own between the driver and the service). Whatever happens: a login check that cannot be confirmed is an
// error, never "skip the code"; a device the caller was not told about never comes with a token; a revoke whose
// answer was lost is still a revoke.

for (const fixture of await faultyStoreFixtures()) {
  describe.skipIf(!fixture.available)(`trusted-device store faults on ${fixture.name}`, () => {
    let faulty: FaultyStore;
    beforeAll(async () => {
      faulty = await fixture.open();
    });
    afterAll(async () => {
      await faulty?.close();
    });
    afterEach(() => faulty.proxy.restore());

    /** Arms a cut on the next request of `operation`, runs the call: it fails as store_unavailable, at that request. */
    async function cutDuring(
      when: 'before' | 'after-reply',
      operation: keyof OperationMarkers,
      run: () => Promise<unknown>,
    ) {
      const marker = faulty.markers[operation];
      let fired = false;
      void (when === 'before' ? faulty.proxy.cutBefore(marker) : faulty.proxy.cutAfterReply(marker)).then(() => {
        fired = true;
      });
      const outcome = await run().then(
        (value: unknown) => ({ passed: value }),
        (error: unknown) => ({ error }),
      );
      expect(outcome, 'a store fault never passes').not.toHaveProperty('passed');
      const { error } = outcome as { error: unknown };
      expect(error).toBeInstanceOf(MfaProviderError);
      expect(error).toMatchObject({ type: 'store_unavailable', retryable: true, status: 502 });
      expect((error as Error).message).toMatch(/^The MFA store \((redis|postgres)\) failed \(\w+\)$/);
      expect(fired, `the cut hit the ${operation} request`).toBe(true);
    }

    async function trusted() {
      const harness = totpHarness(faulty.store);
      const user = newUser();
      const { secret } = await harness.enroll(user);
      const token = await trustBrowser(harness, user, secret);
      // Every device operation once through the proxy, so the Redis client sends the script by its SHA (the marker)
      // rather than whole, as it does on its first call.
      await asksForCode(harness, user, token);
      await harness.client.revokeTrustedDevice(user, 'no-such-device');
      return { harness, user, secret, token };
    }

    it.each(['before', 'after-reply'] as const)(
      'a login check cut %s useTrustedDevice is store_unavailable, never "skip the code"; then it counts again',
      async (when) => {
        const { harness, user, token } = await trusted();
        await cutDuring(when, 'useTrustedDevice', () => asksForCode(harness, user, token));
        expect(await asksForCode(harness, user, token)).toBe(false);
      },
    );

    it('trust cut before the store saw it: no token, no device, and the code is used (the next one trusts)', async () => {
      const { harness, user, secret } = await trusted();
      const code = harness.authenticator.code(secret);
      await cutDuring('before', 'trustDevice', () =>
        harness.client.verifySecondFactor(user, code, { trustDevice: { label: 'Phone' } }),
      );
      expect((await faulty.direct.listTrustedDevices({ userId: user.id, now: harness.clock.nowMs() })).length).toBe(1);
      await expect(harness.client.verifySecondFactor(user, code)).rejects.toMatchObject({ reason: 'replayed' });
      harness.clock.advance(STEP_MS);
      expect(await asksForCode(harness, user, await trustBrowser(harness, user, secret, 'Phone'))).toBe(false);
    });

    it('trust cut after the store stored it: the caller got no token, so the stored device is one nobody holds', async () => {
      const { harness, user, secret } = await trusted();
      await cutDuring('after-reply', 'trustDevice', () =>
        harness.client.verifySecondFactor(user, harness.authenticator.code(secret), {
          trustDevice: { label: 'Phone' },
        }),
      );
      const listed = await harness.client.listTrustedDevices(user);
      expect(listed.map((d) => d.label)).toEqual(['Firefox on macOS', 'Phone']);
      // The user can see it and revoke it; it expires on its own otherwise.
      expect(await harness.client.revokeTrustedDevice(user, listed[1]!.id)).toBe(true);
    });

    it('revoke cut after the store removed the device: the call fails, the device stays revoked, and a retry answers false', async () => {
      const { harness, user, token } = await trusted();
      const [device] = await harness.client.listTrustedDevices(user);
      await cutDuring('after-reply', 'revokeTrustedDevice', () => harness.client.revokeTrustedDevice(user, device!.id));
      expect(await asksForCode(harness, user, token)).toBe(true);
      expect(await harness.client.revokeTrustedDevice(user, device!.id)).toBe(false);
    });

    it('revoke cut before the store saw it: the device still counts, and the retry revokes it', async () => {
      const { harness, user, token } = await trusted();
      const [device] = await harness.client.listTrustedDevices(user);
      await cutDuring('before', 'revokeTrustedDevice', () => harness.client.revokeTrustedDevice(user, device!.id));
      expect(await asksForCode(harness, user, token)).toBe(false);
      expect(await harness.client.revokeTrustedDevice(user, device!.id)).toBe(true);
      expect(await asksForCode(harness, user, token)).toBe(true);
    });
  });
}
