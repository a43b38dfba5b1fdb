import type { MfaCallContext, MfaUser } from 'saasus-mfa';
import { type HttpAnswer, answerFor } from './answer.js';

/**
 * What an adapter reads from a request, in no framework's types (no `node:http`, no Express, no Koa), so the same
 * handlers can run behind a Fetch API adapter later.
 */
export interface ExampleRequest {
  /** The token of `Authorization: Bearer <token>`; '' when missing, malformed or sent twice. */
  bearerToken: string;
  /** The SDK's per-call context: access token (`X-Access-Token`), referer, and a signal aborted if the client leaves. */
  ctx: MfaCallContext;
  /** The query string's parameters (e.g. `code` of `GET /credentials?code=`). */
  query: URLSearchParams;
  /** A cookie sent with the request, or undefined (missing, or sent twice: ambiguous). */
  cookie(name: string): string | undefined;
  /** Reads the JSON body: `undefined` for another content type; rejects with an HttpError (400, 413, 415). */
  readBody(): Promise<unknown>;
  /**
   * The client's network address (the TCP peer), for the login throttle and the SDK's `clientKey`; absent when the
   * adapter cannot tell (all such requests then share one budget). Behind a reverse proxy this is the proxy: see
   * examples/README.md.
   */
  clientAddress?: string | undefined;
  /** `User-Agent`, for the label of a trusted browser (device-label.ts turns it into a few words); absent when not sent. */
  userAgent?: string | undefined;
  /**
   * Whether the request reached this server over HTTPS (a TLS socket, or an `https:` URL on a Fetch runtime): the
   * trusted-browser cookie is `Secure` then. Never read from a header such as `X-Forwarded-Proto`, which any client
   * can write; behind a TLS-terminating proxy see examples/README.md. Absent means plain HTTP.
   */
  secure?: boolean;
}

/** Bearer token → the signed-in user, or a 401 (HttpError or the SDK's MfaUnauthorizedError). */
export type Authenticate = (bearerToken: string, ctx: MfaCallContext) => Promise<MfaUser>;

/**
 * A handler for a signed-in user: the user, the SDK call context, the JSON body (undefined when not read), and the
 * request itself (its session token and client address, for the self-hosted account changes).
 */
export type SignedInHandler = (
  user: MfaUser,
  ctx: MfaCallContext,
  body: unknown,
  request: ExampleRequest,
) => Promise<HttpAnswer>;

/** One endpoint: what an adapter registers with its router. */
export interface ExampleRoute {
  method: 'GET' | 'POST';
  path: string;
  handle(request: ExampleRequest): Promise<HttpAnswer>;
}

/**
 * An endpoint for signed-in users. The caller is known before the body is read, so strangers cannot make the server
 * read one; routes without `readsBody` never read it (the front end sends `{}` to them, with nothing in it).
 */
export function signedInRoute(
  method: ExampleRoute['method'],
  path: string,
  authenticate: Authenticate,
  handler: SignedInHandler,
  { readsBody = false }: { readsBody?: boolean } = {},
): ExampleRoute {
  return {
    method,
    path,
    async handle(request) {
      const user = await authenticate(request.bearerToken, request.ctx);
      return handler(user, request.ctx, readsBody ? await request.readBody() : undefined, request);
    },
  };
}

/**
 * Runs an endpoint and always resolves to an answer: every failure becomes one here, in `answerFor`, so an adapter
 * has nothing to catch but its own bugs.
 */
export async function respond(route: ExampleRoute, request: ExampleRequest): Promise<HttpAnswer> {
  let answer: HttpAnswer;
  try {
    answer = await route.handle(request);
  } catch (error) {
    answer = answerFor(error);
  }
  // Answers carry TOTP secrets, recovery codes and session tokens: no browser or proxy may keep a copy of any of them.
  return { ...answer, headers: { ...answer.headers, 'Cache-Control': 'no-store' } };
}
