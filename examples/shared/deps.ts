import type { MfaClient } from 'saasus-mfa';
import type { SaasusMfaProvider } from 'saasus-mfa/saasus';
import type { SelfHostedAuth } from './self-hosted/auth.js';

/** SaaSus mode: users sign in with SaaSus; the app resolves their ID token and runs MFA through SaaSus. */
export interface SaasusAppDeps {
  /** Runs the MFA lifecycle (status, setup, verify, enable, disable). */
  mfa: MfaClient;
  /**
   * Resolves the front end's ID token to the SaaSus user (`getUserInfo`), for the auth middleware and `/userinfo`,
   * and signs users in (`exchangeTemporaryCode` for `/credentials`, `refreshSession` for `/refresh`).
   */
  provider: Pick<SaasusMfaProvider, 'getUserInfo' | 'exchangeTemporaryCode' | 'refreshSession'>;
  /** The front end's origin, allowed by CORS with credentials. Default `DEFAULT_CORS_ORIGIN`. */
  corsOrigin?: string;
}

/** Self-hosted mode: the app has its own accounts and sessions, and MFA state in its own store. */
export interface SelfHostedAppDeps {
  /** Sign-up, login with the MFA challenge, sessions; `auth.mfa` is the MfaClient over TotpMfaProvider. */
  auth: SelfHostedAuth;
  corsOrigin?: string;
}

/** What an example app needs. Built by `config.ts` from the environment, or by a test. */
export type ExampleAppDeps = SaasusAppDeps | SelfHostedAppDeps;
