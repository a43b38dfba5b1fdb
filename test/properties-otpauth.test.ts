import fc from 'fast-check';
import * as OTPAuth from 'otpauth';
import { describe, expect, it } from 'vitest';
import { MfaClient, MfaConfigurationError, MfaValidationError, isMfaError, type MfaUser } from '../src/index.js';
import { accountNameFor, buildOtpauthUri } from '../src/internal/otpauth.js';
import { MemoryMfaStore, TotpMfaProvider } from '../src/totp/index.js';
import { validateUser } from '../src/internal/validation.js';
import { useFakeSaasus } from './support/fake-saasus.js';
import {
  base32Secret,
  hostileText,
  notAString,
  plausibleEmail,
  plausibleUserId,
  prototypeChanges,
  snapshotPrototypes,
} from './support/hostile.js';
import { TEST_KEY } from './support/totp.js';

const { fake, client } = useFakeSaasus();

/**
 * What an authenticator app reads from the URI, by an independent parser (the `otpauth` package). The secret is
 * given back as written in the URI when it decodes to the same key bytes: base32 of a length that is not a multiple
 * of 8 (SaaSus/Cognito secrets are 52 characters) carries spare bits that no app reads, so the parser's own
 * re-encoding may differ in the last character while the key is the same.
 */
function parsedBack(uri: string) {
  const otp = OTPAuth.URI.parse(uri);
  expect(otp).toBeInstanceOf(OTPAuth.TOTP);
  const totp = otp as OTPAuth.TOTP;
  const written = new URL(uri).searchParams.get('secret') ?? '';
  const sameKey = OTPAuth.Secret.fromBase32(written).hex === totp.secret.hex;
  return {
    issuer: totp.issuer,
    label: totp.label,
    secret: sameKey ? written : totp.secret.base32,
    algorithm: totp.algorithm,
    digits: totp.digits,
    period: totp.period,
  };
}

