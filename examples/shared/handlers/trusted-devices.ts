import type { MfaClient, MfaTrustedDevice } from 'saasus-mfa';
import { HttpError, ok } from './answer.js';
import { clientContext } from './client-context.js';
import { type Authenticate, type ExampleRoute, signedInRoute } from './route.js';
import { clearedTrustedDeviceCookie } from './trusted-device-cookie.js';

const noSuchDevice = () => new HttpError(404, 'not_found', 'No such trusted browser; it may have been revoked already');

/**
 * The settings' trusted browsers (self-hosted mode): the list, and revoking one or all of them. Signed in only: the
 * session says whose devices, so an id of another user's device is just "not found". No step-up: revoking only takes
 * a skipped code away (the worst a session thief can do here is make the owner type codes again), and the list
 * holds no token, hash or factor, only what the owner needs to recognise a row.
 */
export function trustedDeviceRoutes(mfa: MfaClient, authenticate: Authenticate): ExampleRoute[] {
  return [
    signedInRoute('GET', '/mfa_trusted_devices', authenticate, async (user, ctx, _body, request) => {
      const devices = await mfa.listTrustedDevices(user, clientContext(request.clientAddress, ctx));
      return ok({ devices: devices.map(listed) });
    }),
    signedInRoute(
      'POST',
      '/mfa_trusted_devices/revoke',
      authenticate,
      async (user, ctx, body, request) => {
        const id = (body as Record<string, unknown> | undefined)?.id;
        // Passed on unchecked: the SDK wants a string of 1 to 100 characters and answers 400 invalid_request otherwise.
        if (!(await mfa.revokeTrustedDevice(user, id as string, clientContext(request.clientAddress, ctx))))
          throw noSuchDevice();
        return ok({ message: 'The browser is no longer trusted' });
      },
      { readsBody: true },
    ),
    signedInRoute('POST', '/mfa_trusted_devices/revoke_all', authenticate, async (user, ctx, _body, request) => {
      const revoked = await mfa.revokeTrustedDevices(user, clientContext(request.clientAddress, ctx));
      // This browser's cookie, if it has one, is dead now: it goes too, so the page is not left holding it.
      return {
        status: 200,
        body: { message: 'No browser is trusted any more', revoked },
        headers: clearedTrustedDeviceCookie(request),
      };
    }),
  ];
}

/** A device as the page lists it: dates as ISO strings (JSON), nothing else than the SDK's public fields. */
function listed({ id, label, createdAt, lastUsedAt, expiresAt }: MfaTrustedDevice) {
  return {
    id,
    label,
    createdAt: createdAt.toISOString(),
    lastUsedAt: lastUsedAt.toISOString(),
    expiresAt: expiresAt.toISOString(),
  };
}
