import type { SelfHostedAuth } from '../self-hosted/auth.js';
import { ok } from './answer.js';
import { type Authenticate, type ExampleRoute, signedInRoute } from './route.js';

/**
 * The self-hosted endpoints around MFA: sign-up, login with the MFA challenge, logout, who am I. Sign-up, login and
 * the challenge read their body without a session (there is none yet); logout ends the session it was sent with.
 */
export function selfHostedRoutes(auth: SelfHostedAuth, authenticate: Authenticate): ExampleRoute[] {
  return [
    {
      method: 'POST',
      path: '/signup',
      handle: async ({ readBody }) => ({ status: 201, body: await auth.signup(await readBody()) }),
    },
    { method: 'POST', path: '/login', handle: async ({ readBody }) => ok(await auth.login(await readBody())) },
    {
      method: 'POST',
      path: '/mfa/challenge',
      handle: async ({ readBody }) => ok(await auth.completeChallenge(await readBody())),
    },
    {
      method: 'POST',
      path: '/logout',
      async handle({ bearerToken }) {
        await auth.logout(bearerToken);
        return { status: 204 };
      },
    },
    signedInRoute('GET', '/me', authenticate, async (user) => ok({ username: user.signInId })),
  ];
}
