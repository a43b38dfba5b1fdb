import type { IncomingMessage } from 'node:http';
import type { MfaCallContext, MfaUser } from 'saasus-mfa';
import type { ExampleAppDeps } from './deps.js';
import { mfaEndpoints } from './mfa-endpoints.js';
import { bearerTokenOf } from './request-context.js';

/** What both adapters route to, in either mode. `selfHosted` is set in self-hosted mode only. */
export function exampleRoutes(deps: ExampleAppDeps) {
  const selfHosted = 'auth' in deps ? deps.auth : undefined;
  const mfa = mfaEndpoints('auth' in deps ? deps.auth.mfa : deps.mfa, { selfHosted: selfHosted !== undefined });

  /**
   * Who is calling, from `Authorization: Bearer <token>`: self-hosted mode looks the session token up (401
   * unauthorized when unknown); SaaSus mode resolves the ID token with SaaSus (a missing or rejected one: the SDK's 401).
   */
  async function userOf(req: IncomingMessage, call: MfaCallContext): Promise<MfaUser> {
    if ('auth' in deps) return deps.auth.userFor(bearerTokenOf(req));
    const info = await deps.provider.getUserInfo(bearerTokenOf(req), call);
    return { id: info.id, email: info.email, signInId: info.signInId };
  }

  return { mfa, userOf, selfHosted };
}
