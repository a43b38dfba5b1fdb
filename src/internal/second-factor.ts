import type { MfaProvider, MfaRecoveryCodeResult, MfaSecondFactorResult, MfaUser } from '../types.js';
import { confirmed, stepUpTokenOf } from './provider-answers.js';
import { callProvider, providerMethod } from './provider-calls.js';
import { invalidResponse } from './provider-failures.js';
import { looksLikeTotpCode, normalizeCode, normalizeRecoveryCode, validateContext } from './validation.js';

/* The login-time checks behind MfaClient.verifySecondFactor and verifyRecoveryCode, on a validated user. */

/** Uses up one recovery code; the provider's answer is checked, so only a real count passes a login. */
export async function useRecoveryCode(
  provider: MfaProvider,
  user: MfaUser,
  code: unknown,
  ctx: unknown,
): Promise<MfaRecoveryCodeResult> {
  const compact = normalizeRecoveryCode(code);
  const cleanCtx = validateContext(ctx);
  const verifyRecoveryCode = providerMethod(provider, 'verifyRecoveryCode');
  const result = await callProvider(() => verifyRecoveryCode(user, compact, cleanCtx));
  // A custom provider answering `{ remaining: null }` (the store's shape for "no match") must not pass a login.
  const remaining = result?.remaining;
  if (typeof remaining !== 'number' || !Number.isSafeInteger(remaining) || remaining < 0) {
    throw invalidResponse('The provider did not confirm the recovery code');
  }
  return typeof result.stepUpToken === 'string' ? { remaining, stepUpToken: result.stepUpToken } : { remaining };
}

/** Six digits are a TOTP code of the enabled factor; anything else a recovery code, then used up. */
export async function checkSecondFactor(
  provider: MfaProvider,
  user: MfaUser,
  code: string,
  ctx: unknown,
): Promise<MfaSecondFactorResult> {
  if (looksLikeTotpCode(code)) {
    const digits = normalizeCode(code);
    const cleanCtx = validateContext(ctx);
    const verifyFactor = providerMethod(provider, 'verifyFactor');
    const result = await callProvider(() => verifyFactor(user, digits, cleanCtx));
    confirmed(result);
    return { verified: true, method: 'totp', stepUpToken: stepUpTokenOf(result) };
  }
  const { remaining, stepUpToken } = await useRecoveryCode(provider, user, code, ctx);
  return {
    verified: true,
    method: 'recovery_code',
    recoveryCodesRemaining: remaining,
    stepUpToken: stepUpTokenOf({ stepUpToken }),
  };
}
