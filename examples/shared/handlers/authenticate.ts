import type { ExampleAppDeps } from '../deps.js';
import type { Authenticate } from './route.js';

/**
 * Who is calling, from the bearer token: self-hosted mode looks the session token up (401 unauthorized when
 * unknown); SaaSus mode resolves the ID token with SaaSus (a missing or rejected one: the SDK's 401).
 */
export function authenticator(deps: ExampleAppDeps): Authenticate {
  if ('auth' in deps) return (sessionToken) => deps.auth.userFor(sessionToken);
  return async (idToken, ctx) => {
    const info = await deps.provider.getUserInfo(idToken, ctx);
    return { id: info.id, email: info.email, signInId: info.signInId };
  };
}
