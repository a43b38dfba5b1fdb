import { generateSecret, verifySync } from 'otplib';
import { type FakeAnswer, accessTokenRejected, failure, ok } from './answers.js';
import type { FakeTokenAuthority } from './tokens.js';

/** What the fake knows about a user's MFA; `pendingSecret` and `registeredSecret` are test-only peeks. */
export interface FakeSaasusMfaState {
  /** Whether MFA is on for the user. */
  enabled: boolean;
  /** The method enabled; `null` while MFA is off. */
  method: 'softwareToken' | 'email' | null;
  /** The base32 secret from the last create secret code, until a code from it is registered; else `null`. */
  pendingSecret: string | null;
  /** The base32 secret of the registered authenticator; `null` before the first registration. */
  registeredSecret: string | null;
}

/**
 * The MFA state machine of one user, as SaaSus runs it: create secret code → register (a code from that secret,
 * ±1 step) → enable. Enabling the authenticator app before a registration is refused as SaaSus refuses it.
 */
export class FakeMfaStateMachine {
  readonly state: FakeSaasusMfaState = { enabled: false, method: null, pendingSecret: null, registeredSecret: null };

  constructor(
    private readonly userId: string,
    private readonly tokens: FakeTokenAuthority,
    private readonly nowMs: () => number,
    private readonly codeMismatchStatus: number,
  ) {}

  getPreference(): FakeAnswer {
    const { enabled, method } = this.state;
    return ok(enabled && method ? { enabled, method } : { enabled });
  }

  updatePreference(body: unknown): FakeAnswer {
    const { enabled, method } = (body ?? {}) as { enabled?: unknown; method?: unknown };
    if (typeof enabled !== 'boolean') return failure(400, 'InvalidParameterException', 'enabled is required');
    if (method !== undefined && method !== 'softwareToken' && method !== 'email') {
      return failure(400, 'InvalidParameterException', 'unknown method');
    }
    if (!enabled) {
      this.state.enabled = false;
      this.state.method = null;
      return ok();
    }
    if (method === undefined) return failure(400, 'InvalidParameterException', 'method is required when enabling');
    // What SaaSus (Cognito's SetUserMFAPreference) answers when no authenticator was registered.
    if (method === 'softwareToken' && !this.state.registeredSecret) {
      return failure(400, 'EnableSoftwareTokenMFAException', 'No software token registered');
    }
    this.state.enabled = true;
    this.state.method = method;
    return ok();
  }

  createSecretCode(body: unknown): FakeAnswer {
    if (!this.tokens.isAccessTokenOf((body as { access_token?: unknown } | undefined)?.access_token, this.userId))
      return accessTokenRejected();
    this.state.pendingSecret = generateSecret();
    return ok({ secret_code: this.state.pendingSecret }, 201);
  }

  registerSoftwareToken(body: unknown): FakeAnswer {
    const { access_token, verification_code } = (body ?? {}) as { access_token?: unknown; verification_code?: unknown };
    if (!this.tokens.isAccessTokenOf(access_token, this.userId)) return accessTokenRejected();
    const secret = this.state.pendingSecret;
    if (!secret) return failure(400, 'InvalidParameterException', 'no secret code was created for this user');
    const valid =
      typeof verification_code === 'string' &&
      /^[0-9]{6}$/.test(verification_code) &&
      verifySync({ secret, token: verification_code, epoch: Math.floor(this.nowMs() / 1000), epochTolerance: 30 })
        .valid;
    if (!valid) return failure(this.codeMismatchStatus, 'CodeMismatchException', 'Invalid code received for user');
    this.state.registeredSecret = secret;
    this.state.pendingSecret = null;
    return ok();
  }
}
