import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MfaProviderError, type MfaUser } from '../src/index.js';
import { faultyStoreFixtures, type FaultyStore, type OperationMarkers } from './support/faulty-stores.js';
import { STEP_MS, newUser, totpHarness } from './support/totp.js';

// Store faults: Redis or PostgreSQL going away while a login is being checked. A proxy of the test's own sits between
// the driver and the real service (which other tests share and nothing here stops) and refuses, stalls or cuts at a
// chosen request. Whatever happens, the answer is a typed error, never "verified"; a code the store did use stays
// used; a code it never saw still works; and the same client object works again once the service is back.
//
// The drivers run with the timeouts the README asks for (support/faulty-stores.ts): they are what bounds a stall.
// No assertion is timed; a call that hung would fail the test by its timeout. MFA_FAULT_FIGURES=1 prints how long
// each failing call took.

const figures: { store: string; call: string; ms: number }[] = [];

for (const fixture of await faultyStoreFixtures()) {
  describe.skipIf(!fixture.available)(`store faults on ${fixture.name}`, () => {
    let faulty: FaultyStore;
    beforeAll(async () => {
      faulty = await fixture.open();
    });
    afterAll(async () => {
      await faulty?.close();
    });
    afterEach(() => faulty.proxy.restore());

    /** Settles the call and checks it failed the documented way: store_unavailable, retryable, 502, no driver cause. */
    async function storeUnavailable(call: string, promise: Promise<unknown>): Promise<void> {
      const started = performance.now();
      const outcome = await promise.then(
        (value: unknown) => ({ passed: value }),
        (error: unknown) => ({ error }),
      );
      figures.push({ store: fixture.name, call, ms: Math.round(performance.now() - started) });
      expect(outcome, `${call}: a store fault never passes`).not.toHaveProperty('passed');
      const { error } = outcome as { error: unknown };
      expect(error, call).toBeInstanceOf(MfaProviderError);
      expect(error, call).toMatchObject({
        code: 'provider_error',
        type: 'store_unavailable',
        retryable: true,
        status: 502,
      });
      expect(
        (error as Error).cause,
        `${call}: the driver error (which can quote arguments) is not attached`,
      ).toBeUndefined();
      // Nothing of the request (user id, code, hashes, script arguments) in the message: only the store and the error's kind.
      expect((error as Error).message).toMatch(/^The MFA store \((redis|postgres)\) failed \(\w+\)$/);
    }

    /** Arms a trap on the next request of `operation`, runs the call, and checks the fault hit that request. */
    async function cutDuring(
      when: 'before' | 'after-reply',
      operation: keyof OperationMarkers,
      call: string,
      run: () => Promise<unknown>,
    ) {
      const marker = faulty.markers[operation];
      let fired = false;
      void (when === 'before' ? faulty.proxy.cutBefore(marker) : faulty.proxy.cutAfterReply(marker)).then(() => {
        fired = true;
      });
      await storeUnavailable(`${call} (cut ${when === 'before' ? 'before' : 'after'} ${operation})`, run());
      expect(fired, `the cut hit the ${operation} request`).toBe(true);
    }

    /**
     * Users in every state, through the proxy while it still passes: enrolled (with its recovery codes), with a setup
     * waiting for its first code, with a confirmed setup waiting to be enabled, and without MFA.
     */
    async function scene() {
      const harness = totpHarness(faulty.store);
      const { client, authenticator } = harness;
      const enrolled = newUser();
      const { secret, recoveryCodes } = await harness.enroll(enrolled);
      const confirming = newUser();
      const setup = await client.createSetup(confirming);
      const enabling = newUser();
      const enablingSetup = await client.createSetup(enabling);
      await client.verify(enabling, authenticator.code(enablingSetup.secret));
      const fresh = newUser();
      return {
        ...harness,
        enrolled,
        confirming,
        enabling,
        fresh,
        recoveryCodes,
        /** The enrolled user's code now. */
        loginCode: () => authenticator.code(secret),
        /** The setup's code now. */
        setupCode: () => authenticator.code(setup.secret),
        /** The code of the setup that is being enabled, now (a step after its confirmation). */
        enablingCode: () => authenticator.codeAt(enablingSetup.secret, harness.clock.nowMs() + 30_000),
        /** The TOTP time step of "now", as the store records it. */
        step: () => Math.floor(harness.clock.nowMs() / STEP_MS),
        stored: (user: MfaUser) => faulty.direct.load({ userId: user.id }),
      };
    }

    it('store down (live connections cut, new ones refused): every operation fails with store_unavailable, and the same client works again when the store is back', async () => {
      const s = await scene();
      const { client } = s;
      const accepted = faulty.proxy.accepted;
      faulty.proxy.refuse();
      await storeUnavailable('getStatus', client.getStatus(s.fresh));
      await storeUnavailable('needsSecondFactor', client.needsSecondFactor(s.enrolled));
      await storeUnavailable('createSetup', client.createSetup(s.fresh));
      await storeUnavailable('verify (setup confirmation)', client.verify(s.confirming, s.setupCode()));
      await storeUnavailable('enable', client.enable(s.enabling));
      await storeUnavailable('verify (login)', client.verify(s.enrolled, s.loginCode()));
      await storeUnavailable('verifySecondFactor (TOTP)', client.verifySecondFactor(s.enrolled, s.loginCode()));
      await storeUnavailable(
        'verifySecondFactor (recovery code)',
        client.verifySecondFactor(s.enrolled, s.recoveryCodes[0]!),
      );
      await storeUnavailable(
        'regenerateRecoveryCodes',
        client.regenerateRecoveryCodes(s.enrolled, { code: s.recoveryCodes[5]! }),
      );
      await storeUnavailable('disable', client.disable(s.enrolled, { code: s.recoveryCodes[6]! }));

      faulty.proxy.restore();
      // The same client and provider, not new ones; nothing above reached the store, so nothing was used up.
      await expect(client.verifySecondFactor(s.enrolled, s.loginCode())).resolves.toMatchObject({
        verified: true,
        method: 'totp',
      });
      await expect(client.verifySecondFactor(s.enrolled, s.recoveryCodes[0]!)).resolves.toMatchObject({
        recoveryCodesRemaining: 9,
      });
      await expect(client.verify(s.confirming, s.setupCode())).resolves.toEqual({ verified: true });
      await expect(client.enable(s.enabling)).resolves.toMatchObject({ enabled: true });
      await expect(client.getStatus(s.fresh)).resolves.toEqual({ enabled: false, method: null });
      await expect(client.createSetup(s.fresh)).resolves.toHaveProperty('secret');
      await expect(client.disable(s.enrolled, { code: s.recoveryCodes[6]! })).resolves.toEqual({ enabled: false });
      expect(faulty.proxy.accepted, 'the driver reconnected by itself').toBeGreaterThan(accepted);
    });

    it('store stalled (connections open, no answer): every operation fails with store_unavailable within the client timeouts, none hangs, and the client recovers', async () => {
      const s = await scene();
      const { client } = s;
      const leaving = newUser();
      await s.enroll(leaving);
      faulty.proxy.stall();
      // All at once, as a busy app would send them; each ends by the driver's timeout.
      await Promise.all([
        storeUnavailable('getStatus (stalled)', client.getStatus(s.fresh)),
        storeUnavailable('createSetup (stalled)', client.createSetup(s.fresh)),
        storeUnavailable('verify setup (stalled)', client.verify(s.confirming, s.setupCode())),
        storeUnavailable('enable (stalled)', client.enable(s.enabling)),
        storeUnavailable('verify login (stalled)', client.verify(s.enrolled, s.loginCode())),
        storeUnavailable('verifySecondFactor TOTP (stalled)', client.verifySecondFactor(s.enrolled, s.loginCode())),
        storeUnavailable(
          'verifySecondFactor recovery (stalled)',
          client.verifySecondFactor(s.enrolled, s.recoveryCodes[0]!),
        ),
        storeUnavailable('disable (stalled)', client.disable(leaving, { code: 'AAAA-BBBB-CCCC' })),
      ]);

      faulty.proxy.restore();
      // Requests held in the stalled connection may still reach the store now (a real slow server does the same): an
      // error from a stalled store means "outcome unknown". Each TOTP call above stopped at its first store request
      // (the attempt count, or the read), so no code was used; the disable may have gone through. A recovery-code use
      // is ONE request, the use itself: held, it may reach the store now and use the code. Either way that code is
      // used exactly once, and the next one works.
      await expect(client.getStatus(s.fresh)).resolves.toEqual({ enabled: false, method: null });
      await expect(client.verifySecondFactor(s.enrolled, s.loginCode())).resolves.toMatchObject({
        verified: true,
        method: 'totp',
      });
      const again = await client.verifySecondFactor(s.enrolled, s.recoveryCodes[0]!).then(
        (result) => result.recoveryCodesRemaining,
        (error: { code?: string }) => error.code,
      );
      expect([9, 'invalid_code'], 'used here, or by the held request: once').toContain(again);
      expect((await s.stored(s.enrolled)).recoveryCodes).toBe(9);
      await expect(client.verifySecondFactor(s.enrolled, s.recoveryCodes[1]!)).resolves.toMatchObject({
        recoveryCodesRemaining: 8,
      });
      await expect(client.verify(s.confirming, s.setupCode())).resolves.toEqual({ verified: true });
      await expect(client.enable(s.enabling)).resolves.toMatchObject({ enabled: true });
    });

    describe('cut before the request reaches the store: the call fails and nothing is used up', () => {
      it.each(['verify', 'verifySecondFactor'] as const)(
        'login with %s: not verified, and the same code then works exactly once',
        async (method) => {
          const s = await scene();
          const code = s.loginCode();
          const before = (await s.stored(s.enrolled)).factor?.lastStep;
          await cutDuring('before', 'attemptAndClaim', `${method} (login)`, () => s.client[method](s.enrolled, code));
          expect((await s.stored(s.enrolled)).factor?.lastStep, 'no step was claimed').toBe(before);
          await expect(s.client[method](s.enrolled, code)).resolves.toMatchObject({ verified: true });
          await expect(s.client[method](s.enrolled, code)).rejects.toMatchObject({ reason: 'replayed' });
        },
      );

      it('recovery code: not accepted, and the code is still there to use', async () => {
        const s = await scene();
        await cutDuring('before', 'useRecoveryCode', 'verifySecondFactor (recovery code)', () =>
          s.client.verifySecondFactor(s.enrolled, s.recoveryCodes[0]!),
        );
        expect((await s.stored(s.enrolled)).recoveryCodes).toBe(10);
        await expect(s.client.verifySecondFactor(s.enrolled, s.recoveryCodes[0]!)).resolves.toMatchObject({
          method: 'recovery_code',
          recoveryCodesRemaining: 9,
        });
      });

      it('setup confirmation: the setup stays unconfirmed, and the same code then confirms it', async () => {
        const s = await scene();
        await cutDuring('before', 'attemptAndClaim', 'verify (setup)', () =>
          s.client.verify(s.confirming, s.setupCode()),
        );
        expect((await s.stored(s.confirming)).pending?.confirmed).toBe(false);
        await expect(s.client.enable(s.confirming)).rejects.toMatchObject({ code: 'not_verified' });
        await expect(s.client.verify(s.confirming, s.setupCode())).resolves.toEqual({ verified: true });
      });

      it('enable: MFA stays off, and enabling again works', async () => {
        const s = await scene();
        await cutDuring('before', 'activate', 'enable', () => s.client.enable(s.enabling));
        await expect(s.client.getStatus(s.enabling)).resolves.toEqual({ enabled: false, method: null });
        await expect(s.client.enable(s.enabling)).resolves.toMatchObject({
          enabled: true,
          recoveryCodes: expect.any(Array),
        });
      });

      it('disable: MFA stays on, and disabling again works', async () => {
        const s = await scene();
        const { stepUpToken } = await s.client.verifySecondFactor(s.enrolled, s.loginCode());
        await cutDuring('before', 'deleteFactor', 'disable', () => s.client.disable(s.enrolled, { stepUpToken }));
        await expect(s.client.getStatus(s.enrolled)).resolves.toEqual({ enabled: true, method: 'softwareToken' });
        await expect(s.client.disable(s.enrolled, { stepUpToken })).resolves.toEqual({ enabled: false });
      });

      it('createSetup and getStatus: fail, then work', async () => {
        const s = await scene();
        await cutDuring('before', 'savePending', 'createSetup', () => s.client.createSetup(s.fresh));
        expect((await s.stored(s.fresh)).pending).toBeNull();
        await expect(s.client.createSetup(s.fresh)).resolves.toHaveProperty('secret');
        await cutDuring('before', 'load', 'getStatus', () => s.client.getStatus(s.enrolled));
        await expect(s.client.getStatus(s.enrolled)).resolves.toEqual({ enabled: true, method: 'softwareToken' });
      });
    });

    describe('cut after the store did the work, before the answer came back: never a false "verified", never a second use', () => {
      it.each(['verify', 'verifySecondFactor'] as const)(
        'login with %s: not verified; the store kept the claim, so the code is refused as replayed, and the next one works',
        async (method) => {
          const s = await scene();
          const code = s.loginCode();
          await cutDuring('after-reply', 'attemptAndClaim', `${method} (login)`, () =>
            s.client[method](s.enrolled, code),
          );
          expect((await s.stored(s.enrolled)).factor?.lastStep, 'the store did claim the step').toBe(s.step());
          await expect(s.client[method](s.enrolled, code)).rejects.toMatchObject({
            code: 'invalid_code',
            reason: 'replayed',
          });
          s.clock.advance(STEP_MS);
          await expect(s.client[method](s.enrolled, s.loginCode())).resolves.toMatchObject({ verified: true });
        },
      );

      it('recovery code: not accepted; the store did use it up, so it stays used, and the other codes still work', async () => {
        const s = await scene();
        await cutDuring('after-reply', 'useRecoveryCode', 'verifySecondFactor (recovery code)', () =>
          s.client.verifySecondFactor(s.enrolled, s.recoveryCodes[0]!),
        );
        expect((await s.stored(s.enrolled)).recoveryCodes, 'consumed on the server').toBe(9);
        await expect(s.client.verifySecondFactor(s.enrolled, s.recoveryCodes[0]!)).rejects.toMatchObject({
          code: 'invalid_code',
        });
        await expect(s.client.verifySecondFactor(s.enrolled, s.recoveryCodes[1]!)).resolves.toMatchObject({
          recoveryCodesRemaining: 8,
        });
      });

      it('setup confirmation: the store confirmed the setup; the same code is refused as replayed, and enabling works', async () => {
        const s = await scene();
        const code = s.setupCode();
        await cutDuring('after-reply', 'attemptAndClaim', 'verify (setup)', () => s.client.verify(s.confirming, code));
        expect((await s.stored(s.confirming)).pending?.confirmed).toBe(true);
        await expect(s.client.verify(s.confirming, code)).rejects.toMatchObject({ reason: 'replayed' });
        await expect(s.client.enable(s.confirming)).resolves.toMatchObject({ enabled: true });
      });

      it('enable: MFA is on although the call failed; the recovery codes never shown are replaced by regenerating', async () => {
        const s = await scene();
        await cutDuring('after-reply', 'activate', 'enable', () => s.client.enable(s.enabling));
        await expect(s.client.getStatus(s.enabling)).resolves.toEqual({ enabled: true, method: 'softwareToken' });
        await expect(s.client.enable(s.enabling)).rejects.toMatchObject({ code: 'already_enabled' });
        // A recovery code it was never shown is no proof; a current code is.
        const { recoveryCodes } = await s.client.regenerateRecoveryCodes(s.enabling, { code: s.enablingCode() });
        await expect(s.client.verifySecondFactor(s.enabling, recoveryCodes[0]!)).resolves.toMatchObject({
          recoveryCodesRemaining: 9,
        });
      });

      it('disable: MFA is off although the call failed, and disabling again answers the same', async () => {
        const s = await scene();
        const { stepUpToken } = await s.client.verifySecondFactor(s.enrolled, s.loginCode());
        await cutDuring('after-reply', 'deleteFactor', 'disable', () => s.client.disable(s.enrolled, { stepUpToken }));
        await expect(s.client.getStatus(s.enrolled)).resolves.toEqual({ enabled: false, method: null });
        await expect(s.client.disable(s.enrolled, { stepUpToken })).resolves.toEqual({ enabled: false });
      });

      it('createSetup: the setup the user never saw is replaced by the next one', async () => {
        const s = await scene();
        await cutDuring('after-reply', 'savePending', 'createSetup', () => s.client.createSetup(s.fresh));
        const lost = (await s.stored(s.fresh)).pending?.secretId;
        expect(lost).toEqual(expect.any(String));
        const setup = await s.client.createSetup(s.fresh);
        expect((await s.stored(s.fresh)).pending?.secretId).not.toBe(lost);
        await expect(s.client.verify(s.fresh, s.authenticator.code(setup.secret))).resolves.toEqual({ verified: true });
      });
    });

    // pg never resends a query; ioredis does by default.
    if (fixture.name === 'redis')
      describe('with ioredis defaults, which resend a command a cut left unanswered once reconnected', () => {
        /** Arms a trap and tells afterwards whether it fired. */
        const armed = (trap: Promise<void>) => {
          let fired = false;
          void trap.then(() => {
            fired = true;
          });
          return () => fired;
        };

        it("the resent command gets the store's real answer: a claim or recovery code the store already used is refused, never a second success", async () => {
          const defaults = faulty.redisStoreWith!({});
          try {
            const { client, authenticator, clock, enroll } = totpHarness(defaults.store);
            const user = newUser();
            const { secret, recoveryCodes } = await enroll(user);
            const code = authenticator.code(secret);

            // The resent command answers what the store did (its first outcome, or a replay of it), never a second use.
            const settle = (call: Promise<unknown>) =>
              call.then(
                () => 'accepted',
                (error: { reason?: string; code?: string }) => error.reason ?? error.code,
              );
            let fired = armed(faulty.proxy.cutAfterReply(faulty.markers.attemptAndClaim));
            expect(['accepted', 'replayed']).toContain(await settle(client.verifySecondFactor(user, code)));
            expect(fired()).toBe(true);
            await expect(client.verifySecondFactor(user, code)).rejects.toMatchObject({ reason: 'replayed' });

            // One use first, so this client has sent the script once (a store may send a script whole until then).
            await client.verifySecondFactor(user, recoveryCodes[9]!);
            fired = armed(faulty.proxy.cutAfterReply(faulty.markers.useRecoveryCode));
            expect(['accepted', 'mismatch']).toContain(
              await settle(client.verifySecondFactor(user, recoveryCodes[0]!)),
            );
            expect(fired()).toBe(true);
            await expect(client.verifySecondFactor(user, recoveryCodes[0]!)).rejects.toMatchObject({
              reason: 'mismatch',
            });
            expect((await faulty.direct.load({ userId: user.id })).recoveryCodes, 'the first run used the code').toBe(
              8,
            );

            // Cut before the store saw it: the resent claim is the first, and the login passes, once.
            clock.advance(STEP_MS);
            const next = authenticator.code(secret);
            fired = armed(faulty.proxy.cutBefore(faulty.markers.attemptAndClaim));
            await expect(client.verifySecondFactor(user, next)).resolves.toMatchObject({
              verified: true,
              method: 'totp',
            });
            expect(fired()).toBe(true);
            await expect(client.verifySecondFactor(user, next)).rejects.toMatchObject({ reason: 'replayed' });
          } finally {
            defaults.disconnect();
          }
        });
      });
  });
}

afterAll(() => {
  if (process.env.MFA_FAULT_FIGURES !== '1') return;
  const lines = figures.map(({ store, call, ms }) => `  ${store.padEnd(9)} ${String(ms).padStart(5)} ms  ${call}`);
  process.stdout.write(`\nHow long each failing call took (no assertion on it):\n${lines.join('\n')}\n\n`);
});
