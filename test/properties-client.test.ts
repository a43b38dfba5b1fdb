import { inspect } from 'node:util';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  MfaClient,
  MfaConfigurationError,
  MfaUnauthorizedError,
  MfaValidationError,
  isMfaError,
} from '../src/index.js';
import { MemoryMfaStore, TotpMfaProvider } from '../src/totp/index.js';
import { useFakeSaasus } from './support/fake-saasus.js';
import { echoDetectable, everythingSaidBy } from './support/leak-search.js';
import {
  hostileCode,
  hostileContext,
  hostileUser,
  plausibleCode,
  plausibleEmail,
  plausibleToken,
  plausibleUserId,
  prototypeChanges,
  snapshotPrototypes,
} from './support/hostile.js';
import { TEST_KEY } from './support/totp.js';

const { fake, provider } = useFakeSaasus();

const NUM_RUNS = 300;
const METHODS = [
  'getStatus',
  'createSetup',
  'verify',
  'enable',
  'disable',
  'needsSecondFactor',
  'verifySecondFactor',
  'verifyRecoveryCode',
  'regenerateRecoveryCodes',
] as const;
type Method = (typeof METHODS)[number];
interface HostileCall {
  method: Method;
  user: unknown;
  code: unknown;
  ctx: unknown;
}

const method = fc.constantFrom(...METHODS);
const plausibleUser = fc.record({ id: plausibleUserId, email: fc.option(plausibleEmail, { nil: undefined }) });
const plausibleContext = fc.record(
  { accessToken: plausibleToken, method: fc.constantFrom('softwareToken', 'email') },
  { requiredKeys: ['accessToken'] },
);
/** Everything hostile at once, or one hostile argument among plausible ones (so the accepted paths run too). */
const hostileCall: fc.Arbitrary<HostileCall> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ method, user: hostileUser, code: hostileCode, ctx: hostileContext }) },
  { weight: 1, arbitrary: fc.record({ method, user: plausibleUser, code: hostileCode, ctx: plausibleContext }) },
  { weight: 1, arbitrary: fc.record({ method, user: plausibleUser, code: plausibleCode, ctx: hostileContext }) },
);

/** Calls the client the way an app would, with whatever it was handed; a synchronous throw is reported as such. */
function invoke(mfa: MfaClient, { method, user, code, ctx }: HostileCall): Promise<unknown> {
  const u = user as never;
  const c = code as never;
  const x = ctx as never;
  try {
    switch (method) {
      case 'verify':
      case 'verifySecondFactor':
      case 'verifyRecoveryCode':
        return mfa[method](u, c, x);
      default:
        return mfa[method](u, x);
    }
  } catch (error) {
    return Promise.reject(new Error(`${method} threw synchronously instead of rejecting: ${String(error)}`));
  }
}

/** Errors that mean "refused before anything was sent or stored". */
function refusedUpFront(error: unknown): boolean {
  return (
    error instanceof MfaValidationError ||
    error instanceof MfaConfigurationError ||
    (error instanceof MfaUnauthorizedError && error.reason === 'missing_access_token')
  );
}

/** Input that could be a secret (codes, tokens) and is long enough that finding it in an error means it was echoed. */
function secretInputs(call: HostileCall): string[] {
  let token: unknown;
  try {
    token = (call.ctx as { accessToken?: unknown } | null | undefined)?.accessToken;
  } catch {
    token = undefined; // a trapped object: nothing the SDK could have read either
  }
  return [call.code, token].filter(echoDetectable);
}

function checkError(error: unknown, call: HostileCall): void {
  expect(error, 'a rejection is always an Error').toBeInstanceOf(Error);
  expect(
    isMfaError(error),
    `only MfaError subclasses escape, got ${(error as Error)?.name}: ${(error as Error)?.message}`,
  ).toBe(true);
  expect((error as Error).name).toMatch(/^Mfa[A-Za-z]+Error$/);
  if (!isMfaError(error)) return;
  const body = JSON.stringify(error.toJSON());
  const said = everythingSaidBy(error);
  for (const secret of secretInputs(call)) {
    expect(body.includes(secret), 'the safe JSON body never echoes a code or token').toBe(false);
    expect(said.includes(secret), 'nor does any other form of the error').toBe(false);
  }
}

let prototypes: ReturnType<typeof snapshotPrototypes>;
beforeAll(() => {
  prototypes = snapshotPrototypes();
});

