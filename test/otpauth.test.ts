import { createRequire } from 'node:module';
import * as OTPAuth from 'otpauth';
import { describe, expect, it } from 'vitest';
import { MfaClient, MfaConfigurationError } from '../src/index.js';
import { accountNameFor, buildOtpauthUri } from '../src/internal/otpauth.js';
import { useFakeSaasus } from './support/fake-saasus.js';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const { fake, client, provider } = useFakeSaasus();

/** Parses with the independent `otpauth` package: what an authenticator app would read. */
function parse(uri: string) {
  const parsed = OTPAuth.URI.parse(uri) as OTPAuth.TOTP;
  return {
    issuer: parsed.issuer,
    label: parsed.label,
    secret: parsed.secret.base32,
    algorithm: parsed.algorithm,
    digits: parsed.digits,
    period: parsed.period,
  };
}

describe('otpauth URI', () => {
  it('writes SHA1, 6 digits and 30 s explicitly', () => {
    const uri = buildOtpauthUri('Acme', 'alice@example.com', SECRET);
    expect(uri).toBe(
      `otpauth://totp/Acme:alice%40example.com?secret=${SECRET}&issuer=Acme&algorithm=SHA1&digits=6&period=30`,
    );
  });

  it.each([
    'a+b@example.com',
    'a#b@example.com',
    'a&b=c@example.com',
    'first last',
    'user:with:colons',
    'ユーザー@例.jp',
    '100%',
  ])('percent-encodes the account name %j so it parses back intact', (account) => {
    const parsed = parse(buildOtpauthUri('Acme & Co. #1', account, SECRET));
    expect(parsed).toEqual({
      issuer: 'Acme & Co. #1',
      label: account,
      secret: SECRET,
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
  });

  it('falls back e-mail → sign-in id → user id, never blank', () => {
    expect(accountNameFor({ id: 'u1', email: 'a@x.io', signInId: 's1' })).toBe('a@x.io');
    expect(accountNameFor({ id: 'u1', email: '', signInId: 's1' })).toBe('s1');
    expect(accountNameFor({ id: 'u1', email: '  ', signInId: null })).toBe('u1');
    expect(accountNameFor({ id: 'u1' })).toBe('u1');
  });

  it('refuses an issuer that is blank or contains a colon, at construction', () => {
    for (const issuer of ['', '  ', 'Acme:Prod', 42]) {
      expect(() => new MfaClient({ provider: provider(), issuer: issuer as string })).toThrow(MfaConfigurationError);
    }
  });
});

describe('createSetup', () => {
  it('returns the secret, a parseable URI and QR codes rendered locally', async () => {
    const bob = fake.addUser({ email: '', signInId: 'bob+ops' });
    const setup = await client().createSetup(
      { id: bob.id, email: '', signInId: 'bob+ops' },
      { accessToken: bob.accessToken },
    );
    expect(setup.accountName).toBe('bob+ops');
    expect(setup.issuer).toBe('Acme');
    expect(parse(setup.otpauthUri)).toMatchObject({ issuer: 'Acme', label: 'bob+ops', secret: setup.secret });
    expect(setup.qrCodeSvg.startsWith('<svg')).toBe(true);
    expect(setup.qrCodeDataUrl.startsWith('data:image/png;base64,')).toBe(true);
    // Only the secret-code call went out: the QR code is not fetched from any service.
    expect(fake.requests.map((request) => request.operation)).toEqual(['createSecretCode']);
  });
});

describe('QR code', () => {
  it('decodes back to the otpauth URI (independent decoder: jsqr)', async () => {
    const { PNG } = await import('pngjs');
    // jsqr is CommonJS whose types declare a default export: load it the way Node does.
    const jsQR = createRequire(import.meta.url)('jsqr') as typeof import('jsqr').default;
    const dana = fake.addUser({ email: 'dana+mfa@example.com' });
    const setup = await client().createSetup(dana, { accessToken: dana.accessToken });
    const png = PNG.sync.read(Buffer.from(setup.qrCodeDataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(setup.otpauthUri);
  });
});
