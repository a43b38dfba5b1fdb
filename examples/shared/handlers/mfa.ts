import type { MfaCallContext, MfaClient, MfaProvider, MfaStepUpProof } from 'saasus-mfa';
import { ok } from './answer.js';
import { clientContext } from './client-context.js';
import type { SignedInHandler } from './route.js';
import { stepUpProofOf } from './step-up.js';
import { clearedTrustedDeviceCookie } from './trusted-device-cookie.js';

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
 * qrCodeUrl), the recovery codes at enable, the client's address as the SDK's `clientKey`, and the step-up: disable
 * reads a current code from its body (step-up.ts). SaaSus mode keeps the official front end's `{}` and no step-up:
 * SaaSus cannot check a code for an authenticator already registered, so the SDK cannot enforce one there.
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

    async verify(user, ctx, body, request) {
      const code = (body as Record<string, unknown> | undefined)?.verification_code;
      // Passed on unchecked: the SDK wants a string of 6 ASCII digits and answers 400 invalid_request otherwise.
      await mfa.verify(user, code as string, selfHosted ? clientContext(request.clientAddress, ctx) : ctx);
      return ok({ message: 'The verification code is correct' });
    },

    async enable(user, ctx) {
      // Before a verified setup: 409 not_verified. The self-hosted provider answers recovery codes, shown once.
      const { recoveryCodes } = await mfa.enable(user, { method: 'softwareToken', ...ctx });
      return ok(recoveryCodes ? { message: 'MFA is enabled', recoveryCodes } : { message: 'MFA is enabled' });
    },

    async disable(user, ctx, body, request) {
      if (!selfHosted) {
        // SaaSus cannot check a code of an enrolled authenticator, so its client takes no step-up proof: the handlers
        // hold a client of either kind, typed as the general one, so it is narrowed here to what this mode runs.
        await (mfa as MfaClient<MfaProvider & { readonly selfHosted: false }>).disable(user, ctx);
        return ok({ message: 'MFA is disabled' });
      }
      // Checked, counted and used up by the SDK like a login code; without one: 403 step_up_required, nothing changed.
      const options = { ...clientContext(request.clientAddress, ctx), ...stepUpProofOf(body) };
      await mfa.disable(user, options as MfaStepUpProof & MfaCallContext);
      // The SDK removed every trusted browser with the factor: this browser's cookie is dead, so it goes too.
      return {
        status: 200,
        body: { message: 'MFA is disabled; no browser is trusted any more' },
        headers: clearedTrustedDeviceCookie(request),
      };
    },
  };
}
