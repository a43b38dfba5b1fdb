import { expect } from 'vitest';
import type { Exchange } from './example-http.js';

/** A line of a V8 stack trace ("    at fn (file.ts:1:2)") or a source location: never in a response. */
const STACK_TRACE = /^\s*at\s|\(?[\w./\\-]+\.(?:ts|js|mjs|cjs):\d+:\d+\)?|node_modules/m;
const ERROR_BODY_KEYS = new Set(['error', 'code', 'reason', 'retryAfterMs', 'attemptsRemaining']);

export interface Watched {
  /** ID and access tokens: never in any response. */
  tokens: string[];
  /** TOTP secrets: only in the body of a 200 from GET /mfa_setup. */
  secrets: string[];
}

/** Every answer is safe to show a browser: no token, no secret outside setup, no stack trace, errors as {error, code}. */
export function expectSafeResponses(exchanges: readonly Exchange[], watched: Watched): void {
  for (const exchange of exchanges) {
    const where = `${exchange.method} ${exchange.path} → ${exchange.status}`;
    for (const token of watched.tokens) expect(exchange.text, `${where} leaks a token`).not.toContain(token);
    if (!(exchange.path === '/mfa_setup' && exchange.status === 200)) {
      for (const secret of watched.secrets) expect(exchange.text, `${where} leaks the secret`).not.toContain(secret);
    }
    expect(exchange.text, `${where} shows a stack trace`).not.toMatch(STACK_TRACE);
    if (exchange.status >= 400) expectErrorBody(exchange, where);
  }
}

function expectErrorBody(exchange: Exchange, where: string): void {
  const body = exchange.body as Record<string, unknown> | undefined;
  expect(exchange.headers.get('content-type'), where).toMatch(/^application\/json/);
  expect(typeof body?.error, `${where}: error`).toBe('string');
  expect(typeof body?.code, `${where}: code`).toBe('string');
  for (const key of Object.keys(body ?? {}))
    expect(ERROR_BODY_KEYS.has(key), `${where}: unexpected key ${key}`).toBe(true);
}
