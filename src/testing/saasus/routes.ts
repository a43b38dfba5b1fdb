import { randomUUID } from 'node:crypto';
import { type HttpHandler, HttpResponse, http } from 'msw';
import type { FakeAnswer } from './answers.js';
import { credentialsOperation } from './credentials.js';
import type { FakeSaasusFailure, FakeSaasusOperation } from './faults.js';

const TRACE_HEADER = 'X-SaaSus-Trace-Id';

/** Runs one operation for a request: `answer` gets the parsed JSON body and the query. */
export type ServeOperation = (
  operation: FakeSaasusOperation,
  request: Request,
  answer: (body: unknown, query: URLSearchParams) => FakeAnswer,
) => Promise<Response>;

export interface FakeSaasusOperations {
  getPreference(userId: string): FakeAnswer;
  updatePreference(userId: string, body: unknown): FakeAnswer;
  createSecretCode(userId: string, body: unknown): FakeAnswer;
  registerSoftwareToken(userId: string, body: unknown): FakeAnswer;
  getUserInfo(query: URLSearchParams): FakeAnswer;
  getCredentials(query: URLSearchParams): FakeAnswer;
}

/** The SaaSus Auth API paths the fake answers, as msw handlers, each routed to its operation. */
export function saasusRoutes(auth: string, serve: ServeOperation, operations: FakeSaasusOperations): HttpHandler[] {
  return [
    http.get(`${auth}/users/:userId/mfa/preference`, ({ request, params }) =>
      serve('getPreference', request, () => operations.getPreference(String(params.userId))),
    ),
    http.patch(`${auth}/users/:userId/mfa/preference`, ({ request, params }) =>
      serve('updatePreference', request, (body) => operations.updatePreference(String(params.userId), body)),
    ),
    http.post(`${auth}/users/:userId/mfa/software-token/secret-code`, ({ request, params }) =>
      serve('createSecretCode', request, (body) => operations.createSecretCode(String(params.userId), body)),
    ),
    http.put(`${auth}/users/:userId/mfa/software-token`, ({ request, params }) =>
      serve('registerSoftwareToken', request, (body) => operations.registerSoftwareToken(String(params.userId), body)),
    ),
    http.get(`${auth}/userinfo`, ({ request }) =>
      serve('getUserInfo', request, (_body, query) => operations.getUserInfo(query)),
    ),
    http.get(`${auth}/credentials`, ({ request }) =>
      serve(credentialsOperation(new URL(request.url).searchParams), request, (_body, query) =>
        operations.getCredentials(query),
      ),
    ),
  ];
}

/** An answer as SaaSus sends it: JSON (or no body), with a trace id. */
export function answerResponse(answer: FakeAnswer): Response {
  const headers = { [TRACE_HEADER]: randomUUID() };
  if (answer.body === undefined) return new HttpResponse(null, { status: answer.status, headers });
  return HttpResponse.json(answer.body as Record<string, unknown>, { status: answer.status, headers });
}

/** An injected HTTP failure (not a reset or a delay), with its own headers, text or JSON. */
export function injectedResponse(injected: Extract<FakeSaasusFailure, { status: number }>): Response {
  const headers = { [TRACE_HEADER]: randomUUID(), ...injected.headers };
  if (injected.text !== undefined) {
    return new HttpResponse(injected.text, {
      status: injected.status,
      headers: { 'Content-Type': injected.contentType ?? 'text/html', ...headers },
    });
  }
  if (injected.body === undefined) return new HttpResponse(null, { status: injected.status, headers });
  return HttpResponse.json(injected.body as Record<string, unknown>, { status: injected.status, headers });
}

export const networkError = (): Response => HttpResponse.error();
