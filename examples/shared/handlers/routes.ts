import type { ExampleAppDeps } from '../deps.js';
import { authenticator } from './authenticate.js';
import { mfaHandlers } from './mfa.js';
import { type ExampleRoute, type SignedInHandler, signedInRoute } from './route.js';
import { saasusSignInRoutes } from './saasus-sign-in.js';
import { endingOtherSessions, selfHostedRoutes } from './self-hosted.js';
import { trustedDeviceRoutes } from './trusted-devices.js';

/**
 * Every endpoint of an example app in the mode `deps` is for: the five MFA endpoints of the official SaaSus sample
 * front end, in SaaSus mode its sign-in calls (/credentials, /refresh, /userinfo), and in self-hosted mode sign-up,
 * login, the MFA challenge, logout, /me, new recovery codes and the trusted browsers. Each adapter registers
 * these with its router and writes their answers; it adds only CORS, the demo page and the 404.
 *
 * Self-hosted mode adds to the five MFA endpoints: `/mfa_disable` reads a current code from its body (the step-up),
 * and turning MFA on or off ends the user's other sessions. SaaSus mode keeps the official front end's contract.
 */
export function exampleRoutes(deps: ExampleAppDeps): ExampleRoute[] {
  const authenticate = authenticator(deps);
  const selfHosted = 'auth' in deps;
  const mfa = mfaHandlers(selfHosted ? deps.auth.mfa : deps.mfa, { selfHosted });
  const accountChange = (handler: SignedInHandler) => (selfHosted ? endingOtherSessions(deps.auth, handler) : handler);
  const routes: ExampleRoute[] = [
    signedInRoute('GET', '/mfa_status', authenticate, mfa.status),
    signedInRoute('GET', '/mfa_setup', authenticate, mfa.setup),
    signedInRoute('POST', '/mfa_verify', authenticate, mfa.verify, { readsBody: true }),
    signedInRoute('POST', '/mfa_enable', authenticate, accountChange(mfa.enable)),
    signedInRoute('POST', '/mfa_disable', authenticate, accountChange(mfa.disable), { readsBody: selfHosted }),
  ];
  if ('auth' in deps)
    routes.push(...selfHostedRoutes(deps.auth, authenticate), ...trustedDeviceRoutes(deps.auth.mfa, authenticate));
  else routes.push(...saasusSignInRoutes(deps.provider));
  return routes;
}
