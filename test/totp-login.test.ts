import { describe, expect, it } from 'vitest';
import { MfaClient, MfaConfigurationError, MfaInvalidCodeError, MfaValidationError } from '../src/index.js';
import { SaasusMfaProvider } from '../src/saasus/index.js';
import { MemoryMfaStore } from '../src/totp/index.js';
import { STEP_MS, newUser, totpHarness } from './support/totp.js';

// The login flow an app builds: password OK → needsSecondFactor? → verifySecondFactor(code or recovery code) → token.
describe('login helper', () => {
  it('says whether a second factor is needed: not before enable, yes after, not after disable', async () => {
    const { client, authenticator, enroll } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    expect(await client.needsSecondFactor(user)).toBe(false);
    await client.createSetup(user);
    expect(await client.needsSecondFactor(user), 'a pending setup is not a factor').toBe(false);
    const { secret } = await enroll(user);
    expect(await client.needsSecondFactor(user)).toBe(true);
    await client.disable(user, { code: authenticator.code(secret) });
    expect(await client.needsSecondFactor(user)).toBe(false);
  });

  it('accepts the TOTP code typed with a space or a dash', async () => {
    const { client, authenticator, enroll } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    const { secret } = await enroll(user);
    const code = authenticator.code(secret);
    expect(await client.verifySecondFactor(user, `${code.slice(0, 3)} ${code.slice(3)}`)).toEqual({
      verified: true,
      method: 'totp',
      stepUpToken: expect.any(String),
    });
  });

  it('login bypass: with MFA enabled no setup can be started, and a pending setup left by a race is never accepted', async () => {
    const store = new MemoryMfaStore();
    const { client, authenticator, clock } = totpHarness(store);
    const user = newUser();
    const stray = await client.createSetup(user);
    const strayRecord = (await store.load({ userId: user.id })).pending!;
    const real = await client.createSetup(user);
    await client.verify(user, authenticator.code(real.secret));
    await client.enable(user);
    clock.advance(STEP_MS);

    await expect(client.createSetup(user)).rejects.toMatchObject({ code: 'already_enabled' });
    // A createSetup that read "no factor" just before the enable above could still store its setup afterwards:
    await store.savePending({ userId: user.id, pending: { ...strayRecord, expiresAt: clock.nowMs() + 600_000 } });
    const strayCode = authenticator.code(stray.secret);
    await expect(client.verifySecondFactor(user, strayCode)).rejects.toBeInstanceOf(MfaInvalidCodeError);
    await expect(client.verify(user, strayCode), 'verify checks the enabled factor too').rejects.toBeInstanceOf(
      MfaInvalidCodeError,
    );
    await expect(client.enable(user)).rejects.toMatchObject({ code: 'already_enabled' });
    expect(await client.verify(user, authenticator.code(real.secret)), 'the real factor still works').toMatchObject({
      verified: true,
    });
  });

  it('refuses input that is neither six digits nor a recovery code, before any check', async () => {
    const { client, enroll } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    await enroll(user);
    for (const bad of ['12345', '１２３４５６', '', '<script>', null as unknown as string]) {
      await expect(client.verifySecondFactor(user, bad)).rejects.toBeInstanceOf(MfaValidationError);
    }
  });

  it('with SaaSus, whose own login asks for the code, the login check is a clear configuration error', async () => {
    const provider = new SaasusMfaProvider({
      baseUrl: 'https://api.saasus.test',
      secretKey: 's',
      apiKey: 'k',
      saasId: 'id',
    });
    const client = new MfaClient({ provider, issuer: 'Acme' });
    // A compile error in TypeScript (test/client-capabilities.test.ts); plain JavaScript gets the run-time refusal.
    // @ts-expect-error verifySecondFactor needs a self-hosted provider
    await expect(client.verifySecondFactor(newUser(), '123456')).rejects.toBeInstanceOf(MfaConfigurationError);
    // @ts-expect-error verifyRecoveryCode needs a self-hosted provider
    await expect(client.verifyRecoveryCode(newUser(), 'AAAA-BBBB-CCCC')).rejects.toMatchObject({
      code: 'configuration_error',
    });
    // @ts-expect-error regenerateRecoveryCodes needs a self-hosted provider
    await expect(client.regenerateRecoveryCodes(newUser(), { code: '123456' })).rejects.toBeInstanceOf(
      MfaConfigurationError,
    );
  });

  it('emits audit events for every step, in order', async () => {
    const { client, authenticator, clock, events } = totpHarness(new MemoryMfaStore());
    const user = newUser();
    const setup = await client.createSetup(user);
    await client.verify(user, authenticator.code(setup.secret));
    const { recoveryCodes } = await client.enable(user);
    clock.advance(STEP_MS);
    await client.verifySecondFactor(user, '000000').catch(() => {});
    const { stepUpToken } = await client.verifySecondFactor(user, authenticator.code(setup.secret));
    await client.verifySecondFactor(user, recoveryCodes![0]!);
    await client.regenerateRecoveryCodes(user, { stepUpToken });
    await client.disable(user, { stepUpToken });
    expect(
      events.map((e) =>
        e.type === 'verified' ? `verified:${e.target}` : e.type === 'verify_failed' ? `failed:${e.reason}` : e.type,
      ),
    ).toEqual([
      'setup_created',
      'verified:setup',
      'enabled',
      'failed:mismatch',
      'verified:factor',
      'recovery_code_used',
      'recovery_codes_regenerated',
      'disabled',
    ]);
    for (const event of events) {
      expect(event.userId).toBe(user.id);
      expect(event.at).toBeInstanceOf(Date);
    }
  });

  it('a listener that throws or rejects never breaks the MFA call', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      const failing = totpHarness(new MemoryMfaStore(), {
        onEvent: () => {
          throw new Error('audit log down');
        },
      });
      const rejecting = totpHarness(new MemoryMfaStore(), {
        onEvent: async () => {
          throw new Error('audit log down');
        },
      });
      for (const { client } of [failing, rejecting])
        await expect(client.createSetup(newUser())).resolves.toMatchObject({ secret: expect.any(String) });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(warnings.filter((w) => w.includes('onEvent listener failed'))).toHaveLength(2);
      expect(warnings.join(' ')).not.toContain('audit log down');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
