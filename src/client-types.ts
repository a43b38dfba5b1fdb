import type { MfaClient } from './client.js';
import type { MfaCallContext, MfaProvider, MfaStepUpProof } from './types.js';

/** Options of {@link MfaClient}; both are required. */
export interface MfaClientOptions<P extends MfaProvider = MfaProvider> {
  /** Where MFA state lives: `SaasusMfaProvider` (hosted by SaaSus) or `TotpMfaProvider` (self-hosted). */
  provider: P;
  /** Name shown in the authenticator app, e.g. your product name. No colon. */
  issuer: string;
}

/**
 * What `disable` takes after the user: with a provider typed `selfHosted: false` (SaaSus, which cannot check a code
 * of an enrolled authenticator, so no step-up is enforced there) the optional call context; with any other provider a
 * step-up proof (`{ code }` or `{ stepUpToken }`) with the call context, required.
 */
export type MfaDisableArgs<P extends MfaProvider> = P extends {
  /** Declared false by a provider that cannot check a step-up proof (SaaSus). */
  readonly selfHosted: false;
}
  ? [ctx?: MfaCallContext]
  : [options: MfaStepUpProof & MfaCallContext];

/**
 * The `this` of the self-hosted-only methods (`verifySecondFactor`, `verifyRecoveryCode`, `regenerateRecoveryCodes`):
 * any client but one whose provider type says it is not self-hosted (`SaasusMfaProvider` declares
 * `selfHosted: false`), so calling them there is a compile error. Plain JavaScript still gets the
 * `MfaConfigurationError` at run time. Not generic on purpose: it keeps `MfaClient<P>` covariant in `P`, so an
 * `MfaClient<SaasusMfaProvider>` is still an `MfaClient`.
 */
export type SelfHostedClient = MfaClient & {
  /** The client's provider, of any type but one that declares `selfHosted: false`. */
  readonly provider: {
    /** Absent or true: only a provider typed `selfHosted: false` (SaaSus) is excluded. */
    readonly selfHosted?: true;
  };
};
