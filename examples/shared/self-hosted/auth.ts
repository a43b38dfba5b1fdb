import { randomUUID } from 'node:crypto';
import type { MfaClient, MfaUser } from 'saasus-mfa';
import { clientContext } from '../handlers/client-context.js';
import { UNKNOWN_BROWSER_LABEL } from '../handlers/device-label.js';
import { HttpError } from '../handlers/answer.js';
import type { AccountRef, AccountStore } from './accounts.js';
import { failingAsUnavailable } from './unavailable-accounts.js';
import { HashQueue, type HashQueueLimits } from './hash-queue.js';
import { KnownAddresses } from './known-addresses.js';
import { hashPassword, passwordMatches } from './passwords.js';
import { FixedWindowThrottle, type ThrottleLimit } from './throttle.js';
import { hashToken, newToken } from './tokens.js';

const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const CHALLENGE_TTL_MS = 5 * 60 * 1000;
const USERNAME = /^[A-Za-z0-9._@+-]{3,64}$/;
const MIN_PASSWORD = 8;
const MAX_PASSWORD = 256;

// Fixed answers: the same body whether the username is unknown or the password wrong, and no input echoed back.
const invalidRequest = (message: string) => new HttpError(400, 'invalid_request', message);
const invalidCredentials = () => new HttpError(401, 'invalid_credentials', 'The username or password is incorrect');
const invalidChallenge = () =>
  new HttpError(401, 'invalid_challenge', 'This sign-in has expired or was already completed; sign in again');
const unauthorized = () => new HttpError(401, 'unauthorized', 'Sign in first');

export type LoginAnswer = { token: string } | { mfaRequired: true; challenge: string };

/** POST /mfa/challenge's result; `deviceToken` goes into the trusted-browser cookie, never into the body. */
export interface ChallengeAnswer {
  token: string;
  recoveryCodesRemaining?: number;
  deviceToken?: string;
}

/** How long "Trust this browser" lasts, as the page says: 30 days (the SDK's default, set here so the two agree). */
export const TRUSTED_BROWSER_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** The password step's protections against floods; every field has a default. */
export interface LoginProtection {
  /** `/login` per client address. Default 10 a minute. */
  login?: ThrottleLimit;
  /** `/signup` per client address. Default 10 a minute. */
  signup?: ThrottleLimit;
  /** Password hashes at once and waiting (hash-queue.ts). Default 2 running, 16 waiting. */
  hashing?: Partial<HashQueueLimits>;
}

export const DEFAULT_LOGIN_LIMIT: ThrottleLimit = { limit: 10, windowMs: 60_000 };
export const DEFAULT_SIGNUP_LIMIT: ThrottleLimit = { limit: 10, windowMs: 60_000 };
/** The budget of requests whose adapter could not tell the client's address: one, shared. */
const UNKNOWN_ADDRESS = 'unknown';

export interface SelfHostedAuthOptions {
  protection?: LoginProtection;
  /** The same value as the provider's `trustedDeviceTtlMs`. Default `TRUSTED_BROWSER_TTL_MS`. */
  trustedDeviceTtlMs?: number;
}

/**
 * Sign-up, password login with the MFA challenge, sessions: what an app has before it adds MFA, kept small.
 * Every method takes the request body as `unknown` and checks it; every refusal is an HttpError with a fixed message.
 */
export class SelfHostedAuth {
  readonly accounts: AccountStore;
  /** Every scrypt of this process goes through it: a flood waits in it or is refused, the thread pool stays free. */
  readonly hashing: HashQueue;
  readonly #loginThrottle: FixedWindowThrottle;
  readonly #signupThrottle: FixedWindowThrottle;
  /** Addresses that signed in before: their hash waits in the queue's first lane. */
  readonly #knownAddresses = new KnownAddresses();

  /** The provider's `trustedDeviceTtlMs`: the trusted-browser cookie's Max-Age. */
  readonly trustedDeviceTtlMs: number;

  constructor(
    readonly mfa: MfaClient,
    accounts: AccountStore,
    { protection = {}, trustedDeviceTtlMs = TRUSTED_BROWSER_TTL_MS }: SelfHostedAuthOptions = {},
  ) {
    this.trustedDeviceTtlMs = trustedDeviceTtlMs;
    this.accounts = failingAsUnavailable(accounts);
    this.hashing = new HashQueue(protection.hashing);
    this.#loginThrottle = new FixedWindowThrottle(protection.login ?? DEFAULT_LOGIN_LIMIT);
    this.#signupThrottle = new FixedWindowThrottle(protection.signup ?? DEFAULT_SIGNUP_LIMIT);
  }

  /** POST /signup → 201 `{ token }`: the new user is signed in. 429 past the address's limit, 503 when busy. */
  async signup(body: unknown, clientAddress?: string): Promise<{ token: string }> {
    this.#signupThrottle.take(clientAddress ?? UNKNOWN_ADDRESS);
    const { username, password } = credentials(body);
    if (!USERNAME.test(username)) throw invalidRequest('username must be 3 to 64 letters, digits or . _ @ + -');
    if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
      throw invalidRequest(`password must be ${MIN_PASSWORD} to ${MAX_PASSWORD} characters`);
    }
    const account = { id: randomUUID(), username, passwordHash: await this.hashing.run(() => hashPassword(password)) };
    if (!(await this.accounts.addAccount(accountKey(username), account)))
      throw new HttpError(409, 'username_taken', 'This username is taken');
    if (clientAddress) this.#knownAddresses.remember(clientAddress);
    return { token: await this.#startSession(account) };
  }

