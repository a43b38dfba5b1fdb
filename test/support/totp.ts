import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { MfaClient, type MfaUser } from '../../src/index.js';
import { createFakeAuthenticator, createFixedClock } from '../../src/testing/index.js';
import { TotpMfaProvider, type MfaEvent, type MfaStore, type TotpMfaProviderOptions } from '../../src/totp/index.js';

/** A fixed 32-byte test key (base64). Never use a published key in an app. */
export const TEST_KEY = Buffer.alloc(32, 7).toString('base64');
export const START = Date.UTC(2025, 0, 2, 15, 4, 10);
export const STEP_MS = 30_000;

export const newUser = (): MfaUser => ({ id: `u-${randomUUID()}`, email: 'ada@example.com' });

/**
 * A self-hosted MFA client on a given store, with a fixed clock (no test waits for a TOTP step), an authenticator
 * reading that clock, and the audit events collected. Two harnesses on the same store (or two handles on it)
 * stand for two app servers.
 */
export function totpHarness(
  store: MfaStore,
  options: Partial<TotpMfaProviderOptions> = {},
  clock = createFixedClock(START),
) {
  const events: MfaEvent[] = [];
  const provider = new TotpMfaProvider({
    store,
    encryptionKey: TEST_KEY,
    now: clock.now,
    onEvent: (event) => void events.push(event),
    ...options,
  });
  const client = new MfaClient({ provider, issuer: 'Acme' });
  const authenticator = createFakeAuthenticator(clock);

  /** Setup, verify, enable: returns the secret and the recovery codes. Leaves the clock one step later. */
  async function enroll(user: MfaUser) {
    const setup = await client.createSetup(user);
    await client.verify(user, authenticator.code(setup.secret));
    const { recoveryCodes } = await client.enable(user);
    clock.advance(STEP_MS);
    return { secret: setup.secret, recoveryCodes: recoveryCodes ?? [] };
  }

  return { clock, events, provider, client, authenticator, enroll };
}

/** A code for the secret that is wrong now (and in the ±1 window): the correct one with its last digit changed. */
export function wrongCode(correct: string): string {
  return correct.slice(0, 5) + String((Number(correct[5]) + 5) % 10);
}

/** Settles every promise and sorts the outcomes into successes and error codes/reasons. */
export async function outcomes(promises: Promise<unknown>[]) {
  const settled = await Promise.allSettled(promises);
  const fulfilled = settled.filter((s) => s.status === 'fulfilled').length;
  const rejected = settled.flatMap((s) =>
    s.status === 'rejected' ? [s.reason as { code?: string; reason?: string; name?: string }] : [],
  );
  for (const error of rejected) expect(error.name, 'every failure is a typed MfaError').toMatch(/^Mfa/);
  return { fulfilled, rejected: rejected.map((e) => (e.reason ? `${e.code}:${e.reason}` : e.code)) };
}
