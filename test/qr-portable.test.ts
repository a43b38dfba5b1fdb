import { describe, expect, it } from 'vitest';
import { MfaClient } from '../src/index.js';
import { renderQrCodes } from '../src/internal/otpauth.js';
import { MemoryMfaStore, TotpMfaProvider } from '../src/totp/index.js';
import { decodePngDataUrl, decodeSvg } from './support/runtime-qr.js';

// QR codes without a canvas: both forms come from pure JavaScript (qrcode's matrix and SVG writer, a PNG encoded
// from the matrix), and both decode back to the exact otpauth URI with code that shares nothing with the renderer.
describe('QR codes without a canvas', () => {
  it('the PNG data URL and the SVG both decode to the exact otpauth URI', async () => {
    const mfa = new MfaClient({
      provider: new TotpMfaProvider({ store: new MemoryMfaStore(), encryptionKey: Buffer.alloc(32, 5) }),
      issuer: 'Acme & Co (QR)',
    });
    const setup = await mfa.createSetup({ id: 'u-1', email: 'ada+qr@example.com' });
    expect(decodePngDataUrl(setup.qrCodeDataUrl)).toBe(setup.otpauthUri);
    expect(decodeSvg(setup.qrCodeSvg)).toBe(setup.otpauthUri);
  });

  it('the longest URI an issuer and account may make still renders and decodes, both forms', async () => {
    const uri = `otpauth://totp/${'%E6%97%A5'.repeat(42)}:${'a'.repeat(200)}?secret=${'A'.repeat(32)}&issuer=${'%E6%97%A5'.repeat(42)}&algorithm=SHA1&digits=6&period=30`;
    const { qrCodeSvg, qrCodeDataUrl } = await renderQrCodes(uri);
    expect(decodePngDataUrl(qrCodeDataUrl)).toBe(uri);
    expect(decodeSvg(qrCodeSvg)).toBe(uri);
  });

  it('renders the same bytes every time for the same URI (no timestamp or random chunk in the PNG)', async () => {
    const uri = 'otpauth://totp/Acme:ada?secret=JBSWY3DPEHPK3PXP&issuer=Acme&algorithm=SHA1&digits=6&period=30';
    const [first, second] = await Promise.all([renderQrCodes(uri), renderQrCodes(uri)]);
    expect(second).toEqual(first);
  });
});
