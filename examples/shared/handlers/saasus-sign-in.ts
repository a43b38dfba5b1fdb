import type { SaasusAppDeps } from '../deps.js';
import type { HttpAnswer } from './answer.js';
import type { ExampleRoute } from './route.js';

/** The cookie the official front end writes the refresh token into itself, and sends back `withCredentials`. */
export const REFRESH_TOKEN_COOKIE = 'SaaSusRefreshToken';

// Tokens must not stay in a browser or proxy cache.
const NO_STORE = { 'Cache-Control': 'no-store' };
const tokens = (body: unknown): HttpAnswer => ({ status: 200, body, headers: NO_STORE });

/**
 * The sign-in endpoints of the official SaaSus sample front end, over the SDK (saasus-api.md, "Signing in"):
 * - `GET /credentials?code=` exchanges the hosted login page's temporary code for the three tokens;
 * - `GET /refresh` gives a new ID and access token for the `SaaSusRefreshToken` cookie;
 * - `GET /userinfo` (Bearer ID token) answers the user as SaaSus describes them, tenants, envs and roles included,
 *   in SaaSus's snake_case, which the front end reads (`tenants[0].envs[0].roles[0].role_name`).
 * Failures are the SDK's typed errors: 400 for a malformed code, 401 for a used, expired or rejected one, 502 when
 * SaaSus fails. No token reaches an error body or a log line.
 */
export function saasusSignInRoutes(provider: SaasusAppDeps['provider']): ExampleRoute[] {
  return [
    {
      method: 'GET',
      path: '/credentials',
      async handle({ query, ctx }) {
        // Two `code` parameters are ambiguous: treated as none, so the SDK answers 400 before any call.
        const codes = query.getAll('code');
        const { idToken, accessToken, refreshToken } = await provider.exchangeTemporaryCode(
          codes.length === 1 ? codes[0]! : '',
          ctx,
        );
        return tokens({ id_token: idToken, access_token: accessToken, refresh_token: refreshToken });
      },
    },
    {
      method: 'GET',
      path: '/refresh',
      async handle({ cookie, ctx }) {
        // No cookie (or two): the SDK's 401 missing_refresh_token, and the front end goes to the login page.
        const { idToken, accessToken } = await provider.refreshSession(cookie(REFRESH_TOKEN_COOKIE) ?? '', ctx);
        return tokens({ id_token: idToken, access_token: accessToken });
      },
    },
    {
      method: 'GET',
      path: '/userinfo',
      async handle({ bearerToken, ctx }) {
        const info = await provider.getUserInfo(bearerToken, ctx);
        return tokens({
          id: info.id,
          email: info.email,
          sign_in_id: info.signInId,
          user_attribute: info.attributes,
          tenants: info.tenants,
        });
      },
    },
  ];
}