function checkNoPollution(): void {
  expect(prototypeChanges(prototypes), 'built-in prototypes unchanged').toEqual([]);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

describe('hostile input through MfaClient (property-based)', () => {
  it('SaaSus provider: only MfaErrors escape, refused input sends no request, nothing secret is echoed', async () => {
    const mfa = new MfaClient({ provider: provider({ maxRetries: 0, timeoutMs: 2_000 }), issuer: 'Acme' });
    const seen = { refused: 0, sent: 0 };
    await fc.assert(
      fc.asyncProperty(hostileCall, async (call) => {
        const sentBefore = fake.requests.length;
        const outcome = await invoke(mfa, call).then(
          () => ({ error: undefined }),
          (error: unknown) => ({ error }),
        );
        const sent = fake.requests.length - sentBefore;
        if (outcome.error !== undefined) checkError(outcome.error, call);
        if (refusedUpFront(outcome.error)) {
          seen.refused += 1;
          expect(sent, 'refused input: no request reached SaaSus').toBe(0);
        } else {
          seen.sent += 1;
          expect(sent, 'accepted input: the call went to SaaSus').toBeGreaterThan(0);
        }
        checkNoPollution();
      }),
      { numRuns: NUM_RUNS },
    );
    // Both sides of the property were exercised, not only the refusals (typically about 70 sent, 230 refused).
    expect(seen.sent).toBeGreaterThanOrEqual(20);
    expect(seen.refused).toBeGreaterThanOrEqual(100);
  });

  it('TOTP provider on the memory store: only MfaErrors escape, refused input writes nothing, nothing secret is echoed', async () => {
    const store = new MemoryMfaStore();
    const mfa = new MfaClient({ provider: new TotpMfaProvider({ store, encryptionKey: TEST_KEY }), issuer: 'Acme' });
    const contents = () => inspect(store, { depth: Infinity, showHidden: true });
    let written = 0;
    await fc.assert(
      fc.asyncProperty(hostileCall, async (call) => {
        const before = contents();
        const outcome = await invoke(mfa, call).then(
          () => ({ error: undefined }),
          (error: unknown) => ({ error }),
        );
        if (outcome.error !== undefined) checkError(outcome.error, call);
        if (refusedUpFront(outcome.error)) expect(contents(), 'refused input: the store is untouched').toBe(before);
        else if (contents() !== before) written += 1;
        checkNoPollution();
      }),
      { numRuns: NUM_RUNS },
    );
    // Typically 20 to 30 runs reach the store: the floor only proves the property is not vacuous.
    expect(written, 'accepted input did reach the store').toBeGreaterThanOrEqual(5);
  });
});

describe('hostile objects, by example (regressions found by the properties above)', () => {
  const trapped: Array<[string, () => unknown]> = [
    [
      'a Proxy that throws on every read',
      () =>
        new Proxy(
          {},
          {
            get: () => {
              throw new TypeError('trap');
            },
            getPrototypeOf: () => {
              throw new TypeError('trap');
            },
          },
        ),
    ],
    [
      'an object whose fields are throwing getters',
      () =>
        Object.defineProperties(
          {},
          Object.fromEntries(
            ['id', 'accessToken', 'signal', 'method'].map((key) => [
              key,
              {
                get: () => {
                  throw new RangeError(key);
                },
              },
            ]),
          ),
        ),
    ],
    [
      'a revoked Proxy',
      () => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      },
    ],
  ];

  it.each(trapped)(
    '%s as the user, the context or the enable options: MfaValidationError, no request',
    async (_label, make) => {
      const mfa = new MfaClient({ provider: provider(), issuer: 'Acme' });
      const user = fake.addUser();
      const calls = [
        () => mfa.getStatus(make() as never),
        () => mfa.verify(make() as never, '123456', { accessToken: user.accessToken }),
        () => mfa.getStatus(user, make() as never),
        () => mfa.createSetup(user, make() as never),
        () => mfa.enable(user, make() as never),
        () => mfa.disable(user, make() as never),
      ];
      for (const call of calls) await expect(call()).rejects.toMatchObject({ name: 'MfaValidationError', status: 400 });
      expect(fake.requests).toHaveLength(0);
    },
  );

  it('an object dressed as an AbortSignal is refused as a bad signal, not a provider failure', async () => {
    const mfa = new MfaClient({ provider: provider(), issuer: 'Acme' });
    const fakeSignal = Object.create(AbortSignal.prototype) as AbortSignal;
    await expect(mfa.getStatus(fake.addUser(), { signal: fakeSignal })).rejects.toMatchObject({
      name: 'MfaValidationError',
      field: 'signal',
    });
    expect(fake.requests).toHaveLength(0);
  });
});
