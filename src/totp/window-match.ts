import {
  counterToBytes,
  createCryptoContext,
  dynamicTruncate,
  truncateDigits,
  validateCounter,
  validateSecret,
} from '@otplib/core';
import { ScureBase32Plugin, createGuardrails, type CryptoPlugin } from 'otplib';
import { MfaProviderError } from '../errors.js';
import { utf8 } from '../internal/crypto/index.js';

const PERIOD_SECONDS = 30;
const BASE32 = new ScureBase32Plugin();
/** otplib's default limits (secret length, counter range), made once: otplib would build them again for every code. */
const GUARDRAILS = createGuardrails();
const DIGITS = 6;

/**
 * The time step a six-digit code matches within `window` steps either side of `now`, or null.
 *
 * Every step of the window is computed (one HMAC each, at the RFC 6238 counter of that step) and compared with the
 * code in constant time, without stopping at a match: a right and a wrong code cost the same, so the answer's timing
 * says nothing about the code. (otplib's verify stops at the first match.) When two steps give the same code (one in
 * a million), the latest step not after `now` wins, else the earliest after it.
 *
 * otplib is the TOTP implementation through its lower-level API (`@otplib/core`, the functions its own HOTP generate
 * is made of): the secret is decoded and checked against otplib's limits once per call, then each step is
 * `validateCounter` → `counterToBytes` → the crypto plugin's HMAC (otplib's crypto context) → `dynamicTruncate` → `truncateDigits`.
 * What that skips is otplib's per-code option handling (the secret decoded and validated again, the algorithm
 * normalised, a crypto context made): about 60% of a code's cost, which the issue-15 profile measured. The decoded
 * key is zeroed before returning: no plaintext key outlives the call.
 */
export function matchingStep(
  secret: string,
  code: string,
  now: number,
  window: number,
  crypto: CryptoPlugin,
): number | null {
  const current = Math.floor(now / 1000 / PERIOD_SECONDS);
  const typed = utf8(code);
  let key: Uint8Array | undefined;
  let before: number | null = null;
  let after: number | null = null;
  try {
    key = BASE32.decode(secret);
    validateSecret(key, GUARDRAILS);
    const hmac = createCryptoContext(crypto);
    for (let step = current - window; step <= current + window; step++) {
      if (step < 0) continue;
      validateCounter(step, GUARDRAILS);
      const candidate = truncateDigits(dynamicTruncate(hmac.hmacSync('sha1', key, counterToBytes(step))), DIGITS);
      const equal = crypto.constantTimeEqual(utf8(candidate), typed);
      if (equal && step <= current) before = step;
      else if (equal && after === null) after = step;
    }
  } finally {
    key?.fill(0);
  }
  const step = before ?? after;
  if (step !== null && !Number.isSafeInteger(step))
    throw new MfaProviderError('The TOTP time step is out of range', { type: 'unexpected', retryable: false });
  return step;
}
