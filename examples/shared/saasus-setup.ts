import { MfaClient } from 'saasus-mfa';
import { DEFAULT_SAASUS_BASE_URL, SaasusMfaProvider } from 'saasus-mfa/saasus';
import type { ExampleSetup } from './config.js';

export const DEMO_BASE_URL = 'https://api.saasus.test';

/** SaaSus mode: the provider reads SAASUS_* itself and fails fast, naming a missing one. */
export function saasusFromEnv(env: Record<string, string | undefined>, issuer: string): ExampleSetup {
  const provider = new SaasusMfaProvider({ env });
  const baseUrl = env.SAASUS_API_URL_BASE ?? DEFAULT_SAASUS_BASE_URL;
  return {
    mode: 'saasus',
    deps: { provider, mfa: new MfaClient({ provider, issuer }) },
    banner: [`SaaSus mode: ${baseUrl}`],
    tryIt: () => [],
    close: async () => {},
  };
}

/**
 * DEMO mode (`SAASUS_DEMO=1`): SaaSus mode against the fake SaaSus API from saasus-mfa/testing/saasus, answering in this
 * process through msw, with one demo user whose tokens the banner prints. For trying the SaaSus contract offline.
 */
export async function saasusDemo(issuer: string): Promise<ExampleSetup> {
  // Loaded only here: a production install needs neither msw nor the test kit.
  const { createFakeSaasus } = await import('saasus-mfa/testing/saasus');
  const { setupServer } = await import('msw/node');
  // A sign-in code for the banner lasts ten minutes here (SaaSus's last ten seconds), time enough to paste it.
  const fake = createFakeSaasus({ baseUrl: DEMO_BASE_URL, lifetimes: { temporaryCodeMs: 10 * 60_000 } });
  const server = setupServer(...fake.handlers);
  // msw sees only this process's outgoing requests; anything that is not the fake goes out unchanged.
  server.listen({ onUnhandledRequest: 'bypass' });
  const provider = new SaasusMfaProvider({ ...fake.credentials, baseUrl: DEMO_BASE_URL, env: {} });
  // One tenant where the demo user is admin: the official front end routes by tenants[0].envs[0].roles[0].role_name.
  const user = fake.addUser({
    email: 'demo@example.com',
    tenants: [
      {
        id: 'demo-tenant',
        name: 'Demo tenant',
        completed_sign_up: true,
        envs: [
          { id: 1, name: 'dev', display_name: 'Development', roles: [{ role_name: 'admin', display_name: 'Admin' }] },
        ],
      },
    ],
  });
  // What the hosted login page would append to the callback URL: single-use.
  const signInCode = fake.issueTemporaryCode(user.id);
  const auth = `-H 'Authorization: Bearer ${user.idToken}'`;
  const access = `-H 'X-Access-Token: ${user.accessToken}'`;
  const json = `-H 'Content-Type: application/json'`;
  return {
    mode: 'demo',
    deps: { provider, mfa: new MfaClient({ provider, issuer }) },
    banner: ['DEMO MODE (SAASUS_DEMO=1): using the in-process fake SaaSus API from saasus-mfa/testing/saasus'],
    tryIt: (url) => [
      `Demo user: ${user.email}`,
      `  ID token:     ${user.idToken}`,
      '  (a JWT valid one hour; the sign-in code below gets a fresh one with a refresh token, as the front end does)',
      `  Sign-in code: ${signInCode}`,
      `  Access token: ${user.accessToken}`,
      'Try (replace 123456 with the code an authenticator shows for secretKey; see examples/README.md):',
      `  curl -s '${url}/credentials?code=${signInCode}'`,
      `  curl -s ${url}/userinfo ${auth}`,
      `  curl -s ${url}/refresh -H 'Cookie: SaaSusRefreshToken=<refresh_token from /credentials>'`,
      `  curl -s ${url}/mfa_status ${auth}`,
      `  curl -s ${url}/mfa_setup ${auth} ${access}`,
      `  curl -s -X POST ${url}/mfa_verify ${auth} ${access} ${json} -d '{"verification_code":"123456"}'`,
      `  curl -s -X POST ${url}/mfa_enable ${auth} ${json} -d '{}'`,
      `  curl -s -X POST ${url}/mfa_disable ${auth} ${json} -d '{}'`,
    ],
    close: async () => server.close(),
  };
}
