import { generateSync, type CryptoPlugin } from 'otplib';
import { MfaProviderError } from '../errors.js';

const PERIOD_SECONDS = 30;

/**
 * The time step a six-digit code matches within `window` steps either side of `now`, or null.
 *
 * Every step of the window is computed (otplib's own generate, one HMAC each) and compared with the code in constant
 * time, without stopping at a match: a right and a wrong code cost the same, so the answer's timing says nothing about
 * the code. (otplib's verify stops at the first match.) When two steps give the same code (one in a million), the
 * latest step not after `now` wins, else the earliest after it.
 */
export function matchingStep(
  secret: string,
  code: string,
  now: number,
  window: number,
  crypto: CryptoPlugin,
): number | null {
  const current = Math.floor(now / 1000 / PERIOD_SECONDS);
  let before: number | null = null;
  let after: number | null = null;
  for (let step = current - window; step <= current + window; step++) {
    if (step < 0) continue;
    const candidate = generateSync({ secret, epoch: step * PERIOD_SECONDS, period: PERIOD_SECONDS, crypto });
    const equal = crypto.constantTimeEqual(candidate, code);
    if (equal && step <= current) before = step;
    else if (equal && after === null) after = step;
  }
  const step = before ?? after;
  if (step !== null && !Number.isSafeInteger(step))
    throw new MfaProviderError('The TOTP time step is out of range', { type: 'unexpected', retryable: false });
  return step;
}
