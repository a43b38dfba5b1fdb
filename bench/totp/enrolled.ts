import { randomBytes } from 'node:crypto';
import { generateSync } from 'otplib';
import { MfaClient } from 'saasus-mfa';
import { type MfaStore, TotpMfaProvider } from 'saasus-mfa/totp';

export const PERIOD_MS = 30_000;
/** A fixed start, on a step boundary, so every run sees the same steps. */
export const START_MS = 1_750_000_020_000;

/** One AES key for a whole run: the stores hold only secrets sealed with it. */
export const BENCH_KEY = randomBytes(32).toString('base64');

/**
 * A user with an enabled authenticator, and their own clock. Replay protection refuses a time step twice, so every
 * verify of the benchmark moves this user's clock one step (30 s) on and types that step's code: each one is
 * accepted, with the real replay check and attempt counting in the path.
 */
export interface EnrolledUser {
  id: string;
  secret: string;
  mfa: MfaClient;
  provider: TotpMfaProvider;
  /** Epoch ms the provider's clock reads. */
  clock: { at: number };
  /** Moves the clock one step on and answers that step's code. */
  nextCode(): string;
  recoveryCodes: string[];
  /**
   * The same user through another server's client (same store, key and clock) that keeps no factor cache: every
   * verify there is a cold one, as the first verify of a user on a server is.
   */
  coldMfa: MfaClient;
}

export async function enrollUser(store: MfaStore, id: string): Promise<EnrolledUser> {
  const clock = { at: START_MS };
  const options = { store, encryptionKey: BENCH_KEY, now: () => new Date(clock.at), env: {} };
  const provider = new TotpMfaProvider(options);
  const coldMfa = new MfaClient({ provider: new TotpMfaProvider({ ...options, factorCacheSize: 0 }), issuer: 'Bench' });
  const mfa = new MfaClient({ provider, issuer: 'Bench' });
  const user = { id };
  const { secret } = await provider.createSecret(user);
  const codeAt = (ms: number) => generateSync({ secret, epoch: Math.floor(ms / 1000) });
  await mfa.verify(user, codeAt(clock.at));
  const { recoveryCodes = [] } = await mfa.enable(user);
  return {
    id,
    secret,
    mfa,
    provider,
    clock,
    recoveryCodes,
    coldMfa,
    nextCode() {
      clock.at += PERIOD_MS;
      return codeAt(clock.at);
    },
  };
}
