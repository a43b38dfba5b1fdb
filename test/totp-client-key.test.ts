import { inspect } from 'node:util';
import { expect, it } from 'vitest';
import { MfaValidationError } from '../src/index.js';
import { describeEachStore } from './support/stores.js';
import { newUser, totpHarness, wrongCode } from './support/totp.js';

// A client key is the client's address or a device id: personal data of the app's, which names a counter but must
// never be stored, logged or answered in clear, and must be clean text before it reaches any of that.
await describeEachStore('client keys on the %s store', (open) => {
  it('leak: a client key never appears in the store, an event or an error; only a keyed hash names its counter', async () => {
    const { client, authenticator, enroll, events } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    const clientKey = '2001:db8::1234:5678';
    const errors: unknown[] = [];
    for (let i = 0; i < 6; i++)
      await client
        .verifySecondFactor(user, wrongCode(authenticator.code(secret)), { clientKey })
        .catch((e) => errors.push(e));
    await client.verifySecondFactor(user, 'AAAA-BBBB-CCCC', { clientKey }).catch((e) => errors.push(e));
    const texts = [
      await open.dump(),
      ...events.map((e) => JSON.stringify(e)),
      ...errors.map((e) => `${JSON.stringify(e)} ${inspect(e, { showHidden: true, depth: 8 })}`),
    ].join('\n');
    expect(errors).toHaveLength(7);
    for (const form of [clientKey, clientKey.toUpperCase(), '1234:5678', Buffer.from(clientKey).toString('base64')])
      expect(texts.includes(form), form).toBe(false);
  });

  it.each([
    ['blank', '   '],
    ['empty', ''],
    ['too long', 'x'.repeat(201)],
    ['not a string', 42],
    ['a control character', 'a\nb'],
    ['a lone surrogate', 'a\uD800'],
  ])(
    'a clientKey that is %s is a validation error naming the field, before the store is asked',
    async (_label, clientKey) => {
      const { client, enroll } = totpHarness(open.store);
      const user = newUser();
      await enroll(user);
      const error = await client.verifySecondFactor(user, '123456', { clientKey } as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MfaValidationError);
      expect(error).toMatchObject({ field: 'clientKey' });
      if (typeof clientKey === 'string' && clientKey.trim() !== '')
        expect(String((error as Error).message)).not.toContain(clientKey);
    },
  );
});
