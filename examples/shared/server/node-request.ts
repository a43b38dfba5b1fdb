import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MfaCallContext } from 'saasus-mfa';
import type { ExampleRequest } from '../handlers/route.js';
import { readJsonBody } from './json-body.js';
import { cookieFrom } from './cookie.js';

/**
 * A Node request as the shared handlers see it: the bearer token, the SDK call context, and the JSON body reader
 * (16 kB at most), which a handler calls only once the caller is known. Express and Koa both hand over Node's
 * request and response, so both adapters build it here.
 */
export function nodeRequest(req: IncomingMessage, res: ServerResponse): ExampleRequest {
  return {
    bearerToken: bearerTokenOf(req),
    ctx: callContext(req, res),
    query: queryOf(req.url ?? ''),
    cookie: (name) => cookieFrom(req.headers.cookie, name),
    readBody: () => readJsonBody(req),
    // The TCP peer, never a header: X-Forwarded-For is whatever the client wrote unless a proxy you run overwrites it.
    clientAddress: req.socket.remoteAddress,
    userAgent: header(req, 'user-agent'),
    // A TLS socket (an `https` server) sets `encrypted`; a header cannot: whoever sends the request writes those.
    secure: (req.socket as { encrypted?: unknown }).encrypted === true,
  };
}

/** What follows the first `?` of the request target; URLSearchParams reads any text without throwing. */
function queryOf(target: string): URLSearchParams {
  const start = target.indexOf('?');
  return new URLSearchParams(start === -1 ? '' : target.slice(start + 1));
}

/**
 * The token from `Authorization: Bearer <token>`, or ''. SaaSus mode: the ID token (the SDK answers 401 for '').
 * Self-hosted mode: the session token (no session has the empty token, so 401 too).
 */
function bearerTokenOf(req: IncomingMessage): string {
  return /^Bearer +(\S+) *$/i.exec(credentialHeader(req, 'authorization') ?? '')?.[1] ?? '';
}

/**
 * A header that carries a credential, or undefined when it is missing or sent more than once. Node keeps the first
 * of two `Authorization` headers and joins two `X-Access-Token` headers with ", "; a proxy in front may pick another
 * one. Two credentials in one request are ambiguous, so neither is used (the caller answers 401).
 */
function credentialHeader(req: IncomingMessage, name: string): string | undefined {
  let count = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i]?.toLowerCase() === name) count++;
  return count === 1 ? header(req, name) : undefined;
}

/** The per-call context the SDK wants, read from the request the front end sent. */
function callContext(req: IncomingMessage, res: ServerResponse): MfaCallContext {
  return {
    // Needed by setup and verify only; when it is missing the SDK throws MfaUnauthorizedError (401) before any call.
    accessToken: credentialHeader(req, 'x-access-token'),
    // SaaSus wants the end user's page; the sample front end sends it as X-SaaSus-Referer.
    referer: header(req, 'x-saasus-referer') ?? header(req, 'referer'),
    signal: abortedOnDisconnect(res),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Aborts the SaaSus calls (and their retries) when the client goes away: nobody is waiting for the answer. */
function abortedOnDisconnect(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  // 'close' also follows a normal response; only a close before the response finished means the client left.
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
