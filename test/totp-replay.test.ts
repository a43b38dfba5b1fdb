import { expect, it } from 'vitest';
import { describeEachStore } from './support/stores.js';
import { STEP_MS, newUser, outcomes, totpHarness } from './support/totp.js';

// Replay: a TOTP code stays valid for up to 90 s (±1 step); whoever sees it (shoulder, phishing proxy, logs) must not
// be able to use it again once it has been accepted: not later, not at the same moment, not on another server.
await describeEachStore('replay on the %s store', (open) => {
  it('replay: an accepted code is refused the second time, as "replayed"', async () => {
    const { client, authenticator, enroll } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    const code = authenticator.code(secret);
    await client.verifySecondFactor(user, code);
    await expect(client.verifySecondFactor(user, code)).rejects.toMatchObject({
      code: 'invalid_code',
      reason: 'replayed',
      status: 400,
    });
    await expect(client.verify(user, code)).rejects.toMatchObject({ reason: 'replayed' });
  });

  it('replay: once a code is accepted, the codes of earlier steps still inside the window are refused too', async () => {
    const { client, authenticator, clock, enroll } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    const previous = authenticator.codeAt(secret, clock.nowMs() - STEP_MS);
    await client.verifySecondFactor(user, authenticator.code(secret));
    await expect(client.verifySecondFactor(user, previous)).rejects.toMatchObject({ reason: 'replayed' });
    clock.advance(STEP_MS);
    await expect(
      client.verifySecondFactor(user, authenticator.code(secret)),
      'the next step works',
    ).resolves.toMatchObject({ verified: true });
  });

  it('replay: the code that confirmed the setup cannot be replayed as a login right after enabling', async () => {
    const { client, authenticator } = totpHarness(open.store);
    const user = newUser();
    const setup = await client.createSetup(user);
    const code = authenticator.code(setup.secret);
    await client.verify(user, code);
    await client.enable(user);
    await expect(client.verifySecondFactor(user, code)).rejects.toMatchObject({ reason: 'replayed' });
  });

  it('replay: 50 simultaneous verifications of one valid code succeed exactly once', async () => {
    const { client, authenticator, enroll } = totpHarness(open.store, { maxAttempts: 100 });
    const user = newUser();
    const { secret } = await enroll(user);
    const code = authenticator.code(secret);
    const result = await outcomes(Array.from({ length: 50 }, () => client.verifySecondFactor(user, code)));
    expect(result.fulfilled).toBe(1);
    expect(result.rejected).toEqual(Array(49).fill('invalid_code:replayed'));
  });

  it('replay: 50 simultaneous confirmations of one setup code succeed exactly once', async () => {
    const { client, authenticator } = totpHarness(open.store, { maxAttempts: 100 });
    const user = newUser();
    const setup = await client.createSetup(user);
    const code = authenticator.code(setup.secret);
    const result = await outcomes(Array.from({ length: 50 }, () => client.verify(user, code)));
    expect(result.fulfilled).toBe(1);
  });

  it('replay: a code used on one server is refused on another sharing the store, also when both race', async () => {
    const first = totpHarness(open.store, { maxAttempts: 100 });
    const second = totpHarness(open.peer, { maxAttempts: 100 }, first.clock);
    const user = newUser();
    const { secret } = await first.enroll(user);

    const code = first.authenticator.code(secret);
    await first.client.verifySecondFactor(user, code);
    await expect(second.client.verifySecondFactor(user, code)).rejects.toMatchObject({ reason: 'replayed' });

    first.clock.advance(STEP_MS);
    const next = first.authenticator.code(secret);
    const raced = await outcomes(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? first : second).client.verifySecondFactor(user, next)),
    );
    expect(raced.fulfilled).toBe(1);
  });

  it('replay protection never refuses a fresh code: one login per step for ten steps', async () => {
    const { client, authenticator, clock, enroll } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    for (let i = 0; i < 10; i++) {
      await expect(client.verifySecondFactor(user, authenticator.code(secret))).resolves.toMatchObject({
        verified: true,
      });
      clock.advance(STEP_MS);
    }
  });
});
