import { createHmac, randomBytes } from 'node:crypto';
import { signaturesEqual } from '../../saasus/signer.js';

/** The claims of a fake ID token: what the official front end decodes (`exp`) and what `/userinfo` needs (`sub`). */
export interface FakeIdTokenClaims {
  /** The user's id. */
  sub: string;
  /** The user's e-mail. */
  email: string;
  /** Issued at, in epoch seconds of the fake's clock. */
  iat: number;
  /** Expiry, in epoch seconds: `iat` plus the ID token lifetime. */
  exp: number;
  /** Always `id`, as in a Cognito ID token. */
  token_use: 'id';
}

/** How long the fake's tokens and codes stay valid (the `lifetimes` option of `FakeSaasus`). */
export interface FakeTokenLifetimes {
  /** ID token lifetime, in ms. Cognito's default, which SaaSus uses: one hour. */
  idTokenMs: number;
  /** How long a temporary code from the hosted login page can be exchanged, in ms. SaaSus documents 10 seconds. */
  temporaryCodeMs: number;
  /** Refresh token lifetime, in ms. Cognito's default: 30 days. */
  refreshTokenMs: number;
}

export const DEFAULT_TOKEN_LIFETIMES: FakeTokenLifetimes = {
  idTokenMs: 60 * 60_000,
  temporaryCodeMs: 10_000,
  refreshTokenMs: 30 * 24 * 60 * 60_000,
};

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const JWT_HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/**
 * The fake's token authority: JWT-shaped ID tokens (HS256 under a key of its own, expiry on the fake's clock),
 * opaque access tokens, single-use expiring temporary codes, and refresh tokens. Nothing here is real Cognito crypto;
 * it only has the shapes a front end and a backend see.
 */
export class FakeTokenAuthority {
  private readonly key = randomBytes(32);
  private readonly accessTokens = new Map<string, string>();
  private readonly temporaryCodes = new Map<string, { userId: string; expiresAtMs: number }>();
  private readonly refreshTokens = new Map<string, { userId: string; expiresAtMs: number }>();

  constructor(
    private readonly nowMs: () => number,
    private readonly lifetimes: FakeTokenLifetimes,
  ) {}

  /** A signed ID token for the user, valid from now for the ID token lifetime. */
  idToken(user: { id: string; email: string }): string {
    const iat = Math.floor(this.nowMs() / 1000);
    const claims: FakeIdTokenClaims = {
      sub: user.id,
      email: user.email,
      iat,
      exp: iat + Math.floor(this.lifetimes.idTokenMs / 1000),
      token_use: 'id',
    };
    const signingInput = `${JWT_HEADER}.${base64url(JSON.stringify(claims))}`;
    return `${signingInput}.${this.sign(signingInput)}`;
  }

  /** The user id an ID token names, when its signature is the fake's and it has not expired; else undefined. */
  userOfIdToken(token: string | null): string | undefined {
    const parts = token?.split('.');
    if (!parts || parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    if (!signaturesEqual(signature, this.sign(`${header}.${payload}`))) return undefined;
    let claims: Partial<FakeIdTokenClaims>;
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<FakeIdTokenClaims>;
    } catch {
      return undefined;
    }
    if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return undefined;
    return claims.exp * 1000 > this.nowMs() ? claims.sub : undefined;
  }

  /** A new access token for the user; every one issued stays valid (the fake does not expire them). */
  accessToken(userId: string): string {
    const token = `access.${randomBytes(18).toString('base64url')}`;
    this.accessTokens.set(token, userId);
    return token;
  }

  isAccessTokenOf(token: unknown, userId: string): boolean {
    return typeof token === 'string' && this.accessTokens.get(token) === userId;
  }

  /** A temporary code, as the hosted login page appends to the callback URL: single-use, expiring. */
  temporaryCode(userId: string): string {
    const code = randomBytes(16).toString('hex');
    this.temporaryCodes.set(code, { userId, expiresAtMs: this.nowMs() + this.lifetimes.temporaryCodeMs });
    return code;
  }

  /** Uses up a temporary code: the user id it was issued for, or undefined when unknown, used or expired. */
  redeemTemporaryCode(code: string | null): string | undefined {
    const entry = code === null ? undefined : this.temporaryCodes.get(code);
    if (!entry) return undefined;
    this.temporaryCodes.delete(code!);
    return entry.expiresAtMs > this.nowMs() ? entry.userId : undefined;
  }

  refreshToken(userId: string): string {
    const token = `refresh.${randomBytes(24).toString('base64url')}`;
    this.refreshTokens.set(token, { userId, expiresAtMs: this.nowMs() + this.lifetimes.refreshTokenMs });
    return token;
  }

  /** The user a refresh token belongs to while it is valid (it can be used many times, as with Cognito). */
  userOfRefreshToken(token: string | null): string | undefined {
    const entry = token === null ? undefined : this.refreshTokens.get(token);
    return entry && entry.expiresAtMs > this.nowMs() ? entry.userId : undefined;
  }

  /** Revokes every refresh token of the user (a sign-out everywhere). */
  revokeRefreshTokens(userId: string): void {
    for (const [token, entry] of this.refreshTokens) if (entry.userId === userId) this.refreshTokens.delete(token);
  }

  clear(): void {
    this.accessTokens.clear();
    this.temporaryCodes.clear();
    this.refreshTokens.clear();
  }

  private sign(signingInput: string): string {
    return createHmac('sha256', this.key).update(signingInput).digest('base64url');
  }
}
