import { emitRuntimeWarning } from '../internal/environment.js';
import { failureClass } from '../internal/failure-hint.js';
/**
 * Audit events from `TotpMfaProvider`. They name the user and what happened, never a secret, a code, a recovery
 * code or a hash, so they can go straight into an audit log.
 */
export type MfaEvent =
  /** A new pending setup was stored (replacing any earlier one). */
  | {
      /** Which event this is. */
      type: 'setup_created';
      /** The user's id, as passed to the provider. */
      userId: string;
      /** When it happened, by the provider's clock (`now`). */
      at: Date;
      /** When the setup stops being accepted unless enabled first (`at` + `setupTtlMs`). */
      expiresAt: Date;
    }
  /** A code was accepted: `setup` confirmed a new authenticator, `factor` passed the check of an enabled one. */
  | {
      /** Which event this is. */
      type: 'verified';
      /** The user's id, as passed to the provider. */
      userId: string;
      /** When it happened, by the provider's clock (`now`). */
      at: Date;
      /** What the code was checked against: the pending setup or the enabled factor. */
      target: 'setup' | 'factor';
    }
  /** MFA was turned on (a verified setup became the factor, with new recovery codes; no trusted device is left). */
  | {
      /** Which event this is. */
      type: 'enabled';
      /** The user's id, as passed to the provider. */
      userId: string;
      /** When it happened, by the provider's clock (`now`). */
      at: Date;
    }
  /** MFA was turned off (with the recovery codes and every trusted device); only sent when there was a factor. */
  | {
      /** Which event this is. */
      type: 'disabled';
      /** The user's id, as passed to the provider. */
      userId: string;
      /** When it happened, by the provider's clock (`now`). */
      at: Date;
    }
  /** A code or recovery code was refused. */
  | {
      /** Which event this is. */
      type: 'verify_failed';
      /** The user's id, as passed to the provider. */
      userId: string;
      /** When it happened, by the provider's clock (`now`). */
      at: Date;
      /** Why it was refused. */
      reason: MfaVerifyFailure;
      /**
       * Failures counted in the check's first bucket (per client with `clientKey`, else per user) in the current
       * window (`attemptWindowMs`); 0 when nothing was checked against (`no_factor`, `expired_setup`).
       */
      attempts: number;
    }
  /**
   * A failure made a count reach its limit: a lock starts now, and attempts of that kind (from that client, or from
   * every client at the per-user ceiling) fail fast until `retryAfterMs` has passed. Sent once per lock.
   */
  | {
      /** Which event this is. */
      type: 'locked';
      /** The user's id, as passed to the provider. */
      userId: string;
      /** When it happened, by the provider's clock (`now`). */
      at: Date;
      /** ms from `at` until the attempt window resets. */
      retryAfterMs: number;
    }
  /** A recovery code was accepted and used up. */
  | {
      /** Which event this is. */
      type: 'recovery_code_used';
      /** The user's id, as passed to the provider. */
      userId: string;
      /** When it happened, by the provider's clock (`now`). */
      at: Date;
      /** Unused recovery codes left. */
      remaining: number;
    }
  /**
   * An administrator turned MFA off without a factor (`adminReset`); the attempt counters and every trusted device
   * were removed too.
   */
  | {
      /** Which event this is. */
      type: 'admin_reset';
      /** The user's id, as passed to the provider. */
      userId: string;
      /** When it happened, by the provider's clock (`now`). */
      at: Date;
      /** Who did it, as the app passed it. */
      actor: string;
      /** Why, as the app passed it. */
      reason: string;
    }
  /** The user's attempt counters were cleared (`unlock`). */
  | {
      /** Which event this is. */
      type: 'unlocked';
      /** The user's id, as passed to the provider. */
      userId: string;
      /** When it happened, by the provider's clock (`now`). */
      at: Date;
    }
  /** Every recovery code was replaced by a new set. */
  | {
      /** Which event this is. */
      type: 'recovery_codes_regenerated';
      /** The user's id, as passed to the provider. */
      userId: string;
      /** When it happened, by the provider's clock (`now`). */
      at: Date;
      /** How many new codes were issued (`recoveryCodeCount`). */
      count: number;
    }
  /** A device was trusted after a passed check (`verifySecondFactor` with `trustDevice`). Never the token. */
  | {
      /** Which event this is. */
      type: 'device_trusted';
      /** The user's id, as passed to the provider. */
      userId: string;
      /** When it happened, by the provider's clock (`now`). */
      at: Date;
      /** The new device's id (not a secret). */
      deviceId: string;
      /** The device's label, as the app passed it. */
      label: string;
      /** When it stops counting (`at` + `trustedDeviceTtlMs`). */
      expiresAt: Date;
    }
  /** A trusted device let the user skip the code (`needsSecondFactor` answered false thanks to it). */
  | {
      /** Which event this is. */
      type: 'device_used';
      /** The user's id, as passed to the provider. */
      userId: string;
      /** When it happened, by the provider's clock (`now`). */
      at: Date;
      /** The device's id. */
      deviceId: string;
      /** The device's label. */
      label: string;
    }
  /**
   * A trusted device was removed: revoked (`revokeTrustedDevice`, `revokeTrustedDevices`: one event per device that
   * counted) or dropped as the oldest over `maxTrustedDevices` (`limit`). `disabled`, `admin_reset` and `enabled`
   * remove every device of the user too, without one event per device.
   */
  | {
      /** Which event this is. */
      type: 'device_revoked';
      /** The user's id, as passed to the provider. */
      userId: string;
      /** When it happened, by the provider's clock (`now`). */
      at: Date;
      /** The device's id. */
      deviceId: string;
      /** The device's label. */
      label: string;
      /** `revoked` by a call, or dropped over the `limit`. */
      reason: 'revoked' | 'limit';
    };

/**
 * Why a `verify_failed` event was sent: a wrong code (`mismatch`), a code of an already used time step (`replayed`), a
 * setup past its expiry (`expired_setup`), nothing to check against (`no_factor`: no enabled factor, or no pending
 * setup), a wrong or used recovery code (`recovery_code_mismatch`), or the attempt limit (`rate_limited`, refused
 * without looking at the code).
 */
export type MfaVerifyFailure =
  'mismatch' | 'replayed' | 'expired_setup' | 'no_factor' | 'recovery_code_mismatch' | 'rate_limited';

/** The `type` of every {@link MfaEvent}. */
export type MfaEventType = MfaEvent['type'];

/**
 * The `onEvent` option of `TotpMfaProvider`: called once per event, never awaited; a throw or rejection becomes a
 * process warning (`SAASUS_MFA_EVENT_LISTENER`) and the MFA call goes on. The event is frozen.
 */
export type MfaEventListener = (event: MfaEvent) => void | Promise<void>;

/**
 * Calls the app's listener without letting it break a login: a listener that throws or rejects is reported as a
 * process warning (its message left out, it may hold anything) and the MFA call goes on.
 */
export function safeEmitter(listener: MfaEventListener | undefined): (event: MfaEvent) => void {
  if (!listener) return () => {};
  const report = (error: unknown) => {
    // A Workers runtime without nodejs_compat has no process.emitWarning: emitRuntimeWarning falls back to console.warn.
    emitRuntimeWarning(`saasus-mfa: the onEvent listener failed (${failureClass(error)})`, 'SAASUS_MFA_EVENT_LISTENER');
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
