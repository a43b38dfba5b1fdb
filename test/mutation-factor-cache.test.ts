import { expect, it } from 'vitest';
import type { MfaUser } from '../src/index.js';
import { MemoryMfaStore, type AttemptClaim, type MfaStore } from '../src/totp/index.js';
import { otherOperationsOf } from './support/store-records.js';
import { STEP_MS, newUser, totpHarness, wrongCode } from './support/totp.js';

// The factor cache (factor-cache.ts) decides no answer, but it is what makes a warm verify ONE store round trip (the
// README's promise), so its bound and its least-recently-used order are observable as store calls: with
// `factorCacheSize` N, the N users whose verifies this server saw last are one round trip, the others two.

/** The real memory store, its `load` and `attemptAndClaim` calls recorded, with a hook before each. */
function recorded() {
  const base = new MemoryMfaStore();
  const calls: string[] = [];
  const hooks: {
    beforeLoad?: ((userId: string) => void) | undefined;
    beforeClaim?: ((claim: AttemptClaim) => Promise<void> | void) | undefined;
  } = {};
  const store: MfaStore = {
    name: 'recorded',
    load: async (query) => {
      calls.push('load');
      hooks.beforeLoad?.(query.userId);
      return base.load(query);
    },
    attemptAndClaim: async (claim) => {
      calls.push('attemptAndClaim');
      await hooks.beforeClaim?.(claim);
      return base.attemptAndClaim(claim);
    },
    ...otherOperationsOf(base),
  };
  return { store, calls, hooks };
}

/** A server with `factorCacheSize` set and `count` enrolled users; `login(user, code?)` answers its store calls. */
async function server(factorCacheSize: number, count: number) {
  const { store, calls, hooks } = recorded();
  const harness = totpHarness(store, { factorCacheSize });
  const users: MfaUser[] = [];
  const secrets = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const user = newUser();
    secrets.set(user.id, (await harness.enroll(user)).secret);
    users.push(user);
  }
  const codeOf = (user: MfaUser) => harness.authenticator.code(secrets.get(user.id)!);
  /** One login with the user's current code (or `typed`): the store calls it made, and 'ok' or the error code. */
  async function login(user: MfaUser, typed = codeOf(user)) {
    const before = calls.length;
    const outcome = await harness.client.verifySecondFactor(user, typed).then(
      () => 'ok',
      (error: { code?: string }) => error.code,
    );
    return { outcome, calls: calls.slice(before) };
  }
  return { ...harness, users, codeOf, login, hooks };
}

const WARM = { outcome: 'ok', calls: ['attemptAndClaim'] };
const COLD = { outcome: 'ok', calls: ['load', 'attemptAndClaim'] };

it('factorCacheSize 2: a user who just tried a code, even a wrong one, is kept over one who logged in before, when a third user logs in', async () => {
  const { users, login, codeOf, clock } = await server(2, 3);
  const [ada, bob, carol] = users as [MfaUser, MfaUser, MfaUser];
  expect(await login(ada)).toEqual(COLD);
  expect(await login(bob)).toEqual(COLD);
  clock.advance(STEP_MS);
  expect(await login(ada, wrongCode(codeOf(ada)))).toEqual({ outcome: 'invalid_code', calls: ['attemptAndClaim'] });
  expect(await login(carol)).toEqual(COLD);
  expect(await login(ada), 'ada, used after bob').toEqual(WARM);
  expect(await login(bob), 'bob, the least recently used').toEqual(COLD);
});

it('factorCacheSize 2 with two overlapping logins: the user whose login finished last is kept when a third user logs in', async () => {
  const { users, login, hooks, clock } = await server(2, 3);
  const [ada, bob, carol] = users as [MfaUser, MfaUser, MfaUser];
  await login(ada);
  await login(bob);
  clock.advance(STEP_MS);
  let reached!: () => void;
  let release!: () => void;
  const atClaim = new Promise<void>((resolve) => (reached = resolve));
  const held = new Promise<void>((resolve) => (release = resolve));
  hooks.beforeClaim = (claim) => {
    if (claim.userId !== ada.id) return;
    hooks.beforeClaim = undefined;
    reached();
    return held;
  };
  const adaLogin = login(ada);
  await atClaim;
  expect(await login(bob), 'bob, while ada waits for the store').toEqual(WARM);
  release();
  // (its recorded calls include bob's, made meanwhile)
  expect((await adaLogin).outcome).toBe('ok');
  expect(await login(carol)).toEqual(COLD);
  clock.advance(STEP_MS);
  expect(await login(ada), 'ada, whose login finished after bob').toEqual(WARM);
  expect(await login(bob)).toEqual(COLD);
});

it('factorCacheSize 1: logins whose store read failed take no room: the cache never keeps more users than its bound', async () => {
  const { users, login, codeOf, hooks, clock } = await server(1, 4);
  const [ada, bob, carol, dave] = users as [MfaUser, MfaUser, MfaUser, MfaUser];
  expect(await login(ada)).toEqual(COLD);
  hooks.beforeLoad = (userId) => {
    if (userId === bob.id) throw new Error('connection reset');
  };
  expect(await login(bob)).toEqual({ outcome: 'provider_error', calls: ['load'] });
  hooks.beforeLoad = undefined;
  clock.advance(STEP_MS);
  for (const user of [carol, dave])
    expect(await login(user, wrongCode(codeOf(user)))).toEqual({
      outcome: 'invalid_code',
      calls: ['load', 'attemptAndClaim'],
    });
  expect(await login(carol), 'carol, pushed out by dave').toEqual(COLD);
  expect(await login(ada)).toEqual(COLD);
});
