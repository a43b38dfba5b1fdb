import { expect, it } from 'vitest';
import { EXPIRED_SETUP_GRACE_MS, MemoryMfaStore } from '../src/totp/index.js';
import { budget, enabledUser, peek } from './support/store-contract.js';
import { NOW, WINDOW, newUser, pending } from './support/store-records.js';

// The memory store keeps every user in one Map. A probe of an unknown user leaves an empty record and an abandoned
// setup stays until swept, so without a sweep a process that sees many users (or an attacker trying random ids)
// grows without bound. The sweep runs on a write once 1,024 users are held (then at twice what it kept) and drops
// what can no longer matter; what still decides an answer must survive it.

const DAY = 24 * 60 * 60 * 1000;
/** How many users the store holds: the bound this file is about (a private field, read, never changed). */
const usersHeld = (store: MemoryMfaStore) => (store as unknown as { users: Map<string, unknown> }).users.size;

/** A probe of an unknown user: a claim that is stale, as a login attempt for a user without MFA is. */
const probe = (store: MemoryMfaStore, now: number) =>
  store.attemptAndClaim({
    userId: newUser(),
    target: 'factor',
    secretId: 'none',
    step: 1,
    budget: budget(undefined, now),
  });

/** The writes a stranger can cause without an account of their own: each one must be able to sweep. */
const triggers = {
  'a setup saved': (store: MemoryMfaStore) => store.savePending({ userId: newUser(), pending: pending() }),
  'a code tried for an unknown user': (store: MemoryMfaStore) => probe(store, NOW),
  'a recovery code tried for an unknown user': (store: MemoryMfaStore) =>
    store.useRecoveryCode({ userId: newUser(), candidateHashes: ['h'], budget: budget([['recovery', 5]], NOW) }),
};

it.each(Object.entries(triggers))(
  'memory exhaustion: on %s, probes of unknown users and long-abandoned setups are swept; a factor, a live device, a live lock window and a setup within its grace survive',
  async (_name, trigger) => {
    const store = new MemoryMfaStore();
    const long = NOW - 3 * DAY;

    // What must survive a sweep at NOW.
    const enabled = await enabledUser(store);
    const device = {
      id: '00000000-0000-4000-8000-000000000001',
      tokenHash: 'k1.live-device',
      secretId: enabled.secretId,
      label: 'Firefox',
      createdAt: NOW - DAY,
      lastUsedAt: NOW - DAY,
      expiresAt: NOW + DAY,
    };
    await store.trustDevice({ userId: enabled.user, device, maxDevices: 5, now: NOW - DAY });
    const withinGrace = newUser();
    const lateSetup = pending({ createdAt: NOW - EXPIRED_SETUP_GRACE_MS, expiresAt: NOW - 1 });
    await store.savePending({ userId: withinGrace, pending: lateSetup });
    // A setup long gone, but failures counted in a window that is still open at NOW: the lock window must stay.
    const counted = newUser();
    const oldSetup = pending({ createdAt: long, expiresAt: long + 600_000 });
    await store.savePending({ userId: counted, pending: oldSetup });
    const failure = budget([['setup', 1_000]], NOW - 60_000);
    for (let i = 0; i < 3; i++)
      await store.attemptAndClaim({
        userId: counted,
        target: 'pending',
        secretId: oldSetup.secretId,
        step: null,
        budget: failure,
      });

    // A factor alone (no recovery codes left, no device): still a user with MFA on.
    const bare = await enabledUser(store, []);

    // What can no longer matter at NOW: abandoned setups long past their grace, failures whose window ended long ago,
    // and empty records left by probes.
    const ended = newUser();
    const endedSetup = pending({ createdAt: long, expiresAt: long + 600_000 });
    await store.savePending({ userId: ended, pending: endedSetup });
    await store.attemptAndClaim({
      userId: ended,
      target: 'pending',
      secretId: endedSetup.secretId,
      step: null,
      budget: budget([['setup', 1_000]], long),
    });
    const abandoned: string[] = [];
    // Bounded loops: a sweep that ran on every write would never let the store reach 1,024 users.
    for (let i = 0; i < 2_000 && usersHeld(store) < 600; i++) {
      const user = newUser();
      abandoned.push(user);
      await store.savePending({ userId: user, pending: pending({ createdAt: long, expiresAt: long + 600_000 }) });
    }
    for (let i = 0; i < 2_000 && usersHeld(store) < 1_024; i++) await probe(store, long);
    expect(usersHeld(store), 'no sweep before 1,024 users').toBe(1_024);

    // The next write sweeps.
    await trigger(store);
    expect(usersHeld(store), 'the four kept and the writer').toBe(5);

    expect((await store.load({ userId: enabled.user })).factor).toMatchObject({ secretId: enabled.secretId });
    expect(
      await store.useTrustedDevice({ userId: enabled.user, candidateHashes: [device.tokenHash], now: NOW }),
    ).toMatchObject({
      outcome: 'trusted',
    });
    expect((await store.load({ userId: withinGrace })).pending).toEqual(lateSetup);
    expect((await store.load({ userId: counted })).pending, 'past its grace').toBeNull();
    expect(await peek(store, counted, ['setup'], NOW)).toEqual([
      { bucket: 'setup', count: 3, resetAt: NOW - 60_000 + WINDOW },
    ]);
    expect((await store.load({ userId: bare.user })).factor).toMatchObject({ secretId: bare.secretId });
    expect((await store.load({ userId: abandoned[0]! })).pending).toBeNull();

    // Amortised: the next sweep waits for 1,024 users again (twice what was kept, at least 1,024), not the next write.
    const heldBefore = usersHeld(store);
    for (let i = 0; i < 20; i++) await probe(store, NOW);
    expect(usersHeld(store)).toBe(heldBefore + 20);
  },
);
