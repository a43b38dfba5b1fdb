import type { MfaClient } from 'saasus-mfa';
import type { SaasusMfaProvider } from 'saasus-mfa/saasus';

/** What an example app needs. Built by `config.ts` from the environment, or by a test from the fake SaaSus API. */
export interface ExampleAppDeps {
  /** Runs the MFA lifecycle (status, setup, verify, enable, disable). */
  mfa: MfaClient;
  /** Resolves the front end's ID token to the SaaSus user (`getUserInfo`), for the auth middleware. */
  provider: Pick<SaasusMfaProvider, 'getUserInfo'>;
  /** The front end's origin, allowed by CORS with credentials. Default `DEFAULT_CORS_ORIGIN`. */
  corsOrigin?: string;
}
