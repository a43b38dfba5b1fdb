import type { MfaCallContext, MfaClient, MfaUser } from 'saasus-mfa';

/**
 * The five MFA endpoints of the official SaaSus sample front end, as plain functions from (user, input) to the JSON
 * answer; each adapter only routes to them. `selfHosted` adds what only a self-hosted page needs: the QR code as a
 * PNG (a SaaSus front end draws its own from qrCodeUrl) and the recovery codes at enable.
 */
export function mfaEndpoints(mfa: MfaClient, { selfHosted }: { selfHosted: boolean }) {
  return {
    async status(user: MfaUser, call: MfaCallContext) {
      const { enabled, method } = await mfa.getStatus(user, call);
      return { enabled, method };
    },

    async setup(user: MfaUser, call: MfaCallContext) {
      // SaaSus mode without X-Access-Token: 401 from the SDK, before any SaaSus call. Already enabled: 409.
      const setup = await mfa.createSetup(user, call);
      // Field names of the sample front end: qrCodeUrl is the otpauth URI, secretKey is for manual entry.
      const answer = { qrCodeUrl: setup.otpauthUri, secretKey: setup.secret };
      return selfHosted ? { ...answer, qrCodeDataUrl: setup.qrCodeDataUrl } : answer;
    },

    async verify(user: MfaUser, body: unknown, call: MfaCallContext) {
      const code = (body as Record<string, unknown> | undefined)?.verification_code;
      // Passed on unchecked: the SDK wants a string of 6 ASCII digits and answers 400 invalid_request otherwise.
      await mfa.verify(user, code as string, call);
      return { message: 'The verification code is correct' };
    },

    async enable(user: MfaUser, call: MfaCallContext) {
      // Before a verified setup: 409 not_verified. The self-hosted provider answers recovery codes, shown once.
      const { recoveryCodes } = await mfa.enable(user, { method: 'softwareToken', ...call });
      return recoveryCodes ? { message: 'MFA is enabled', recoveryCodes } : { message: 'MFA is enabled' };
    },

    async disable(user: MfaUser, call: MfaCallContext) {
      await mfa.disable(user, call);
      return { message: 'MFA is disabled' };
    },
  };
}

export type MfaEndpoints = ReturnType<typeof mfaEndpoints>;
