import { ScureBase32Plugin, createGuardrails, generateSync, type CryptoPlugin } from 'otplib';
import { MfaProviderError } from '../errors.js';
import { utf8 } from '../internal/crypto/index.js';

const PERIOD_SECONDS = 30;
const BASE32 = new ScureBase32Plugin();
/** otplib's default limits, made once: otplib would otherwise build them again for every code it generates. */
const GUARDRAILS = createGuardrails();

/**
 * The time step a six-digit code matches within `window` steps either side of `now`, or null.
 *
 * Every step of the window is computed (otplib's HOTP generate, one HMAC each, at the RFC 6238 counter of that step)
 * and compared with the code in constant time, without stopping at a match: a right and a wrong code cost the same,
 * so the answer's timing says nothing about the code. (otplib's verify stops at the first match.) When two steps
 * give the same code (one in a million), the latest step not after `now` wins, else the earliest after it.
 *
 * The secret is decoded from base32 once per call, not once per step (otplib's TOTP generate decodes the string
 * again for every code), and the decoded key is zeroed before returning: no plaintext key outlives the call.
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
    for (let step = current - window; step <= current + window; step++) {
      if (step < 0) continue;
      const candidate = generateSync({ strategy: 'hotp', secret: key, counter: step, crypto, guardrails: GUARDRAILS });
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
