import type {
  MfaTrustDeviceRequest,
  MfaTrustedDevice,
  MfaTrustedDeviceCheck,
  MfaTrustedDeviceGrant,
} from './types-devices.js';

/** The user an MFA operation is about. `id` is the provider's user id (for SaaSus, the user's UUID). */
export interface MfaUser {
  /** The provider's user id: non-empty; for SaaSus the user's UUID, self-hosted any stable id of your app's user. */
  id: string;
  /** Shown in the authenticator app; empty for users who sign in with a sign-in id. */
  email?: string | null | undefined;
  /** The user's sign-in id; the authenticator's account name when there is no e-mail (then `id` is used). */
  signInId?: string | null | undefined;
}

/** The second factor: an authenticator app (`softwareToken`, TOTP) or a code sent by e-mail (`email`, SaaSus only). */
export type MfaMethod = 'softwareToken' | 'email';

/** Whether a user has MFA on, as `MfaClient.getStatus` answers it. */
export interface MfaStatus {
  /** True when MFA is on for the user. */
  enabled: boolean;
  /** The active method when enabled; `null` when MFA is off or the provider did not say. */
  method: MfaMethod | null;
}

/** Per-call context. Every field is optional; providers use what they need. */
export interface MfaCallContext {
  /** The end user's access token (SaaSus: needed by `createSetup` and `verify`). */
  accessToken?: string | undefined;
  /** The end user's page, forwarded as `Referer` and `X-SaaSus-Referer`. */
  referer?: string | undefined;
  /** Cancels the call, including retries and back-off waits. */
  signal?: AbortSignal | undefined;
  /**
   * Who is asking: the client's address or a device id (self-hosted provider; 1-200 characters, not blank). Failed
   * codes are then counted per user and client, under a per-user ceiling over all clients, so one client's lock does
   * not lock the user's other clients. Never stored or logged in clear: a keyed hash of it names its counter.
   */
  clientKey?: string | undefined;
}

/**
 * A fresh second factor for an account change (`disable`, `regenerateRecoveryCodes`, self-hosted provider): a
 * current TOTP code or a recovery code (`code`: checked, counted and claimed exactly like a login, so it cannot be
 * replayed, and a recovery code is used up), or the `stepUpToken` of a recent `verify` / `verifySecondFactor`.
 */
export type MfaStepUpProof =
  | {
      /** A current code from the authenticator app (6 digits) or one of the user's recovery codes. */
      code: string;
      /** Not with `code`. */
      stepUpToken?: undefined;
    }
  | {
      /** The `stepUpToken` of a recent successful check, for this user and their current factor. */
      stepUpToken: string;
      /** Not with `stepUpToken`. */
      code?: undefined;
    };

/** Who resets a user's MFA, and why: both go into the `admin_reset` audit event. */
export interface MfaAdminResetOptions {
  /** The support person or system doing it (an id or name for the audit log; 1-200 characters). */
  actor: string;
  /** Why (a ticket number, a short text; 1-500 characters). */
  reason: string;
}

/** A new authenticator setup from `MfaClient.createSetup`: the secret and the ways to hand it to the app. */
export interface MfaSetup {
  /** Base32 secret, for manual entry in an authenticator app. Show it to the user once; never log it. */
  secret: string;
  /** `otpauth://totp/...` URI (issuer and label percent-encoded, SHA1, 6 digits, 30 s). */
  otpauthUri: string;
  /** The URI as an SVG QR code, rendered locally. */
  qrCodeSvg: string;
  /** The URI as a PNG QR code in a `data:image/png;base64,` URL, rendered locally. */
  qrCodeDataUrl: string;
  /** The client's `issuer` (trimmed), as written into the URI. */
  issuer: string;
  /** The URI's account label: the user's e-mail, else sign-in id, else id (trimmed, never blank). */
  accountName: string;
}

/** A code accepted by `verify`; a refused code rejects instead, so there is no `false`. */
export interface MfaVerifyResult {
  /** Always true. */
  verified: true;
  /**
   * Self-hosted provider, when the code was checked against the ENABLED factor (not a setup confirmation): proof of
   * a fresh second factor for `disable` / `regenerateRecoveryCodes`, valid for `stepUpMaxAgeMs` (default 5 minutes),
   * for this user and this factor only. Opaque; keep it server side (in the session), never in a URL or a log.
   */
  stepUpToken?: string;
}

/** Options of `MfaClient.enable`. */
export interface MfaEnableOptions {
  /** Defaults to `softwareToken`. `email` needs no setup or verify step (SaaSus: custom-domain e-mail configured). */
  method?: MfaMethod;
}

/** MFA turned on by `MfaClient.enable`. */
export interface MfaEnableResult {
  /** Always true. */
  enabled: true;
  /** The method now active. */
  method: MfaMethod;
  /** One-time recovery codes, shown once (self-hosted provider only). */
  recoveryCodes?: string[];
}

/** MFA turned off by `MfaClient.disable`. */
export interface MfaDisableResult {
  /** Always false. */
  enabled: false;
}

/** A recovery code accepted (and used up) by `MfaClient.verifyRecoveryCode`. */
export interface MfaRecoveryCodeResult {
  /** Unused recovery codes left after this one. Suggest new ones when it runs low. */
  remaining: number;
  /** Proof of this fresh second factor for an account change (see {@link MfaVerifyResult.stepUpToken}). */
  stepUpToken?: string;
}

