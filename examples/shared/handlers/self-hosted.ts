import type { MfaCallContext, MfaStepUpProof } from 'saasus-mfa';
import type { SelfHostedAuth } from '../self-hosted/auth.js';
import { ok } from './answer.js';
import { clientContext } from './client-context.js';
import { type Authenticate, type ExampleRoute, type SignedInHandler, signedInRoute } from './route.js';
import { deviceLabel } from './device-label.js';
import { stepUpProofOf } from './step-up.js';
import { clearedTrustedDeviceCookie, trustedDeviceCookie, trustedDeviceTokenOf } from './trusted-device-cookie.js';

/**
 * The self-hosted endpoints around MFA: sign-up, login with the MFA challenge, logout, who am I, new recovery codes.
 * Sign-up, login and the challenge read their body without a session (there is none yet), and pass the client's
 * address on (the throttle, the SDK's `clientKey`); logout ends the session it was sent with.
 */
export function selfHostedRoutes(auth: SelfHostedAuth, authenticate: Authenticate): ExampleRoute[] {
  return [
    {
      method: 'POST',
      path: '/signup',
      handle: async ({ readBody, clientAddress }) => ({
        status: 201,
        body: await auth.signup(await readBody(), clientAddress),
      }),
    },
    {
      method: 'POST',
      path: '/login',
      async handle(request) {
        const deviceToken = trustedDeviceTokenOf(request);
        const answer = await auth.login(await request.readBody(), request.clientAddress, deviceToken);
        // The password was right and the browser's cookie did not spare the code: it no longer counts (revoked,
        // expired, another user's, from before MFA was turned off). Cleared, so a dead token is not sent and checked
        // at every login; a tick of "Trust this browser" at the challenge sets a new one.
        if (deviceToken !== undefined && 'mfaRequired' in answer)
          return { status: 200, body: answer, headers: clearedTrustedDeviceCookie(request) };
        return ok(answer);
      },
    },
    {
      method: 'POST',
      path: '/mfa/challenge',
      async handle(request) {
        const label = deviceLabel(request.userAgent);
        const { deviceToken, ...answer } = await auth.completeChallenge(
          await request.readBody(),
          request.clientAddress,
          label,
        );
        // The device token goes into an HttpOnly cookie only: the page's script never holds it.
        if (deviceToken === undefined) return ok(answer);
        const headers = trustedDeviceCookie(request, deviceToken, auth.trustedDeviceTtlMs);
        return { status: 200, body: { ...answer, trustedBrowser: true }, headers };
      },
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
    // New recovery codes replace the old ones: a session alone must not be enough, so a current code comes along.
    signedInRoute(
      'POST',
      '/mfa_recovery_codes',
      authenticate,
      async (user, ctx, body, request) => {
        const options = { ...clientContext(request.clientAddress, ctx), ...stepUpProofOf(body) };
        const { recoveryCodes } = await auth.mfa.regenerateRecoveryCodes(
          user,
          options as MfaStepUpProof & MfaCallContext,
        );
        return ok({ message: 'New recovery codes; the previous ones no longer work', recoveryCodes });
      },
      { readsBody: true },
    ),
  ];
}

/**
 * `handler` (turning MFA on or off), then every other session of the user ended, the caller's kept. Only after the
 * change succeeded: a refused step-up must not let a session thief sign the owner out everywhere.
 */
export function endingOtherSessions(auth: SelfHostedAuth, handler: SignedInHandler): SignedInHandler {
  return async (user, ctx, body, request) => {
    const answer = await handler(user, ctx, body, request);
    await auth.endOtherSessions(user, request.bearerToken);
    return answer;
  };
}