  /**
   * POST /login: the password first; then, when the user has MFA on, no session yet but a challenge to answer with
   * a code at POST /mfa/challenge. Throttled per client address (429), and its scrypt waits in the hash queue (503
   * when full), whether the user exists or not; an address that signed in before waits in the queue's first lane.
   * (A correct password counts as a success here, before the second factor: the lane only orders hashing work.)
   *
   * `deviceToken` (the trusted-browser cookie) is asked about only after the password matched: a browser the user
   * trusted skips the code; one that no longer counts (revoked, expired, another user's, from before MFA was turned
   * off and on) gets the challenge as if it had none, and the SDK does not say which.
   */
  async login(body: unknown, clientAddress?: string, deviceToken?: string): Promise<LoginAnswer> {
    this.#loginThrottle.take(clientAddress ?? UNKNOWN_ADDRESS);
    const { username, password } = credentials(body);
    // A malformed name skips the lookup but not scrypt (passwordMatches runs it on a dummy hash): refusing it early
    // would answer faster than a wrong password does. The queue is taken the same way for everyone, so its wait does
    // not tell either.
    const account = USERNAME.test(username) ? await this.accounts.findAccount(accountKey(username)) : null;
    const lane = clientAddress && this.#knownAddresses.has(clientAddress) ? 'known' : 'other';
    const matches = await this.hashing.run(() => passwordMatches(password, account?.passwordHash), lane);
    if (!matches || !account) throw invalidCredentials();
    if (clientAddress) this.#knownAddresses.remember(clientAddress);
    const ctx = { ...clientContext(clientAddress), ...(deviceToken === undefined ? {} : { deviceToken }) };
    if (!(await this.mfa.needsSecondFactor(mfaUser(account), ctx))) return { token: await this.#startSession(account) };
    const challenge = newToken();
    await this.accounts.putToken('challenge', hashToken(challenge), account, CHALLENGE_TTL_MS);
    return { mfaRequired: true, challenge };
  }

  /**
   * POST /mfa/challenge → `{ token }`. A wrong code leaves the challenge usable (the SDK counts attempts per user and
   * client address, and says how many are left); the right one consumes it, atomically, so one challenge yields at
   * most one session.
   *
   * `"trustDevice": true` in the body ("Trust this browser for 30 days") also asks the SDK for a device token, stored
   * under `deviceLabel` for the factor the code was checked against; anything but a boolean there is refused before
   * the code is checked (nothing counted, nothing used up).
   */
  async completeChallenge(body: unknown, clientAddress?: string, deviceLabel?: string): Promise<ChallengeAnswer> {
    const { challenge, code, trustDevice } = (isObject(body) ? body : {}) as Record<string, unknown>;
    if (typeof challenge !== 'string' || challenge === '' || challenge.length > 256)
      throw invalidRequest('challenge must be the string /login answered');
    if (trustDevice !== undefined && typeof trustDevice !== 'boolean')
      throw invalidRequest('trustDevice must be true or false');
    const owner = await this.accounts.findToken('challenge', hashToken(challenge));
    if (!owner) throw invalidChallenge();
    const ctx = clientContext(clientAddress);
    // Six digits: a TOTP code; anything else: a recovery code (used up). The SDK refuses a malformed code with 400.
    const result = await this.mfa.verifySecondFactor(
      mfaUser(owner),
      code as string,
      trustDevice === true ? { ...ctx, trustDevice: { label: deviceLabel ?? UNKNOWN_BROWSER_LABEL } } : ctx,
    );
    // Two right codes at once for one challenge: the store hands the challenge to one of them only. (The loser's
    // device, if it asked for one, stays listed in the settings until revoked or expired: no browser holds its token.)
    if (!(await this.accounts.takeToken('challenge', hashToken(challenge)))) throw invalidChallenge();
    const answer: ChallengeAnswer = { token: await this.#startSession(owner) };
    if (result.recoveryCodesRemaining !== undefined) answer.recoveryCodesRemaining = result.recoveryCodesRemaining;
    if (typeof result.deviceToken === 'string') answer.deviceToken = result.deviceToken;
    return answer;
  }

  /** The user behind `Authorization: Bearer <session token>`. */
  async userFor(sessionToken: string): Promise<MfaUser> {
    const owner = sessionToken === '' ? null : await this.accounts.findToken('session', hashToken(sessionToken));
    if (!owner) throw unauthorized();
    return mfaUser(owner);
  }

  /** POST /logout → 204: the session token stops working at once. */
  async logout(sessionToken: string): Promise<void> {
    const owner = sessionToken === '' ? null : await this.accounts.takeToken('session', hashToken(sessionToken));
    if (!owner) throw unauthorized();
  }

  /**
   * Ends the user's other sessions, keeping the one `sessionToken` belongs to: called after MFA was turned on or off,
   * so a session stolen before the change does not outlive it.
   */
  async endOtherSessions(user: MfaUser, sessionToken: string): Promise<number> {
    return this.accounts.endOtherSessions(user.id, hashToken(sessionToken));
  }

  async #startSession(owner: AccountRef): Promise<string> {
    const token = newToken();
    await this.accounts.putToken('session', hashToken(token), owner, SESSION_TTL_MS);
    return token;
  }
}

/** The SDK's user: the account id keys the MFA state; the username is the account name in the authenticator app. */
function mfaUser(owner: AccountRef): MfaUser {
  return { id: owner.id, signInId: owner.username };
}

/** Usernames are matched without regard to case, so "Ada" cannot sign up beside "ada". */
function accountKey(username: string): string {
  return username.toLowerCase();
}

function credentials(body: unknown): { username: string; password: string } {
  const { username, password } = (isObject(body) ? body : {}) as Record<string, unknown>;
  if (typeof username !== 'string' || typeof password !== 'string')
    throw invalidRequest('username and password must be strings');
  if (username.length > 256 || password.length > MAX_PASSWORD) throw invalidRequest('username or password is too long');
  return { username, password };
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
