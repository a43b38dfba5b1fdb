import type { MfaStepUpProof } from 'saasus-mfa';

/**
 * The fresh second factor an account change (turning MFA off, new recovery codes) carries in its body, for the SDK:
 * `{ "verification_code": "123456" }` (the field /mfa_verify uses) or a recovery code in the same field, passed on as
 * `{ code }`. A missing field passes nothing, so the SDK answers 403 `step_up_required` and the page asks for a code.
 *
 * A `step_up_token` field is not read: the page would keep such a token where it keeps the session token, so a
 * session thief would hold both, and the step-up would add nothing a stolen session lacks. A fresh code does.
 */
export function stepUpProofOf(body: unknown): MfaStepUpProof | Record<string, never> {
  const code = (body as Record<string, unknown> | undefined)?.verification_code;
  // Anything but undefined is passed on unchecked: the SDK refuses a number or an empty string with 400.
  return code === undefined ? {} : ({ code } as MfaStepUpProof);
}
