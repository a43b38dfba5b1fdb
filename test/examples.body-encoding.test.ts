import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryBackend } from '../examples/shared/self-hosted/backends.js';
import { selfHostedDeps } from '../examples/shared/self-hosted/setup.js';
import { EXAMPLE_APPS, type RunningApp, listen } from './support/example-apps.js';
import { exampleHttp } from './support/example-http.js';
import { newCredentials } from './support/example-self-hosted.js';

/**
 * Both apps read JSON bodies with one reader (examples/shared/server/json-body.ts). It reads UTF-8 only and never
 * inflates: a body in another charset or compressed is refused with 415 before it is parsed, as express.json did,
 * so no body is ever read as something other than what was sent.
 */
describe.each(EXAMPLE_APPS)('$name example app, JSON body encodings', ({ create }) => {
  let app: RunningApp;
  const { call } = exampleHttp(() => app.url);
  beforeAll(async () => {
    const deps = selfHostedDeps(memoryBackend(), { provider: { encryptionKey: randomBytes(32), env: {} } });
    app = await listen(create(deps));
  });
  afterAll(() => app.close());

  it('encoding confusion: another charset or a compressed body answers 415 invalid_request, unparsed', async () => {
    const json = JSON.stringify(newCredentials());
    const refusals: Array<{ headers: Record<string, string>; rawBody: string }> = [
      { headers: { 'Content-Type': 'application/json; charset=latin1' }, rawBody: json },
      { headers: { 'Content-Type': 'application/json; charset="utf-16"' }, rawBody: json },
      { headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, rawBody: json },
    ];
    for (const options of refusals) {
      const answer = await call('/signup', { method: 'POST', ...options });
      expect(answer, JSON.stringify(options.headers)).toMatchObject({
        status: 415,
        body: { error: 'The request could not be read', code: 'invalid_request' },
      });
    }
    const response = await fetch(`${app.url}/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: gzipSync(json),
    });
    expect(response.status).toBe(415);
  });

  it('UTF-8 however it is spelled is read', async () => {
    for (const charset of ['utf-8', 'UTF-8', '"utf-8"']) {
      const answer = await call('/signup', {
        method: 'POST',
        headers: { 'Content-Type': `application/json; charset=${charset}` },
        rawBody: JSON.stringify(newCredentials()),
      });
      expect(answer.status, charset).toBe(201);
    }
  });
});
