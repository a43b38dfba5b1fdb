import { randomUUID } from 'node:crypto';
import { MfaProviderError, type MfaClient, type MfaUser } from 'saasus-mfa';
import { HttpError } from '../handlers/answer.js';
import type { AccountRef, AccountStore } from './accounts.js';
import { hashPassword, passwordMatches } from './passwords.js';
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

/**
 * Sign-up, password login with the MFA challenge, sessions: what an app has before it adds MFA, kept small.
 * Every method takes the request body as `unknown` and checks it; every refusal is an HttpError with a fixed message.
 */
export class SelfHostedAuth {
  readonly accounts: AccountStore;

  constructor(
    readonly mfa: MfaClient,
    accounts: AccountStore,
  ) {
    this.accounts = typedFailures(accounts);
  }

  /** POST /signup → 201 `{ token }`: the new user is signed in. */
  async signup(body: unknown): Promise<{ token: string }> {
    const { username, password } = credentials(body);
    if (!USERNAME.test(username)) throw invalidRequest('username must be 3 to 64 letters, digits or . _ @ + -');
    if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
      throw invalidRequest(`password must be ${MIN_PASSWORD} to ${MAX_PASSWORD} characters`);
    }
    const account = { id: randomUUID(), username, passwordHash: await hashPassword(password) };
    if (!(await this.accounts.addAccount(accountKey(username), account)))
      throw new HttpError(409, 'username_taken', 'This username is taken');
    return { token: await this.#startSession(account) };
  }

  /**
   * POST /login: the password first; then, when the user has MFA on, no session yet but a challenge to answer with
   * a code at POST /mfa/challenge.
   */
  async login(body: unknown): Promise<LoginAnswer> {
    const { username, password } = credentials(body);
    // A malformed name skips the lookup but not scrypt (passwordMatches runs it on a dummy hash): refusing it early
    // would answer faster than a wrong password does.
    const account = USERNAME.test(username) ? await this.accounts.findAccount(accountKey(username)) : null;
    if (!(await passwordMatches(password, account?.passwordHash)) || !account) throw invalidCredentials();
    if (!(await this.mfa.needsSecondFactor(mfaUser(account)))) return { token: await this.#startSession(account) };
    const challenge = newToken();
    await this.accounts.putToken('challenge', hashToken(challenge), account, CHALLENGE_TTL_MS);
    return { mfaRequired: true, challenge };
  }

  /**
   * POST /mfa/challenge → `{ token }`. A wrong code leaves the challenge usable (the SDK counts attempts per user and
   * locks after five); the right one consumes it, atomically, so one challenge yields at most one session.
   */
  async completeChallenge(body: unknown): Promise<{ token: string; recoveryCodesRemaining?: number }> {
    const { challenge, code } = (isObject(body) ? body : {}) as Record<string, unknown>;
    if (typeof challenge !== 'string' || challenge === '' || challenge.length > 256)
      throw invalidRequest('challenge must be the string /login answered');
    const owner = await this.accounts.findToken('challenge', hashToken(challenge));
    if (!owner) throw invalidChallenge();
    // Six digits: a TOTP code; anything else: a recovery code (used up). The SDK refuses a malformed code with 400.
    const result = await this.mfa.verifySecondFactor(mfaUser(owner), code as string);
    // Two right codes at once for one challenge: the store hands the challenge to one of them only.
    if (!(await this.accounts.takeToken('challenge', hashToken(challenge)))) throw invalidChallenge();
    const token = await this.#startSession(owner);
    return result.recoveryCodesRemaining === undefined
      ? { token }
      : { token, recoveryCodesRemaining: result.recoveryCodesRemaining };
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

  async #startSession(owner: AccountRef): Promise<string> {
    const token = newToken();
    await this.accounts.putToken('session', hashToken(token), owner, SESSION_TTL_MS);
    return token;
  }
}

/**
 * The account store with its failures turned into the SDK's 502 `provider_error`, as the MFA store's are: the client
 * sees one kind of "try again later", and the driver's message (which may quote keys or values) goes nowhere.
 */
function typedFailures(store: AccountStore): AccountStore {
  const guard =
    <A extends unknown[], R>(method: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await method.apply(store, args);
      } catch (error) {
        const name = error instanceof Error ? error.name : typeof error;
        throw new MfaProviderError(`The account store failed (${name})`, {
          type: 'store_unavailable',
          retryable: true,
        });
      }
    };
  return {
    addAccount: guard(store.addAccount),
    findAccount: guard(store.findAccount),
    putToken: guard(store.putToken),
    findToken: guard(store.findToken),
    takeToken: guard(store.takeToken),
  };
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
