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
    const { first, servers } = twoServers({ maxRecoveryCodeAttempts: 100 });
    const user = newUser();
    const { recoveryCodes } = await first.enroll(user);
    const result = await outcomes(
      Array.from({ length: 50 }, (_, i) => servers[i % 2]!.client.verifySecondFactor(user, recoveryCodes[0]!)),
    );
    expect(result.fulfilled).toBe(1);
    expect(result.rejected).toEqual(Array(49).fill('invalid_code:mismatch'));
    expect((await open.store.load({ userId: user.id })).recoveryCodes).toBe(9);
  });

  it('brute force: 20 simultaneous wrong TOTP codes and 20 wrong recovery codes over both servers: 5 and 10 checked, each counter exact in the store', async () => {
    const { first, servers } = twoServers();
    const user = newUser();
    const { secret } = await first.enroll(user);
    const wrong = wrongCode(first.authenticator.code(secret));
    const totp = outcomes(Array.from({ length: 20 }, (_, i) => servers[i % 2]!.client.verifySecondFactor(user, wrong)));
    const recovery = outcomes(
      Array.from({ length: 20 }, (_, i) => servers[i % 2]!.client.verifySecondFactor(user, 'AAAA-BBBB-CCCC')),
    );
    for (const [result, checked] of [
      [await totp, 5],
      [await recovery, 10],
    ] as const) {
      expect(result.fulfilled).toBe(0);
      expect(result.rejected.filter((r) => r === 'invalid_code:mismatch')).toHaveLength(checked);
      expect(result.rejected.filter((r) => r === 'rate_limited')).toHaveLength(20 - checked);
    }
    // Read back from the store itself, with an operation that changes nothing (a secret id no record has, no step).
    const probe = await open.peer.attemptAndClaim({
      userId: user.id,
      target: 'factor',
      secretId: 'nothing-has-this-id',
      step: null,
      budget: {
        now: first.clock.nowMs(),
        windowMs: 15 * 60_000,
        limits: [
          { bucket: 'code', max: 1000 },
          { bucket: 'recovery', max: 1000 },
        ],
      },
    });
    expect(probe).toMatchObject({ outcome: 'stale', attempts: [{ count: 5 }, { count: 10 }] });
  });
});
