import { failureClass } from '../internal/failure-hint.js';
/**
 * Audit events from `TotpMfaProvider`. They name the user and what happened, never a secret, a code, a recovery
 * code or a hash, so they can go straight into an audit log.
 */
export type MfaEvent =
  | { type: 'setup_created'; userId: string; at: Date; expiresAt: Date }
  /** A code was accepted: `setup` confirmed a new authenticator, `factor` passed the check of an enabled one. */
  | { type: 'verified'; userId: string; at: Date; target: 'setup' | 'factor' }
  | { type: 'enabled'; userId: string; at: Date }
  | { type: 'disabled'; userId: string; at: Date }
  | { type: 'verify_failed'; userId: string; at: Date; reason: MfaVerifyFailure; attempts: number }
  /** The attempt limit was reached; attempts fail fast until `retryAfterMs` has passed. */
  | { type: 'locked'; userId: string; at: Date; retryAfterMs: number }
  | { type: 'recovery_code_used'; userId: string; at: Date; remaining: number }
  | { type: 'recovery_codes_regenerated'; userId: string; at: Date; count: number };

export type MfaVerifyFailure =
  'mismatch' | 'replayed' | 'expired_setup' | 'no_factor' | 'recovery_code_mismatch' | 'rate_limited';

export type MfaEventType = MfaEvent['type'];

export type MfaEventListener = (event: MfaEvent) => void | Promise<void>;

/**
 * Calls the app's listener without letting it break a login: a listener that throws or rejects is reported as a
 * process warning (its message left out, it may hold anything) and the MFA call goes on.
 */
export function safeEmitter(listener: MfaEventListener | undefined): (event: MfaEvent) => void {
  if (!listener) return () => {};
  const report = (error: unknown) => {
    process.emitWarning(`saasus-mfa: the onEvent listener failed (${failureClass(error)})`, {
      code: 'SAASUS_MFA_EVENT_LISTENER',
    });
  };
  return (event) => {
    try {
      const result = listener(Object.freeze(event));
      if (result && typeof result.then === 'function') result.then(undefined, report);
    } catch (error) {
      report(error);
    }
  };
}