/** A fresh set of recovery codes from `MfaClient.regenerateRecoveryCodes`. */
export interface MfaRecoveryCodesResult {
  /** The new one-time recovery codes (all previous ones stop working). Show them once; never log them. */
  recoveryCodes: string[];
}

/** Result of the login-time check (`MfaClient.verifySecondFactor`). */
export interface MfaSecondFactorResult {
  /** Always true; a refused code rejects instead. */
  verified: true;
  /** What the user gave: a code from the authenticator app, or one of the recovery codes. */
  method: 'totp' | 'recovery_code';
  /** Set when a recovery code was used. */
  recoveryCodesRemaining?: number;
  /** Proof of this fresh second factor for an account change (see {@link MfaVerifyResult.stepUpToken}). */
  stepUpToken: string;
  /**
   * Set when the call asked for `trustDevice`: the new device token, shown once. Set it as an HttpOnly, Secure,
   * SameSite cookie and pass it back to `needsSecondFactor`; never log it.
   */
  deviceToken?: string;
}

/**
 * What a provider implements. `MfaClient` validates and normalises every input before calling it, so a provider
 * receives a non-empty user id and a code of exactly six ASCII digits.
 */
export interface MfaProvider {
  /** Short name for logs (`saasus`, `totp`). */
  readonly name: string;
  /** Whether MFA is on for the user, and with which method. */
  getStatus(user: MfaUser, ctx: MfaCallContext): Promise<MfaStatus>;
  /** Starts a setup and returns the new secret; `MfaClient` builds the otpauth URI and QR code from it. */
  createSecret(
    user: MfaUser,
    ctx: MfaCallContext,
  ): Promise<{
    /** The new TOTP secret, RFC 4648 base32 without padding (16 to 128 characters). */
    secret: string;
  }>;
  /**
   * Checks a six-digit code: confirms the pending setup (self-hosted, with MFA on: checks the enabled factor instead).
   * Rejects with an `MfaError` when the code is refused.
   */
  verify(user: MfaUser, code: string, ctx: MfaCallContext): Promise<MfaVerifyResult>;
  /** Turns MFA on with `method`; for `softwareToken` only after a verified setup. */
  enable(user: MfaUser, options: { method: MfaMethod }, ctx: MfaCallContext): Promise<MfaEnableResult>;
  /**
   * Turns MFA off for the user. `proof` is what `MfaClient.disable` was given, validated (absent when none was): a
   * provider that can check it (self-hosted) must refuse without it; SaaSus cannot and receives none.
   */
  disable(user: MfaUser, ctx: MfaCallContext, proof?: MfaStepUpProof): Promise<MfaDisableResult>;
  /** Login-time check of a TOTP code against the enabled factor only, never a pending setup (self-hosted). */
  verifyFactor?(user: MfaUser, code: string, ctx: MfaCallContext): Promise<MfaVerifyResult>;
  /** Consumes one recovery code (self-hosted). */
  verifyRecoveryCode?(user: MfaUser, code: string, ctx: MfaCallContext): Promise<MfaRecoveryCodeResult>;
  /** Replaces every recovery code, after checking `proof` like `disable` does (self-hosted). */
  regenerateRecoveryCodes?(user: MfaUser, ctx: MfaCallContext, proof?: MfaStepUpProof): Promise<MfaRecoveryCodesResult>;
  /** Turns MFA off without a factor, clears the attempt counters, and audits who and why (self-hosted). */
  adminReset?(user: MfaUser, options: MfaAdminResetOptions, ctx: MfaCallContext): Promise<MfaDisableResult>;
  /** Clears the user's attempt counters (self-hosted). */
  unlock?(user: MfaUser, ctx: MfaCallContext): Promise<void>;
  /** Trusts the user's device for the factor the request's step-up token names (self-hosted). */
  trustDevice?(user: MfaUser, request: MfaTrustDeviceRequest, ctx: MfaCallContext): Promise<MfaTrustedDeviceGrant>;
  /** Whether a device token lets the user skip the code, and whether MFA is on, in one store round trip. */
  checkTrustedDevice?(user: MfaUser, deviceToken: string, ctx: MfaCallContext): Promise<MfaTrustedDeviceCheck>;
  /** The user's trusted devices that count, oldest first (self-hosted). */
  listTrustedDevices?(user: MfaUser, ctx: MfaCallContext): Promise<MfaTrustedDevice[]>;
  /** Revokes one trusted device; true if one was removed (self-hosted). */
  revokeTrustedDevice?(user: MfaUser, deviceId: string, ctx: MfaCallContext): Promise<boolean>;
  /** Revokes every trusted device of the user; answers how many counted (self-hosted). */
  revokeTrustedDevices?(user: MfaUser, ctx: MfaCallContext): Promise<number>;
}

export type {
  MfaNeedsSecondFactorOptions,
  MfaSecondFactorOptions,
  MfaTrustDeviceOptions,
  MfaTrustDeviceRequest,
  MfaTrustedDevice,
  MfaTrustedDeviceCheck,
  MfaTrustedDeviceGrant,
} from './types-devices.js';
