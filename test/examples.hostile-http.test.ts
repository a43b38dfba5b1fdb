import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { memoryBackend } from '../examples/shared/self-hosted/backends.js';
import { selfHostedDeps } from '../examples/shared/self-hosted/setup.js';
import { EXAMPLE_APPS, type RunningApp, listen } from './support/example-apps.js';
import { useFakeSaasus } from './support/fake-saasus.js';
import { type RawAnswer, httpRequest, rawRequest } from './support/raw-http.js';
import { TEST_KEY } from './support/totp.js';

/**
 * Injection and malformed-request tests against both example apps in both modes, over raw TCP: malformed JSON, wrong
 * content types and charsets, huge bodies and headers, conflicting lengths, missing and duplicated headers, odd
 * methods and paths, plus fast-check generated requests. Invariant for every answer: never a 5xx, every refusal a
 * 4xx JSON `{ error, code }`, no stack trace, no file path, no token echoed.
 */
const { fake, client, provider } = useFakeSaasus();

interface Target {
  app: RunningApp;
  /** A valid `Authorization` value, to get past authentication. */
  bearer: string;
  /** Header values that must never come back in an answer. */
  secrets: string[];
  paths: Array<[method: string, path: string]>;
  /** Called before each test: the fake SaaSus forgets its users after every test, so SaaSus mode adds one again. */
  refresh(): void;
}

const MFA_PATHS: Array<[string, string]> = [
  ['GET', '/mfa_status'],
  ['GET', '/mfa_setup'],
  ['POST', '/mfa_verify'],
  ['POST', '/mfa_enable'],
  ['POST', '/mfa_disable'],
];
const SELF_HOSTED_PATHS: Array<[string, string]> = [
  ['POST', '/signup'],
  ['POST', '/login'],
  ['POST', '/mfa/challenge'],
  ['POST', '/logout'],
  ['GET', '/me'],
  ['GET', '/mfa_trusted_devices'],
  ['POST', '/mfa_trusted_devices/revoke'],
  ['POST', '/mfa_trusted_devices/revoke_all'],
  ...MFA_PATHS,
];

const MODES = [
  {
    mode: 'self-hosted',
    async start(create: (typeof EXAMPLE_APPS)[number]['create']): Promise<Target> {
      const app = await listen(create(selfHostedDeps(memoryBackend(), { provider: { encryptionKey: TEST_KEY } })));
      const signup = await fetch(`${app.url}/signup`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: `mallory.${Date.now()}`, password: 'correct horse battery' }),
      });
      const { token } = (await signup.json()) as { token: string };
      return {
        app,
        bearer: `Bearer ${token}`,
        secrets: [token, 'correct horse battery'],
        paths: SELF_HOSTED_PATHS,
        refresh() {},
      };
    },
  },
  {
    mode: 'SaaSus',
    async start(create: (typeof EXAMPLE_APPS)[number]['create']): Promise<Target> {
      const app = await listen(create({ mfa: client(), provider: provider(), corsOrigin: 'http://localhost:5173' }));
      const target: Target = {
        app,
        bearer: '',
        secrets: [],
        paths: MFA_PATHS,
        refresh() {
          const user = fake.addUser({ email: 'mallory@example.com' });
          target.bearer = `Bearer ${user.idToken}`;
          target.secrets = [user.idToken, user.accessToken];
        },
      };
      return target;
    },
  },
];

/** What every answer to a hostile request must look like. */
function expectSafeRefusal(answer: RawAnswer, target: Target, what: string): void {
  expect(answer.status, `${what} → ${answer.status} ${answer.text}`).toBeGreaterThanOrEqual(200);
  expect(answer.status, `${what} → ${answer.status} ${answer.text}`).toBeLessThan(500);
  if (answer.status >= 400) {
    const body = answer.body as { error?: unknown; code?: unknown } | undefined;
    expect(typeof body?.error, `${what}: ${answer.text}`).toBe('string');
    expect(typeof body?.code, `${what}: ${answer.text}`).toBe('string');
  }
  // No stack frame, no file path, no credential from the request in the answer (headers included).
  const whole = `${answer.headers.join('\n')}\n${answer.text}`;
  expect(whole, what).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|\/work\//);
  for (const secret of target.secrets) expect(whole.includes(secret), `${what} echoed a credential`).toBe(false);
}

