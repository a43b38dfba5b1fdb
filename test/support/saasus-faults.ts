import { HttpResponse, delay, http, type HttpHandler } from 'msw';
import type { SetupServer } from 'msw/node';

/** The SDK calls under test, by the HTTP request each one makes to SaaSus. */
export type FaultedCall = 'getStatus' | 'createSetup' | 'verify' | 'enable' | 'disable' | 'getUserInfo';

export const CALL_REQUESTS: Record<FaultedCall, { method: 'GET' | 'POST' | 'PUT' | 'PATCH'; path: string }> = {
  getStatus: { method: 'GET', path: '/v1/auth/users/:userId/mfa/preference' },
  createSetup: { method: 'POST', path: '/v1/auth/users/:userId/mfa/software-token/secret-code' },
  verify: { method: 'PUT', path: '/v1/auth/users/:userId/mfa/software-token' },
  enable: { method: 'PATCH', path: '/v1/auth/users/:userId/mfa/preference' },
  disable: { method: 'PATCH', path: '/v1/auth/users/:userId/mfa/preference' },
  getUserInfo: { method: 'GET', path: '/v1/auth/userinfo' },
};

/** What SaaSus (or whatever stands between) does instead of answering properly. */
export type SaasusFault =
  /** Accepts the request and never answers. */
  | { kind: 'no_answer' }
  /** Answers normally (an empty 200), but only after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /** The connection drops before any answer. */
  | { kind: 'reset' }
  /** Status and headers arrive, then the connection drops halfway through the body. */
  | { kind: 'reset_mid_body'; status: number }
  /** Status and headers arrive, then the body stops flowing and never ends. */
  | { kind: 'stalled_body'; status: number }
  /** An HTTP answer with exactly this body text (JSON, HTML, garbage or nothing). */
  | { kind: 'answer'; status: number; text?: string; contentType?: string; headers?: Record<string, string> };

const encoder = new TextEncoder();

function response(fault: SaasusFault): Promise<Response> | Response {
  switch (fault.kind) {
    case 'no_answer':
      return delay('infinite').then(() => HttpResponse.error());
    case 'slow':
      return delay(fault.delayMs).then(() => new HttpResponse(null, { status: 200 }));
    case 'reset':
      return HttpResponse.error();
    case 'reset_mid_body':
      return new HttpResponse(
        new ReadableStream({
          start(controller) {
            controller.enqueue(encoder.encode('{"enabled": tr'));
            setTimeout(() => controller.error(new Error('connection reset by peer')), 20);
          },
        }),
        { status: fault.status, headers: { 'Content-Type': 'application/json' } },
      );
    case 'stalled_body':
      return new HttpResponse(
        new ReadableStream({
          start(controller) {
            controller.enqueue(encoder.encode('{"enabled": '));
          },
        }),
        { status: fault.status, headers: { 'Content-Type': 'application/json' } },
      );
    case 'answer': {
      const headers = { 'Content-Type': fault.contentType ?? 'application/json', ...fault.headers };
      return new HttpResponse(fault.text ?? null, { status: fault.status, headers });
    }
  }
}

/**
 * An msw handler answering `call`'s request with `fault`, in front of the fake SaaSus. `times` limits how many
 * requests it takes (then the fake answers again); without it every attempt gets the fault.
 */
export function faultHandlers(baseUrl: string, call: FaultedCall, fault: SaasusFault, times?: number): HttpHandler[] {
  const { method, path } = CALL_REQUESTS[call];
  const route = http[method.toLowerCase() as 'get' | 'post' | 'put' | 'patch'];
  const resolver = () => response(fault);
  if (times === undefined) return [route(`${baseUrl}${path}`, resolver)];
  return Array.from({ length: times }, () => route(`${baseUrl}${path}`, resolver, { once: true }));
}

export interface LoggedRequest {
  method: string;
  host: string;
  /** Path without query. */
  path: string;
  authorization: string | null;
}

/**
 * Counts every request that reaches the (fake) network, whichever handler answers it, from msw's own event stream:
 * an independent count of what the SDK sent, per method and path.
 */
export function logRequests(server: SetupServer) {
  const requests: LoggedRequest[] = [];
  const listener = ({ request }: { request: Request }) => {
    const url = new URL(request.url);
    requests.push({
      method: request.method,
      host: url.host,
      path: url.pathname,
      authorization: request.headers.get('authorization'),
    });
  };
  server.events.on('request:start', listener);
  return {
    requests,
    /** How many requests `call`'s method reached its path (`:userId` matches one segment). */
    countOf(call: FaultedCall): number {
      const { method, path } = CALL_REQUESTS[call];
      const pattern = new RegExp(`^${path.replace(':userId', '[^/]+')}$`);
      return requests.filter((request) => request.method === method && pattern.test(request.path)).length;
    },
    /** Every Authorization header sent, and the signature inside each. */
    credentialsSent(): string[] {
      return requests.flatMap((request) => {
        const header = request.authorization ?? '';
        const sig = /Sig=([0-9a-f]+)/.exec(header)?.[1];
        return sig ? [header, sig] : header ? [header] : [];
      });
    },
    clear(): void {
      requests.length = 0;
    },
    dispose(): void {
      server.events.removeListener('request:start', listener);
    },
  };
}

/** Collects unhandled rejections (and uncaught exceptions) while installed. */
export function watchUnhandled() {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown) => void seen.push(reason);
  const onException = (error: unknown) => void seen.push(error);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    seen,
    dispose(): void {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}