const plausibleIssuer = fc.oneof(
  fc.constantFrom(
    'Acme',
    'Acme & Co. #1',
    'ACME, Inc.',
    'Ünïcödé GmbH',
    '株式会社アクメ',
    'a+b=c?d/e',
    '100%',
    '  padded  ',
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
);
// Weighted so that about half the runs are accepted and go on to build a URI.
const anyIssuer = fc.oneof(
  { weight: 2, arbitrary: hostileText },
  { weight: 3, arbitrary: plausibleIssuer },
  { weight: 1, arbitrary: notAString },
);
const anyAccount = fc.oneof(
  { weight: 2, arbitrary: hostileText },
  { weight: 3, arbitrary: plausibleEmail },
  { weight: 1, arbitrary: notAString },
);

/** The issuer as the client keeps it, or the typed error it was refused with. */
function issuerAccepted(issuer: unknown, provider: MfaClient['provider']): string | undefined {
  try {
    return new MfaClient({ provider, issuer: issuer as string }).issuer;
  } catch (error) {
    expect(error, 'a refused issuer is a configuration error').toBeInstanceOf(MfaConfigurationError);
    return undefined;
  }
}

/** The user as validated, or undefined when refused with a validation error. */
function userAccepted(user: unknown): MfaUser | undefined {
  try {
    return validateUser(user);
  } catch (error) {
    expect(error).toBeInstanceOf(MfaValidationError);
    return undefined;
  }
}

const totpProvider = () => new TotpMfaProvider({ store: new MemoryMfaStore(), encryptionKey: TEST_KEY });

describe('otpauth URIs parse back with an independent parser (property-based)', () => {
  it('buildOtpauthUri: any issuer and account the SDK accepts, any base32 secret, round-trips exactly', () => {
    const provider = totpProvider();
    const prototypes = snapshotPrototypes();
    let accepted = 0;
    fc.assert(
      fc.property(anyIssuer, anyAccount, plausibleUserId, base32Secret, (issuer, email, id, secret) => {
        const keptIssuer = issuerAccepted(issuer, provider);
        const user = userAccepted({ id, email });
        if (keptIssuer === undefined || user === undefined) return;
        accepted += 1;
        const accountName = accountNameFor(user);
        const uri = buildOtpauthUri(keptIssuer, accountName, secret);
        expect(parsedBack(uri)).toEqual({
          issuer: keptIssuer,
          label: accountName,
          secret,
          algorithm: 'SHA1',
          digits: 6,
          period: 30,
        });
      }),
      { numRuns: 500 },
    );
    expect(accepted).toBeGreaterThan(100);
    expect(prototypeChanges(prototypes)).toEqual([]);
  });

  it('createSetup (self-hosted): the URI it returns names its own issuer, account and secret, or a typed error says why not', async () => {
    const provider = totpProvider();
    let produced = 0;
    await fc.assert(
      fc.asyncProperty(anyIssuer, anyAccount, anyAccount, plausibleUserId, async (issuer, email, signInId, id) => {
        const keptIssuer = issuerAccepted(issuer, provider);
        if (keptIssuer === undefined) return;
        const mfa = new MfaClient({ provider, issuer: keptIssuer });
        const outcome = await mfa.createSetup({ id: `${id}-${produced}`, email, signInId } as MfaUser).then(
          (setup) => ({ setup }),
          (error: unknown) => ({ error }),
        );
        if ('error' in outcome) {
          expect(isMfaError(outcome.error), String(outcome.error)).toBe(true);
          expect(outcome.error).toBeInstanceOf(MfaValidationError);
          return;
        }
        produced += 1;
        const { setup } = outcome;
        expect(setup.issuer).toBe(keptIssuer);
        expect(setup.accountName.trim()).not.toBe('');
        expect(parsedBack(setup.otpauthUri)).toMatchObject({
          issuer: setup.issuer,
          label: setup.accountName,
          secret: setup.secret,
        });
      }),
      { numRuns: 200 },
    );
    expect(produced).toBeGreaterThan(20);
  });

  it('an issuer the client accepts leaves room for an ordinary account name: createSetup never fails on the issuer alone', async () => {
    const provider = totpProvider();
    await fc.assert(
      fc.asyncProperty(anyIssuer, fc.emailAddress({ size: 'small' }), async (issuer, email) => {
        const keptIssuer = issuerAccepted(issuer, provider);
        if (keptIssuer === undefined) return;
        const user = { id: `u-${Math.random()}`, email: email.slice(0, 64) };
        const setup = await new MfaClient({ provider, issuer: keptIssuer }).createSetup(user);
        expect(parsedBack(setup.otpauthUri)).toMatchObject({
          issuer: keptIssuer,
          label: user.email,
          secret: setup.secret,
        });
      }),
      { numRuns: 200 },
    );
  });

  it('createSetup (SaaSus): a hostile e-mail or sign-in id as the account name round-trips, with the secret SaaSus issued', async () => {
    const mfa = client();
    await fc.assert(
      fc.asyncProperty(anyAccount, anyAccount, async (email, signInId) => {
        const known = fake.addUser();
        const sentBefore = fake.requests.length;
        const outcome = await mfa
          .createSetup({ id: known.id, email, signInId } as MfaUser, { accessToken: known.accessToken })
          .then(
            (setup) => ({ setup }),
            (error: unknown) => ({ error }),
          );
        if ('error' in outcome) {
          expect(outcome.error).toBeInstanceOf(MfaValidationError);
          expect(fake.requests.length, 'refused before any request').toBe(sentBefore);
          return;
        }
        const { setup } = outcome;
        expect(setup.secret).toBe(fake.mfaState(known.id)?.pendingSecret);
        expect(parsedBack(setup.otpauthUri)).toMatchObject({
          issuer: 'Acme',
          label: setup.accountName,
          secret: setup.secret,
        });
      }),
      { numRuns: 200 },
    );
  });
});

describe('issuers that cannot make a working URI are refused at construction (regressions)', () => {
  it.each([
    ['a lone surrogate (cannot be percent-encoded: URIError on every createSetup)', 'Acme\uD800'],
    ['a NUL character', 'Ac\u0000me'],
    ['a line break', 'Acme\nInc'],
    ['128 CJK characters (too long once percent-encoded for any account to fit a QR code)', '漢'.repeat(128)],
    ['64 emoji', '😀'.repeat(64)],
  ])('%s', (_label, issuer) => {
    expect(() => new MfaClient({ provider: totpProvider(), issuer })).toThrow(MfaConfigurationError);
  });

  it('still accepts 128 plain characters and 42 CJK characters', async () => {
    for (const issuer of ['A'.repeat(128), '&'.repeat(128), '漢'.repeat(42)]) {
      const setup = await new MfaClient({ provider: totpProvider(), issuer }).createSetup({
        id: 'u1',
        email: 'someone.with.a.long.name@example.com',
      });
      expect(parsedBack(setup.otpauthUri).issuer).toBe(issuer);
    }
  });
});
