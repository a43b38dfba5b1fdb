import type { ExampleAppDeps } from '../deps.js';
import { authenticator } from './authenticate.js';
import { mfaHandlers } from './mfa.js';
import { type ExampleRoute, signedInRoute } from './route.js';
import { saasusSignInRoutes } from './saasus-sign-in.js';
import { selfHostedRoutes } from './self-hosted.js';

/**
 * Every endpoint of an example app in the mode `deps` is for: the five MFA endpoints of the official SaaSus sample
 * front end, in SaaSus mode its sign-in calls (/credentials, /refresh, /userinfo), and in self-hosted mode sign-up,
 * login, the MFA challenge, logout and /me. Each adapter registers
 * these with its router and writes their answers; it adds only CORS, the demo page and the 404.
 */
export function exampleRoutes(deps: ExampleAppDeps): ExampleRoute[] {
  const authenticate = authenticator(deps);
  const mfa = mfaHandlers('auth' in deps ? deps.auth.mfa : deps.mfa, { selfHosted: 'auth' in deps });
  const routes: ExampleRoute[] = [
    signedInRoute('GET', '/mfa_status', authenticate, mfa.status),
    signedInRoute('GET', '/mfa_setup', authenticate, mfa.setup),
    signedInRoute('POST', '/mfa_verify', authenticate, mfa.verify, { readsBody: true }),
    signedInRoute('POST', '/mfa_enable', authenticate, mfa.enable),
    signedInRoute('POST', '/mfa_disable', authenticate, mfa.disable),
  ];
  if ('auth' in deps) routes.push(...selfHostedRoutes(deps.auth, authenticate));
  else routes.push(...saasusSignInRoutes(deps.provider));
  return routes;
}
