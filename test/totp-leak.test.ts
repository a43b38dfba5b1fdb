import { inspect } from 'node:util';
import { expect, it } from 'vitest';
import { describeEachStore } from './support/stores.js';
import { STEP_MS, newUser, totpHarness, wrongCode } from './support/totp.js';

// Leak: the TOTP secret, the codes and the recovery codes must not end up in an error (message, fields, JSON,
// inspect output, cause), in an audit event, or in clear in the store.
await describeEachStore('leaks on the %s store', (open) => {
  it('leak: no secret, code or recovery code in any error, event, or in what the store holds in clear', async () => {
    const { client, authenticator, clock, events } = totpHarness(open.store, { maxAttempts: 8 });
    const user = newUser();
    const errors: unknown[] = [];
    const attempt = async (call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (error) {
        errors.push(error);
      }
    };

    const setup = await client.createSetup(user);
    const codes = [authenticator.code(setup.secret)];
    await attempt(() => client.verify(user, wrongCode(codes[0]!)));
    await client.verify(user, codes[0]!);
    await attempt(() => client.verify(user, codes[0]!)); // replayed
    const { recoveryCodes = [] } = await client.enable(user);
    await attempt(() => client.enable(user)); // already enabled
    clock.advance(STEP_MS);
    codes.push(authenticator.code(setup.secret));
    await client.verifySecondFactor(user, codes[1]!);
    await attempt(() => client.verifySecondFactor(user, codes[1]!));
    await client.verifyRecoveryCode(user, recoveryCodes[0]!);
    await attempt(() => client.verifyRecoveryCode(user, recoveryCodes[0]!));
    const { recoveryCodes: regenerated } = await client.regenerateRecoveryCodes(user, { code: recoveryCodes[1]! });
    for (let i = 0; i < 6; i++)
      await attempt(() => client.verifySecondFactor(user, wrongCode(authenticator.code(setup.secret))));
    await attempt(() => client.verifySecondFactor(user, authenticator.code(setup.secret))); // locked
    expect(errors.length).toBeGreaterThanOrEqual(11);

    const secrets = [setup.secret, setup.secret.toLowerCase(), ...codes];
    for (const code of [...recoveryCodes, ...regenerated])
      secrets.push(code, code.replace(/-/g, ''), code.toLowerCase());
    const texts = {
      errors: errors
        .map((e) => `${JSON.stringify(e)} ${String(e)} ${inspect(e, { showHidden: true, depth: 8 })}`)
        .join('\n'),
      events: events.map((e) => `${JSON.stringify(e)} ${inspect(e, { showHidden: true })}`).join('\n'),
      store: await open.dump(),
    };
    expect(texts.store.length, 'the dump really holds the user').toBeGreaterThan(100);
    expect(texts.store).toContain(user.id);
    for (const [where, text] of Object.entries(texts)) {
      for (const secret of secrets)
        expect(text.includes(secret), `${where} contains ${secret.length}-character secret material`).toBe(false);
    }
  });
});
