import type { MfaStepUpProof } from '../types.js';
import type { CodeVerifier } from './code-verifier.js';
import { invalidResponse } from '../internal/provider-failures.js';
import type { MfaEvent } from './events.js';
import type { GuardedStore } from './guarded-store.js';
import type { RecoveryCodeCheck } from './recovery-check.js';
import { notEnabled, stepUpInvalid, stepUpMissing } from './refusals.js';
import type { StepUpTokens } from './step-up-token.js';

const SIX_DIGITS = /^[0-9]{6}$/;

/** The parts the gate works with, built once by the provider. */
export interface StepUpGateParts {
  store: GuardedStore;
  verifier: CodeVerifier;
  recovery: RecoveryCodeCheck;
  tokens: StepUpTokens;
  emit: (event: MfaEvent) => void;
}

/**
 * The check in front of every account change (`disable`, `regenerateRecoveryCodes`): a fresh second factor, or
 * nothing changes. Answers the `secretId` of the factor the proof is for, which the change is then bound to
 * (`deleteFactor` / `replaceRecoveryCodes` with `secretId`), so a proof for a factor that has since been replaced
 * changes nothing.
 *
 * - `code`: six digits are a TOTP code of the enabled factor, anything else a recovery code: checked, counted and
 *   claimed exactly like a login (the same budgets), so a proof cannot be replayed and a recovery code is used up.
 * - `stepUpToken`: checked here, without the store (a MAC and a time).
 * - neither (plain JavaScript, a field left out): `step_up_required` (`missing`).
 */
export class StepUpGate {
  readonly #parts: StepUpGateParts;

  constructor(parts: StepUpGateParts) {
    this.#parts = parts;
  }

  async prove(
    userId: string,
    proof: MfaStepUpProof | undefined,
    clientKey: string | undefined,
    now: number,
  ): Promise<string> {
    const { code, stepUpToken } = (typeof proof === 'object' && proof !== null ? proof : {}) as Record<string, unknown>;
    if (typeof stepUpToken === 'string' && stepUpToken !== '') {
      if (code !== undefined) throw stepUpInvalid();
      const claim = this.#parts.tokens.check(stepUpToken, userId, now);
      if (claim === null) throw stepUpInvalid();
      return claim.secretId;
    }
    if (typeof code !== 'string' || code === '') throw stepUpMissing();
    if (SIX_DIGITS.test(code)) {
      const verified = await this.#parts.verifier.verify({ userId, code, now, accepts: 'factor', clientKey });
      this.#parts.emit({ type: 'verified', userId, at: new Date(now), target: 'factor' });
      return verified.secretId;
    }
    return (await this.#parts.recovery.use(userId, code, clientKey, now)).secretId;
  }

  /**
   * Why the store did not make a change bound to `secretId`: that factor was replaced (the proof is for another
   * one: `step_up_required`), or MFA is off (throws not enabled when `noFactorIsError`); if that very factor is
   * still there, the store broke its contract.
   */
  async refusedChange(userId: string, secretId: string, noFactorIsError: boolean): Promise<void> {
    const { factor } = await this.#parts.store.load({ userId });
    if (factor?.secretId === secretId) throw invalidResponse('The MFA store did not make a change it was asked for');
    if (factor) throw stepUpInvalid();
    if (noFactorIsError) throw notEnabled();
  }
}
