import { describe, expect, expectTypeOf, it } from 'vitest';
import { MfaClient, type MfaProvider } from '../src/index.js';
import { SaasusMfaProvider } from '../src/saasus/index.js';
import { TotpMfaProvider } from '../src/totp/index.js';
import { TEST_KEY } from './support/totp.js';

// Capabilities in the types: the self-hosted-only methods do not compile with the SaaSus provider. The
// `@ts-expect-error` lines are the test (`npm run typecheck` covers this file); a line that compiles fails it.
describe('which MfaClient methods compile for which provider', () => {
  const saasus = new MfaClient({
    provider: new SaasusMfaProvider({ baseUrl: 'https://api.saasus.test', secretKey: 's', apiKey: 'k', saasId: 'id' }),
    issuer: 'Acme',
  });
  const totp = new MfaClient({ provider: new TotpMfaProvider({ encryptionKey: TEST_KEY }), issuer: 'Acme' });
  const user = { id: 'u-1' };

  it('SaaSus: the self-hosted-only methods are compile errors, the lifecycle is not', () => {
    const compileOnly = () => {
      // @ts-expect-error SaaSus runs its own login check
      void saasus.verifySecondFactor(user, '123456');
      // @ts-expect-error SaaSus has no recovery codes of ours
      void saasus.verifyRecoveryCode(user, 'AAAA-BBBB-CCCC');
      // @ts-expect-error SaaSus has no recovery codes of ours
      void saasus.regenerateRecoveryCodes(user);
      void saasus.getStatus(user);
      void saasus.createSetup(user);
      void saasus.verify(user, '123456');
      void saasus.enable(user);
      void saasus.disable(user);
      // @ts-expect-error SaaSus cannot check a code of an enrolled authenticator: no support reset of ours
      void saasus.adminReset(user, { actor: 'a', reason: 'r' });
      // @ts-expect-error SaaSus keeps no attempt counters of ours
      void saasus.unlock(user);
      // @ts-expect-error SaaSus has no trusted devices of ours
      void saasus.listTrustedDevices(user);
      // @ts-expect-error SaaSus has no trusted devices of ours
      void saasus.revokeTrustedDevice(user, 'device-id');
      // @ts-expect-error SaaSus has no trusted devices of ours
      void saasus.revokeTrustedDevices(user);
      // The login check compiles everywhere: without trusted devices it falls back to getStatus.
      void saasus.needsSecondFactor(user, { deviceToken: null });
    };
    expect(typeof compileOnly).toBe('function');
  });

  it('self-hosted: every method compiles, and the provider keeps its own type', () => {
    expectTypeOf(totp.provider).toEqualTypeOf<TotpMfaProvider>();
    expectTypeOf(totp.verifySecondFactor).toBeFunction();
    expectTypeOf(totp.verifyRecoveryCode).toBeFunction();
    expectTypeOf(totp.regenerateRecoveryCodes).toBeFunction();
    const compileOnly = () => {
      // @ts-expect-error self-hosted: disable needs a step-up proof
      void totp.disable(user);
      // @ts-expect-error self-hosted: and so does regenerateRecoveryCodes
      void totp.regenerateRecoveryCodes(user, {});
      void totp.disable(user, { code: '123456' });
      void totp.disable(user, { stepUpToken: 't', clientKey: '203.0.113.1' });
      void totp.regenerateRecoveryCodes(user, { code: 'AAAA-BBBB-CCCC' });
      void totp.adminReset(user, { actor: 'support:ann', reason: 'ticket 1' });
      void totp.unlock(user);
      void totp.verifySecondFactor(user, '123456', { trustDevice: { label: 'Firefox' }, clientKey: '203.0.113.1' });
      void totp.needsSecondFactor(user, { deviceToken: 'd1.cookie' });
      void totp.listTrustedDevices(user);
      void totp.revokeTrustedDevice(user, 'device-id');
      void totp.revokeTrustedDevices(user);
      // @ts-expect-error a label is text
      void totp.verifySecondFactor(user, '123456', { trustDevice: { label: 42 } });
      // @ts-expect-error the device token is the cookie as sent: a string
      void totp.needsSecondFactor(user, { deviceToken: 42 });
    };
    expect(typeof compileOnly).toBe('function');
  });

  it('a client typed as MfaClient (any provider) compiles everything, and holds either client', () => {
    const clients: MfaClient[] = [saasus, totp];
    const generic: MfaClient<MfaProvider> = clients[0]!;
    expectTypeOf(generic.verifySecondFactor).toBeFunction();
    expect(clients).toHaveLength(2);
  });
});