describe.each(EXAMPLE_APPS)('$name example app', ({ create }) => {
  describe.each(MODES)('$mode mode, hostile HTTP', ({ start }) => {
    let target: Target;
    beforeAll(async () => {
      target = await start(create);
    });
    afterAll(() => target?.app.close());
    beforeEach(() => target.refresh());

    const send = (request: string | Buffer) => rawRequest(target.app.url, request);
    const post = (path: string, headers: Array<[string, string]>, body: string) =>
      httpRequest(
        'POST',
        path,
        [['Authorization', target.bearer], ['Content-Length', String(Buffer.byteLength(body))], ...headers],
        body,
      );

    it('injection: malformed JSON and bodies that are JSON but not an object answer 400 invalid_request', async () => {
      const json: Array<[string, string]> = [['Content-Type', 'application/json']];
      const bodies = [
        '{',
        '{"verification_code": "123456"',
        "{'a': 1}",
        '{"a":1}}',
        'null',
        '[]',
        '"123456"',
        '1e999',
        '\u0000',
        '[1,',
        '{"__proto__": ',
      ];
      for (const body of bodies) {
        const answer = await send(post('/mfa_verify', json, body));
        expectSafeRefusal(answer, target, `body ${JSON.stringify(body)}`);
        expect(answer.status, `body ${JSON.stringify(body)}`).toBe(400);
      }
    });

    it('injection: deeply nested JSON within the size limit is refused, not a crash', async () => {
      const deep = `${'['.repeat(6_000)}${']'.repeat(6_000)}`;
      const nestedObject = `${'{"a":'.repeat(2_500)}1${'}'.repeat(2_500)}`;
      for (const body of [deep, nestedObject]) {
        const answer = await send(post('/mfa_verify', [['Content-Type', 'application/json']], body));
        expectSafeRefusal(answer, target, 'deeply nested body');
        expect(answer.status).toBe(400);
      }
    });

    it('injection: prototype-pollution keys in the body change nothing outside the request', async () => {
      const body =
        '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}, "verification_code": "000000"}';
      const answer = await send(post('/mfa_verify', [['Content-Type', 'application/json']], body));
      expectSafeRefusal(answer, target, 'pollution body');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    });

    it('wrong content types and charsets are refused with a 4xx (400 or 415), the body unread as JSON', async () => {
      const body = '{"verification_code":"123456"}';
      const types = [
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/xml',
        'application/json; charset=utf-16',
        'application/json; charset=no-such-charset',
      ];
      for (const type of types) {
        const answer = await send(post('/mfa_verify', [['Content-Type', type]], body));
        expectSafeRefusal(answer, target, type);
        expect(answer.status, type).toBeGreaterThanOrEqual(400);
      }
      const noType = await send(post('/mfa_verify', [], body));
      expectSafeRefusal(noType, target, 'no Content-Type');
      expect(noType.status).toBeGreaterThanOrEqual(400);
    });

    it('huge bodies: over the 16 kB limit answer 413, declared or chunked, without reading them whole', async () => {
      const big = JSON.stringify({ verification_code: '123456', pad: 'x'.repeat(64 * 1024) });
      const declared = await send(post('/mfa_verify', [['Content-Type', 'application/json']], big));
      expectSafeRefusal(declared, target, 'declared 64 kB');
      expect(declared.status).toBe(413);

      // A length announced far over the limit is refused from the header alone: the server does not wait for 1 GB.
      const announced = httpRequest(
        'POST',
        '/mfa_verify',
        [
          ['Authorization', target.bearer],
          ['Content-Type', 'application/json'],
          ['Content-Length', '1000000000'],
        ],
        '{}',
      );
      const lying = await send(announced);
      expectSafeRefusal(lying, target, 'announced 1 GB');
      expect(lying.status).toBe(413);

      const chunk = (text: string) => `${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`;
      const chunked = httpRequest(
        'POST',
        '/mfa_verify',
        [
          ['Authorization', target.bearer],
          ['Content-Type', 'application/json'],
          ['Transfer-Encoding', 'chunked'],
        ],
        '',
      );
      const pieces = Array.from({ length: 8 }, () => chunk('x'.repeat(8 * 1024))).join('');
      const streamed = await send(`${chunked}${pieces}0\r\n\r\n`);
      expectSafeRefusal(streamed, target, 'chunked 64 kB');
      expect(streamed.status).toBe(413);
    });

    it('request smuggling shapes: conflicting lengths, length plus chunked, oversized headers get a JSON 4xx from the server', async () => {
      const cases: Array<[string, string]> = [
        [
          'two different Content-Length',
          `POST /mfa_verify HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${target.bearer}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 30\r\nConnection: close\r\n\r\n{}`,
        ],
        [
          'Content-Length with chunked',
          `POST /mfa_verify HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${target.bearer}\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
        ],
        [
          'a header line without a colon',
          `GET /mfa_status HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization ${target.bearer}\r\nConnection: close\r\n\r\n`,
        ],
        [
          'a 64 kB header',
          httpRequest('GET', '/mfa_status', [
            ['Authorization', target.bearer],
            ['Cookie', `a=${'x'.repeat(64 * 1024)}`],
          ]),
        ],
        ['not HTTP at all', 'HELLO\r\n\r\n'],
      ];
      for (const [what, request] of cases) {
        const answer = await send(request);
        expectSafeRefusal(answer, target, what);
        expect(answer.status, what).toBeGreaterThanOrEqual(400);
      }
    });

    it('missing and duplicated credentials: no bearer, two different bearers, or two access tokens answer 401', async () => {
      const other = 'Bearer someone-elses-token';
      const cases: Array<[string, Array<[string, string]>]> = [
        ['no Authorization', []],
        ['empty Authorization', [['Authorization', '']]],
        ['Basic instead of Bearer', [['Authorization', 'Basic bWFsbG9yeTpwdw==']]],
        [
          'two Authorization headers, valid first',
          [
            ['Authorization', target.bearer],
            ['Authorization', other],
          ],
        ],
        [
          'two Authorization headers, valid second',
          [
            ['Authorization', other],
            ['Authorization', target.bearer],
          ],
        ],
        [
          'the same valid Authorization twice',
          [
            ['Authorization', target.bearer],
            ['Authorization', target.bearer],
          ],
        ],
      ];
      for (const [what, headers] of cases) {
        const answer = await send(httpRequest('GET', '/mfa_status', headers));
        expectSafeRefusal(answer, target, what);
        expect(answer.status, what).toBe(401);
      }
      // Duplicated headers that carry no credential are harmless: the valid bearer still works.
      const benign = await send(
        httpRequest('GET', '/mfa_status', [
          ['Authorization', target.bearer],
          ['Accept', 'application/json'],
          ['Accept', 'text/html'],
          ['X-Requested-With', 'a'],
          ['X-Requested-With', 'b'],
        ]),
      );
      expectSafeRefusal(benign, target, 'duplicated Accept');
      expect(benign.status).toBe(200);
    });

    it('odd methods and paths answer a JSON 404 (or the page), never a file from the disk', async () => {
      const methods = ['PUT', 'DELETE', 'PATCH', 'TRACE', 'PROPFIND'];
      for (const [, path] of target.paths) {
        for (const method of methods) {
          const answer = await send(httpRequest(method, path, [['Authorization', target.bearer]]));
          expectSafeRefusal(answer, target, `${method} ${path}`);
          expect(answer.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
        }
      }
      const paths = [
        '/%2e%2e/package.json',
        '/..%2f..%2fetc%2fpasswd',
        '/app.js/../../package.json',
        '/%00',
        '/mfa_status%00',
        `/${'a'.repeat(6_000)}`,
        '/page/index.html',
        '/.env',
      ];
      for (const path of paths) {
        const answer = await send(httpRequest('GET', path, [['Authorization', target.bearer]]));
        expectSafeRefusal(answer, target, `GET ${path.slice(0, 40)}`);
        expect(answer.status, path.slice(0, 40)).toBe(404);
        expect(answer.text).not.toContain('"dependencies"');
      }
    });

    it('injection (property-based): any method, path, headers and body get a safe answer, and pollute nothing', async () => {
      const headerName = fc.constantFrom(
        'Authorization',
        'Content-Type',
        'Content-Length',
        'X-Access-Token',
        'X-SaaSus-Referer',
        'Origin',
        'Cookie',
        'Accept',
        'X-Forwarded-For',
        '__proto__',
        'constructor',
      );
      // Header values without CR/LF (those would be framing, covered above), but with other control characters.
      const headerValue = fc.oneof(
        fc.string({ unit: fc.constantFrom(...'abc123 -_,;=/+*"\'<>\t\u0001\u007f'.split('')), maxLength: 40 }),
        fc.constantFrom(
          'application/json',
          'text/plain',
          target.bearer,
          'Bearer ',
          'Bearer a b',
          '0',
          '-1',
          '99999999999',
          '__proto__',
        ),
      );
      const jsonish = fc.oneof(
        fc.jsonValue().map((value) => JSON.stringify(value)),
        fc
          .dictionary(
            fc.constantFrom(
              'verification_code',
              'username',
              'password',
              'challenge',
              'code',
              '__proto__',
              'constructor',
            ),
            fc.jsonValue(),
          )
          .map((value) => JSON.stringify(value)),
        fc.string({ maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 100 }),
      );
      const request = fc.record({
        route: fc.constantFrom(...target.paths),
        method: fc.constantFrom('GET', 'POST', 'POST', 'PUT', 'OPTIONS', 'HEAD'),
        query: fc.constantFrom('', '?a=1&a=2', '?__proto__[x]=1', '?verification_code=123456'),
        headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 6 }),
        body: jsonish,
      });
      await fc.assert(
        fc.asyncProperty(request, async ({ route, method, query, headers, body }) => {
          const withoutLength = headers.filter(([name]) => name !== 'Content-Length');
          const lengths: Array<[string, string]> =
            method === 'GET' || method === 'HEAD' ? [] : [['Content-Length', String(Buffer.byteLength(body))]];
          const text = httpRequest(
            method,
            route[1] + query,
            [...withoutLength, ...lengths],
            lengths.length ? body : '',
          );
          const answer = await send(text);
          const what = `${method} ${route[1]}${query} ${JSON.stringify(headers)} ${JSON.stringify(body).slice(0, 80)}`;
          // A preflight and HEAD answer without a body; everything else follows the rule.
          if (method === 'OPTIONS' || method === 'HEAD') expect(answer.status, what).toBeLessThan(500);
          else expectSafeRefusal(answer, target, what);
          expect(Object.prototype).not.toHaveProperty('x');
          expect(Object.prototype).not.toHaveProperty('polluted');
        }),
        { numRuns: 150 },
      );
    });
  });
});
