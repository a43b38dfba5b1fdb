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
  /** Turns MFA off for the user. */
  disable(user: MfaUser, ctx: MfaCallContext): Promise<MfaDisableResult>;
  /** Login-time check of a TOTP code against the enabled factor only, never a pending setup (self-hosted). */
  verifyFactor?(user: MfaUser, code: string, ctx: MfaCallContext): Promise<MfaVerifyResult>;
  /** Consumes one recovery code (self-hosted). */
  verifyRecoveryCode?(user: MfaUser, code: string, ctx: MfaCallContext): Promise<MfaRecoveryCodeResult>;
  /** Replaces every recovery code (self-hosted). */
  regenerateRecoveryCodes?(user: MfaUser, ctx: MfaCallContext): Promise<MfaRecoveryCodesResult>;
}
