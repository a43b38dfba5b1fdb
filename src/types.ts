/** The user an MFA operation is about. `id` is the provider's user id (for SaaSus, the user's UUID). */
export interface MfaUser {
  id: string;
  /** Shown in the authenticator app; empty for users who sign in with a sign-in id. */
  email?: string | null | undefined;
  signInId?: string | null | undefined;
}

export type MfaMethod = 'softwareToken' | 'email';

export interface MfaStatus {
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

export interface MfaSetup {
  /** Base32 secret, for manual entry in an authenticator app. Show it to the user once; never log it. */
  secret: string;
  /** `otpauth://totp/...` URI (issuer and label percent-encoded, SHA1, 6 digits, 30 s). */
  otpauthUri: string;
  /** The URI as an SVG QR code, rendered locally. */
  qrCodeSvg: string;
  /** The URI as a PNG QR code in a `data:image/png;base64,` URL, rendered locally. */
  qrCodeDataUrl: string;
  issuer: string;
  accountName: string;
}

export interface MfaVerifyResult {
  verified: true;
}

export interface MfaEnableOptions {
  /** Defaults to `softwareToken`. `email` needs no setup or verify step (SaaSus: custom-domain e-mail configured). */
  method?: MfaMethod;
}

export interface MfaEnableResult {
  enabled: true;
  method: MfaMethod;
  /** One-time recovery codes, shown once (self-hosted provider only). */
  recoveryCodes?: string[];
}

export interface MfaDisableResult {
  enabled: false;
}

export interface MfaRecoveryCodeResult {
  /** Unused recovery codes left after this one. Suggest new ones when it runs low. */
  remaining: number;
}

export interface MfaRecoveryCodesResult {
  /** The new one-time recovery codes (all previous ones stop working). Show them once; never log them. */
  recoveryCodes: string[];
}

/** Result of the login-time check (`MfaClient.verifySecondFactor`). */
export interface MfaSecondFactorResult {
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
  getStatus(user: MfaUser, ctx: MfaCallContext): Promise<MfaStatus>;
  /** Starts a setup and returns the new secret; `MfaClient` builds the otpauth URI and QR code from it. */
  createSecret(user: MfaUser, ctx: MfaCallContext): Promise<{ secret: string }>;
  verify(user: MfaUser, code: string, ctx: MfaCallContext): Promise<MfaVerifyResult>;
  enable(user: MfaUser, options: { method: MfaMethod }, ctx: MfaCallContext): Promise<MfaEnableResult>;
  disable(user: MfaUser, ctx: MfaCallContext): Promise<MfaDisableResult>;
  /** Login-time check of a TOTP code against the enabled factor only, never a pending setup (self-hosted). */
  verifyFactor?(user: MfaUser, code: string, ctx: MfaCallContext): Promise<MfaVerifyResult>;
  /** Consumes one recovery code (self-hosted). */
  verifyRecoveryCode?(user: MfaUser, code: string, ctx: MfaCallContext): Promise<MfaRecoveryCodeResult>;
  /** Replaces every recovery code (self-hosted). */
  regenerateRecoveryCodes?(user: MfaUser, ctx: MfaCallContext): Promise<MfaRecoveryCodesResult>;
}
