import { expect, it } from 'vitest';
import { MfaInvalidCodeError } from '../src/index.js';
import { describeEachStore } from './support/stores.js';
import { STEP_MS, newUser, totpHarness, wrongCode } from './support/totp.js';

// What an app and its support staff see of the lockout: attempts left on every refusal, a `locked` event exactly
// when a lock starts (never after a success reset the count), `unlock`, and the audited `adminReset`.
await describeEachStore('lockout events and support tools on the %s store', (open) => {
  it('attemptsRemaining counts down per client and is in toJSON; another client keeps its own budget', async () => {
    const { client, authenticator, enroll } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const error = (await client
        .verifySecondFactor(user, wrongCode(authenticator.code(secret)), { clientKey: 'phone' })
        .catch((e: unknown) => e)) as MfaInvalidCodeError;
      seen.push(error.attemptsRemaining!);
      expect(error.toJSON()).toEqual({
        error: expect.any(String),
        code: 'invalid_code',
        reason: 'mismatch',
        attemptsRemaining: error.attemptsRemaining,
      });
    }
    expect(seen).toEqual([4, 3, 2, 1]);
    const other = await client
      .verifySecondFactor(user, wrongCode(authenticator.code(secret)), { clientKey: 'laptop' })
      .catch((e: unknown) => e);
    expect(other, 'the per-user ceiling (20) is far').toMatchObject({ attemptsRemaining: 4 });
    expect(JSON.stringify(other)).not.toContain('laptop');
  });

  it('locked is emitted once, when the failure that reaches the limit is counted, and not after a success', async () => {
    const { client, authenticator, clock, enroll, events } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    const locks = () => events.filter((e) => e.type === 'locked');
    for (let i = 0; i < 4; i++)
      await client.verifySecondFactor(user, wrongCode(authenticator.code(secret))).catch(() => {});
    expect(locks()).toHaveLength(0);
    await client.verifySecondFactor(user, authenticator.code(secret)); // a success clears the count
    clock.advance(STEP_MS);
    await client.verifySecondFactor(user, wrongCode(authenticator.code(secret))).catch(() => {});
    expect(locks(), 'one failure after a success is not a lock').toHaveLength(0);
    for (let i = 0; i < 4; i++)
      await client.verifySecondFactor(user, wrongCode(authenticator.code(secret))).catch(() => {});
    expect(locks()).toHaveLength(1);
    expect(locks()[0]).toMatchObject({ userId: user.id, retryAfterMs: expect.any(Number) });
    for (let i = 0; i < 3; i++) await client.verifySecondFactor(user, authenticator.code(secret)).catch(() => {});
    expect(locks(), 'refusals while locked start no new lock').toHaveLength(1);
  });

  it('unlock clears the counters on every server (the store is the authority) and emits unlocked', async () => {
    const here = totpHarness(open.store, { maxAttempts: 2 });
    const there = totpHarness(open.peer, { maxAttempts: 2 }, here.clock);
    const user = newUser();
    const { secret } = await here.enroll(user);
    for (let i = 0; i < 2; i++) await here.client.verifySecondFactor(user, '000000').catch(() => {});
    await expect(here.client.verifySecondFactor(user, here.authenticator.code(secret))).rejects.toMatchObject({
      code: 'rate_limited',
    });
    await there.client.unlock(user);
    expect(there.events.at(-1)).toEqual({ type: 'unlocked', userId: user.id, at: expect.any(Date) });
    await expect(
      here.client.verifySecondFactor(user, here.authenticator.code(secret)),
      'the server that knew the lock asks the store again',
    ).resolves.toMatchObject({ verified: true });
  });

  it('adminReset turns MFA off without a factor, clears the counters, and audits actor and reason', async () => {
    const { client, authenticator, enroll, events } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    for (let i = 0; i < 5; i++) await client.verifySecondFactor(user, '000000').catch(() => {});
    expect(await client.adminReset(user, { actor: 'support:ann', reason: 'ticket 4711: lost phone' })).toEqual({
      enabled: false,
    });
    expect(events.at(-1)).toEqual({
      type: 'admin_reset',
      userId: user.id,
      at: expect.any(Date),
      actor: 'support:ann',
      reason: 'ticket 4711: lost phone',
    });
    expect(await open.store.load({ userId: user.id })).toEqual({ factor: null, pending: null, recoveryCodes: 0 });
    // Enrolling again works at once: no counter of the old factor is left over.
    const again = await enroll(user);
    await expect(client.verifySecondFactor(user, authenticator.code(again.secret))).resolves.toMatchObject({
      verified: true,
    });
    void secret;
  });

  it('adminReset needs a non-blank actor and reason', async () => {
    const { client } = totpHarness(open.store);
    for (const options of [{}, { actor: 'a' }, { actor: ' ', reason: 'r' }, { actor: 'a', reason: 'x'.repeat(501) }])
      await expect(client.adminReset(newUser(), options as never)).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('a locked user can still disable MFA with a recovery code and enrol again (the setup has its own budget)', async () => {
    const { client, authenticator, clock, enroll } = totpHarness(open.store);
    const user = newUser();
    const { secret, recoveryCodes } = await enroll(user);
    for (let i = 0; i < 5; i++) await client.verifySecondFactor(user, '000000').catch(() => {});
    await expect(client.disable(user, { code: authenticator.code(secret) })).rejects.toMatchObject({
      code: 'rate_limited',
    });
    await client.disable(user, { code: recoveryCodes[0]! });
    clock.advance(STEP_MS);
    await expect(enroll(user)).resolves.toMatchObject({ recoveryCodes: expect.any(Array) });
  });
});
