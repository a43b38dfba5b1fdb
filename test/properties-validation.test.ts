import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MfaUnauthorizedError, MfaValidationError, isMfaError } from '../src/index.js';
import { accountNameFor } from '../src/internal/otpauth.js';
import { normalizeCode, validateUser } from '../src/internal/validation.js';
import { useFakeSaasus } from './support/fake-saasus.js';
import { echoDetectable, everythingSaidBy } from './support/leak-search.js';
import {
  hostileCode,
  hostileContext,
  hostileText,
  hostileUser,
  notAString,
  plausibleToken,
  prototypeChanges,
  snapshotPrototypes,
} from './support/hostile.js';

const { fake, provider } = useFakeSaasus();

/** Tokens of the JWT alphabet around the length limit, and long ones of characters a URL must escape. */
const longJwtLike = fc.oneof(
  fc.integer({ min: 8_000, max: 8_400 }).map((length) => 'eyJ'.padEnd(length, 'a.b-c_')),
  fc.integer({ min: 5_000, max: 16_384 }).map((length) => ':'.repeat(length)),
);

/** What a code should normalise to, written independently of the SDK: separators out, then exactly 6 ASCII digits. */
function expectedDigits(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length > 64) return undefined;
  let kept = '';
  for (const character of input) if (character !== ' ' && character !== '\t' && character !== '-') kept += character;
  return kept.length === 6 && [...kept].every((character) => character >= '0' && character <= '9') ? kept : undefined;
}

describe('validation helpers under hostile input (property-based)', () => {
  it('normalizeCode agrees with an independent model, and a refusal is MfaValidationError naming the field, never the code', () => {
    const prototypes = snapshotPrototypes();
    fc.assert(
      fc.property(fc.oneof(hostileCode, fc.stringMatching(/^[0-9 \t-]{0,20}$/)), (input) => {
        const expected = expectedDigits(input);
        let result: string | undefined;
        try {
          result = normalizeCode(input);
        } catch (error) {
          expect(error).toBeInstanceOf(MfaValidationError);
          expect(error).toMatchObject({ field: 'code', status: 400 });
          if (echoDetectable(input)) expect(everythingSaidBy(error)).not.toContain(input);
        }
        expect(result).toBe(expected);
        if (result !== undefined) expect(normalizeCode(result)).toBe(result);
      }),
      { numRuns: 500 },
    );
    expect(prototypeChanges(prototypes)).toEqual([]);
  });

  it('validateUser returns a clean plain copy with a visible account name, or refuses with MfaValidationError', () => {
    const prototypes = snapshotPrototypes();
    fc.assert(
      fc.property(hostileUser, (user) => {
        let clean;
        try {
          clean = validateUser(user);
        } catch (error) {
          expect(error).toBeInstanceOf(MfaValidationError);
          return;
        }
        expect(Object.getPrototypeOf(clean)).toBe(Object.prototype);
        expect(Reflect.ownKeys(clean).every((key) => key === 'id' || key === 'email' || key === 'signInId')).toBe(true);
        for (const value of Object.values(clean)) expect(typeof value).toBe('string');
        expect(clean.id.trim()).not.toBe('');
        expect(clean.id.length).toBeLessThanOrEqual(256);
        expect(accountNameFor(clean).trim()).not.toBe('');
      }),
      { numRuns: 500 },
    );
    expect(prototypeChanges(prototypes)).toEqual([]);
  });

  it('getUserInfo (SaaSus): a malformed ID token is refused before any request, and no token is echoed', async () => {
    // A short time limit: a request that hangs (as one with a URL past Node's 16 KiB limit did) fails the property
    // at once instead of stalling it.
    const saasus = provider({ maxRetries: 0, timeoutMs: 5_000 });
    const idToken = fc.oneof(hostileText, notAString, plausibleToken, longJwtLike);
    await fc.assert(
      fc.asyncProperty(idToken, hostileContext, async (token, ctx) => {
        const sentBefore = fake.requests.length;
        const error = await saasus.getUserInfo(token as string, ctx as never).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        const sent = fake.requests.length - sentBefore;
        // No user was added: every token that reaches the fake is rejected there.
        expect(isMfaError(error), String(error)).toBe(true);
        const wellFormed = typeof token === 'string' && token.length <= 8_192 && /^[A-Za-z0-9_.-]+$/.test(token);
        if (!wellFormed) {
          expect(error).toBeInstanceOf(MfaUnauthorizedError);
          expect(sent).toBe(0);
        }
        // Whatever reached the fake was answered by it (401), never left hanging until the time limit.
        if (sent > 0) expect(error).toMatchObject({ name: 'MfaUnauthorizedError', reason: 'rejected_id_token' });
        if (echoDetectable(token)) expect(everythingSaidBy(error)).not.toContain(token);
      }),
      { numRuns: 300 },
    );
  });
});

describe('ID tokens that are not JWTs (regression found by the property above)', () => {
  it.each([
    ['9 000 colons: 27 000 characters once percent-encoded, past the 16 KiB a Node server reads', ':'.repeat(9_000)],
    ['one character past the 8 192 limit', 'a'.repeat(8_193)],
    ['a percent sign', 'eyJhbGciOi%22.eyJzdWIiOi.sig'],
    ['a plus sign', 'eyJ+.eyJ.sig'],
  ])('%s: rejected_id_token before any request', async (_label, token) => {
    await expect(provider({ timeoutMs: 2_000 }).getUserInfo(token)).rejects.toMatchObject({
      name: 'MfaUnauthorizedError',
      reason: 'rejected_id_token',
    });
    expect(fake.requests).toHaveLength(0);
  });

  it('still sends a JWT-shaped token of 8 192 characters', async () => {
    await expect(provider({ timeoutMs: 2_000 }).getUserInfo(`eyJ.${'a'.repeat(8_188)}`)).rejects.toMatchObject({
      reason: 'rejected_id_token',
    });
    expect(fake.requests).toHaveLength(1);
  });
});
