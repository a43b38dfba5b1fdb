import type { MfaCallContext } from './types.js';

/*
 * The public types of trusted devices ("don't ask again on this browser", self-hosted provider). A device token is a
 * bearer credential for skipping the code, nothing more: it is never a step-up proof, never a code, and it only
 * counts for the user and the factor it was issued for.
 */

/** A trusted device as `MfaClient.listTrustedDevices` answers it: never the token, its hash or the factor's id. */
export interface MfaTrustedDevice {
  /** The device's id (a UUID): show it, and pass it to `revokeTrustedDevice`. Not a secret. */
  id: string;
  /** What the app called the device when it was trusted (e.g. "Firefox on macOS"). */
  label: string;
  /** When it was trusted. */
  createdAt: Date;
  /** When it last let the user skip the code (`createdAt` until then). */
  lastUsedAt: Date;
  /** When it stops counting: `createdAt` + `trustedDeviceTtlMs`, whatever the use (a fixed expiry). */
  expiresAt: Date;
}

/** `trustDevice` of `verifySecondFactor`: remember this browser once the code has passed. */
export interface MfaTrustDeviceOptions {
  /** What to call the device in the list the user sees: 1-200 characters after trimming, no control characters. */
  label: string;
}

/** The third argument of `MfaClient.verifySecondFactor`: the call context, and optionally `trustDevice`. */
export interface MfaSecondFactorOptions extends MfaCallContext {
  /**
   * Self-hosted provider: on success, trust this browser; the result then carries `deviceToken`. The label is
   * checked before the code is (a bad label counts no attempt and uses up no code).
   */
  trustDevice?: MfaTrustDeviceOptions | undefined;
}

/** The second argument of `MfaClient.needsSecondFactor`: the call context, and optionally the browser's device token. */
export interface MfaNeedsSecondFactorOptions extends MfaCallContext {
  /**
   * The device token the browser sent back (its cookie), if any. With a provider that has trusted devices, a token
   * that counts answers `false` (skip the code) in one store round trip; a token that does not count for any reason
   * (another user's, expired, revoked, malformed) answers like no token at all, never an error that says which.
   */
  deviceToken?: string | null | undefined;
}

/** What `MfaProvider.trustDevice` is given: the label and the step-up token of the check that just passed. */
export interface MfaTrustDeviceRequest {
  /** The device's label, validated by `MfaClient`. */
  label: string;
  /** The `stepUpToken` of the code check that just passed: it names the user and the factor the device is for. */
  stepUpToken: string;
}

/** A device trusted by `MfaProvider.trustDevice`. */
export interface MfaTrustedDeviceGrant {
  /** The device token, shown once: set it as an HttpOnly, Secure cookie. Never log it. */
  deviceToken: string;
  /** The device as stored. */
  device: MfaTrustedDevice;
}

/** What `MfaProvider.checkTrustedDevice` answers. */
export interface MfaTrustedDeviceCheck {
  /** The token counts: the user may skip the code on this device. */
  trusted: boolean;
  /** Whether MFA is on for the user (answered in the same store round trip). */
  mfaEnabled: boolean;
}
