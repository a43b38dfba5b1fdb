import { expect, it } from 'vitest';
import { describeEachStore } from './support/stores.js';
import { STEP_MS, newUser, outcomes, totpHarness } from './support/totp.js';

// A user's own double click or a client's retry resends a code that was just accepted. That is not a guess: it is
// refused as `replayed` and never counted, so it cannot lock the user out (it once locked after 5 resubmissions).
await describeEachStore('double submit on the %s store', (open) => {
  it('double submit: 20 sequential resubmissions of an accepted code are all replayed, none counted, and the next step works', async () => {
    const { client, authenticator, clock, enroll, events } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    const code = authenticator.code(secret);
    await client.verifySecondFactor(user, code, { clientKey: 'laptop' });
    for (let i = 0; i < 20; i++)
      await expect(client.verifySecondFactor(user, code, { clientKey: 'laptop' })).rejects.toMatchObject({
        code: 'invalid_code',
        reason: 'replayed',
        attemptsRemaining: 5,
      });
    expect(events.filter((e) => e.type === 'locked')).toEqual([]);
    clock.advance(STEP_MS);
    await expect(
      client.verifySecondFactor(user, authenticator.code(secret), { clientKey: 'laptop' }),
    ).resolves.toMatchObject({
      verified: true,
    });
  });

  it('double submit: 20 concurrent submissions of one code over two servers: one success, 19 replayed, and the next step works', async () => {
    const first = totpHarness(open.store);
    const second = totpHarness(open.peer, {}, first.clock);
    const user = newUser();
    const { secret } = await first.enroll(user);
    await first.client.verifySecondFactor(user, first.authenticator.code(secret)); // both servers warm and cold
    first.clock.advance(STEP_MS);
    const code = first.authenticator.code(secret);
    const result = await outcomes(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? first : second).client.verifySecondFactor(user, code)),
    );
    expect(result.fulfilled).toBe(1);
    expect(result.rejected).toEqual(Array(19).fill('invalid_code:replayed'));
    // And 20 more after the success, concurrently: still replayed, still not counted.
    const again = await outcomes(Array.from({ length: 20 }, () => first.client.verifySecondFactor(user, code)));
    expect(again.rejected).toEqual(Array(20).fill('invalid_code:replayed'));
    first.clock.advance(STEP_MS);
    await expect(second.client.verifySecondFactor(user, first.authenticator.code(secret))).resolves.toMatchObject({
      verified: true,
    });
    expect([...first.events, ...second.events].filter((e) => e.type === 'locked')).toEqual([]);
  });

  it('double submit: a resubmitted setup confirmation is replayed and does not use the setup budget', async () => {
    const { client, authenticator } = totpHarness(open.store, { maxAttempts: 2 });
    const user = newUser();
    const setup = await client.createSetup(user);
    const code = authenticator.code(setup.secret);
    await client.verify(user, code);
    for (let i = 0; i < 20; i++) await expect(client.verify(user, code)).rejects.toMatchObject({ reason: 'replayed' });
    await expect(client.enable(user)).resolves.toMatchObject({ enabled: true });
  });
});
