import type { MfaClient } from 'saasus-mfa';
import { ok } from './answer.js';
import type { SignedInHandler } from './route.js';

/** The five MFA endpoints of the official SaaSus sample front end, by name. */
export interface MfaHandlers {
  status: SignedInHandler;
  setup: SignedInHandler;
  verify: SignedInHandler;
  enable: SignedInHandler;
  disable: SignedInHandler;
}

/**
 * The MFA endpoints as plain `(user, ctx, body) → answer` functions over `MfaClient`, the same in both modes.
 * `selfHosted` adds what only a self-hosted page needs: the QR code as a PNG (a SaaSus front end draws its own from
 * qrCodeUrl) and the recovery codes at enable.
 */
export function mfaHandlers(mfa: MfaClient, { selfHosted }: { selfHosted: boolean }): MfaHandlers {
  return {
    async status(user, ctx) {
      const { enabled, method } = await mfa.getStatus(user, ctx);
      return ok({ enabled, method });
    },

    async setup(user, ctx) {
      // SaaSus mode without X-Access-Token: 401 from the SDK, before any SaaSus call. Already enabled: 409.
      const setup = await mfa.createSetup(user, ctx);
      // Field names of the sample front end: qrCodeUrl is the otpauth URI, secretKey is for manual entry.
      const answer = { qrCodeUrl: setup.otpauthUri, secretKey: setup.secret };
      return ok(selfHosted ? { ...answer, qrCodeDataUrl: setup.qrCodeDataUrl } : answer);
    },

    async verify(user, ctx, body) {
      const code = (body as Record<string, unknown> | undefined)?.verification_code;
      // Passed on unchecked: the SDK wants a string of 6 ASCII digits and answers 400 invalid_request otherwise.
      await mfa.verify(user, code as string, ctx);
      return ok({ message: 'The verification code is correct' });
    },

    async enable(user, ctx) {
      // Before a verified setup: 409 not_verified. The self-hosted provider answers recovery codes, shown once.
      const { recoveryCodes } = await mfa.enable(user, { method: 'softwareToken', ...ctx });
      return ok(recoveryCodes ? { message: 'MFA is enabled', recoveryCodes } : { message: 'MFA is enabled' });
    },

    async disable(user, ctx) {
      await mfa.disable(user, ctx);
      return ok({ message: 'MFA is disabled' });
    },
  };
}
