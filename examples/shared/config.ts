import { MfaClient } from 'saasus-mfa';
import { DEFAULT_SAASUS_BASE_URL, SaasusMfaProvider } from 'saasus-mfa/saasus';
import type { FakeSaasusUser } from 'saasus-mfa/testing';

export const DEMO_BASE_URL = 'https://api.saasus.test';

export interface ExampleMfa {
  mode: 'saasus' | 'demo';
  baseUrl: string;
  mfa: MfaClient;
  provider: SaasusMfaProvider;
  /** Demo mode only: the one user the fake knows, with tokens to paste into curl. */
  demoUser?: FakeSaasusUser;
  /** Stops the in-process fake (demo mode); nothing to do otherwise. */
  close(): void;
}

const CREDENTIALS = ['SAASUS_SAAS_ID', 'SAASUS_API_KEY', 'SAASUS_SECRET_KEY'] as const;

/**
 * SaaSus mode when any SaaSus credential is set (the provider then fails fast, naming a missing one), else DEMO mode:
 * the fake SaaSus API from saasus-mfa/testing, answering in this process through msw.
 */
export async function mfaFromEnv(env: Record<string, string | undefined> = process.env): Promise<ExampleMfa> {
  const issuer = env.MFA_ISSUER ?? 'Acme';
  if (CREDENTIALS.some((name) => env[name])) {
    const provider = new SaasusMfaProvider({ env }); // reads SAASUS_* itself
    const baseUrl = env.SAASUS_API_URL_BASE ?? DEFAULT_SAASUS_BASE_URL;
    return { mode: 'saasus', baseUrl, provider, mfa: new MfaClient({ provider, issuer }), close: () => {} };
  }
  // Loaded only here: a production install needs neither msw nor the test kit.
  const { createFakeSaasus } = await import('saasus-mfa/testing');
  const { setupServer } = await import('msw/node');
  const fake = createFakeSaasus({ baseUrl: DEMO_BASE_URL });
  const server = setupServer(...fake.handlers);
  // msw sees only this process's outgoing requests; anything that is not the fake goes out unchanged.
  server.listen({ onUnhandledRequest: 'bypass' });
  const provider = new SaasusMfaProvider({ ...fake.credentials, baseUrl: DEMO_BASE_URL, env: {} });
  const demoUser = fake.addUser({ email: 'demo@example.com' });
  return { mode: 'demo', baseUrl: DEMO_BASE_URL, provider, mfa: new MfaClient({ provider, issuer }), demoUser, close: () => server.close() };
}
