import { expect, it } from 'vitest';
import { describeEachStore } from './support/stores.js';
import { STEP_MS, newUser, outcomes, totpHarness, wrongCode } from './support/totp.js';

// Races through the public MfaClient, on two app servers sharing one store (memory: the same object; Redis: two
// connections; PostgreSQL: two pools). The single-server races are in totp-replay, totp-recovery-codes and
// totp-brute-force; these add the second server, the login paths apps actually call, and read the result back from
// the store rather than trusting what the callers were told.
await describeEachStore('concurrency on two servers sharing the %s store', (open) => {
  function twoServers(options = {}) {
    const first = totpHarness(open.store, options);
    const second = totpHarness(open.peer, options, first.clock);
    return { first, second, servers: [first, second] };
  }

  it('replay: 50 simultaneous logins with one valid code, over both servers and both login methods, succeed exactly once', async () => {
    const { first, servers } = twoServers({ maxAttempts: 100 });
    const user = newUser();
    const { secret } = await first.enroll(user);
    const code = first.authenticator.code(secret);
    const result = await outcomes(
      Array.from({ length: 50 }, (_, i) => {
        const { client } = servers[i % 2]!;
        return i % 4 < 2 ? client.verifySecondFactor(user, code) : client.verify(user, code);
      }),
    );
    expect(result.fulfilled).toBe(1);
    expect(result.rejected).toEqual(Array(49).fill('invalid_code:replayed'));
    expect((await open.store.load({ userId: user.id })).factor?.lastStep, 'the store holds the claimed step').toBe(
      Math.floor(first.clock.nowMs() / STEP_MS),
    );
  });

  it('replay: 50 simultaneous confirmations of one setup code over both servers succeed exactly once', async () => {
    const { first, servers } = twoServers({ maxAttempts: 100 });
    const user = newUser();
    const setup = await first.client.createSetup(user);
    const code = first.authenticator.code(setup.secret);
    const result = await outcomes(Array.from({ length: 50 }, (_, i) => servers[i % 2]!.client.verify(user, code)));
    expect(result.fulfilled).toBe(1);
    expect(result.rejected).toEqual(Array(49).fill('invalid_code:replayed'));
    expect((await open.peer.load({ userId: user.id })).pending?.confirmed).toBe(true);
  });

  it('recovery-code reuse: 50 simultaneous logins with one recovery code over both servers succeed exactly once, and the store lost exactly one code', async () => {
    const { first, servers } = twoServers({ maxAttempts: 100 });
    const user = newUser();
    const { recoveryCodes } = await first.enroll(user);
    const result = await outcomes(
      Array.from({ length: 50 }, (_, i) => servers[i % 2]!.client.verifySecondFactor(user, recoveryCodes[0]!)),
    );
    expect(result.fulfilled).toBe(1);
    expect(result.rejected).toEqual(Array(49).fill('invalid_code:mismatch'));
    expect((await open.store.load({ userId: user.id })).recoveryCodes).toBe(9);
  });

  it('brute force: 20 simultaneous wrong codes (TOTP and recovery guesses) over both servers leave the store counter at exactly 20, and only 5 were checked', async () => {
    const { first, servers } = twoServers();
    const user = newUser();
    const { secret } = await first.enroll(user);
    const wrong = wrongCode(first.authenticator.code(secret));
    const result = await outcomes(
      Array.from({ length: 20 }, (_, i) =>
        servers[i % 2]!.client.verifySecondFactor(user, i % 3 === 0 ? 'AAAA-BBBB-CCCC' : wrong),
      ),
    );
    expect(result.fulfilled).toBe(0);
    expect(result.rejected.filter((r) => r === 'invalid_code:mismatch')).toHaveLength(5);
    expect(result.rejected.filter((r) => r === 'rate_limited')).toHaveLength(15);
    // Read back from the store itself: the next attempt it counts is the 21st of the same window.
    const { attempts } = await open.peer.beginAttempt({
      userId: user.id,
      now: first.clock.nowMs(),
      windowMs: 15 * 60_000,
    });
    expect(attempts.count).toBe(21);
  });
});
