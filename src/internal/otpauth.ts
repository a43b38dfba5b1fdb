import { generateURI } from 'otplib';
import { MfaConfigurationError } from '../errors.js';
import type { MfaUser } from '../types.js';
import { textProblem } from './validation.js';

/** The parameters every authenticator app understands; written out even where they are the defaults. */
export const TOTP_URI_PARAMETERS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

/** Account name shown in the authenticator: e-mail, else sign-in id, else user id. Never blank. */
export function accountNameFor(user: MfaUser): string {
  for (const candidate of [user.email, user.signInId, user.id]) {
    if (typeof candidate === 'string' && candidate.trim() !== '') return candidate.trim();
  }
  return user.id;
}

const MAX_ENCODED_ISSUER_LENGTH = 384;

/** The issuer becomes the label prefix `Issuer:account`, so it may not contain a colon (Key URI format). */
export function checkIssuer(issuer: unknown): string {
  if (typeof issuer !== 'string' || issuer.trim() === '') {
    throw new MfaConfigurationError('issuer must be a non-empty string (the name shown in the authenticator app)');
  }
  if (issuer.includes(':'))
    throw new MfaConfigurationError('issuer must not contain ":" (it separates issuer and account)');
  if (issuer.length > 128) throw new MfaConfigurationError('issuer must be at most 128 characters');
  // A lone surrogate cannot be percent-encoded (URIError on every createSetup); a control character is no name.
  const problem = textProblem(issuer);
  if (problem) throw new MfaConfigurationError(`issuer ${problem}`);
  // The issuer is written twice (label and parameter): past this, it alone would crowd the account name out of a
  // scannable QR code, and every createSetup would fail. 128 ASCII characters that all need escaping, or 42 CJK ones.
  if (encodeURIComponent(issuer.trim()).length > MAX_ENCODED_ISSUER_LENGTH) {
    throw new MfaConfigurationError(
      `issuer must be at most ${MAX_ENCODED_ISSUER_LENGTH} characters once percent-encoded`,
    );
  }
  return issuer.trim();
}

/**
 * Builds `otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30` with otplib.
 * otplib percent-encodes each label part but splits the label on ":" first, so a colon inside the account name would
 * come out literal and read as a second separator; it is encoded here so the account name survives a parse intact.
 * otplib also omits default parameters; they are appended because some apps misread their absence.
 */
export function buildOtpauthUri(issuer: string, accountName: string, secret: string): string {
  const uri = generateURI({ issuer, label: accountName, secret });
  const queryStart = uri.indexOf('?');
  const prefix = 'otpauth://totp/';
  const label = uri.slice(prefix.length, queryStart);
  const separator = label.indexOf(':');
  const safeLabel = label.slice(0, separator + 1) + label.slice(separator + 1).replaceAll(':', '%3A');
  const { algorithm, digits, period } = TOTP_URI_PARAMETERS;
  return `${prefix}${safeLabel}${uri.slice(queryStart)}&algorithm=${algorithm}&digits=${digits}&period=${period}`;
}

/** Quiet zone around the code, in modules. */
const QR_MARGIN = 2;

/**
 * Renders the URI as SVG and PNG data URL locally: the secret never leaves the process. qrcode computes the matrix and
 * writes the SVG (its SVG writer is plain string code on every build); the PNG is encoded from the same matrix in pure
 * JavaScript (qr-png.ts), so both are byte-identical on Node, Bun, Deno and Workers, none of which needs a canvas.
 */
export async function renderQrCodes(otpauthUri: string): Promise<{ qrCodeSvg: string; qrCodeDataUrl: string }> {
  // Loaded on first use: qrcode is the larger part of importing 'saasus-mfa' cold, and only createSetup needs it.
  const [{ default: QRCode }, { qrPngDataUrl }] = await Promise.all([import('qrcode'), import('./qr-png.js')]);
  const options = { errorCorrectionLevel: 'M' as const, margin: QR_MARGIN };
  const qrCodeSvg = await QRCode.toString(otpauthUri, { ...options, type: 'svg' });
  const qrCodeDataUrl = qrPngDataUrl(QRCode.create(otpauthUri, options), QR_MARGIN);
  return { qrCodeSvg, qrCodeDataUrl };
}
