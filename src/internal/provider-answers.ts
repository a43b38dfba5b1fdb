import type { MfaVerifyResult } from '../types.js';
import { invalidResponse } from './provider-failures.js';

/* What MfaClient accepts from a provider as a success: anything less fails closed. */

/** The login check's step-up token; a provider that gives none broke the `verifySecondFactor` contract. */
export function stepUpTokenOf(result: { stepUpToken?: unknown }): string {
  if (typeof result.stepUpToken !== 'string' || result.stepUpToken === '')
    throw invalidResponse('The provider did not return a step-up token');
  return result.stepUpToken;
}

/** A provider that resolves without saying `verified: true` has not verified anything: fail closed. */
export function confirmed(result: MfaVerifyResult | undefined): asserts result is MfaVerifyResult {
  if (result?.verified !== true) {
    throw invalidResponse('The provider did not confirm the code');
  }
}
