import { describe, expect, it } from 'vitest';
import { MfaValidationError } from '../src/index.js';
import { MemoryMfaStore } from '../src/totp/index.js';
import { newUser, totpHarness } from './support/totp.js';

// A login form that posts JSON numbers sends 123456, not "123456": the answer must point at the type of the code,
// not at recovery codes, which the developer never meant to send.
describe('verifySecondFactor with a code that is not a string', () => {
  it.each([123456, 12345678, null, undefined, { code: '123456' }])(
    'refuses %j saying the code must be a string of 6 digits or a recovery code',
    async (code) => {
      const { client, enroll } = totpHarness(new MemoryMfaStore());
      const user = newUser();
      await enroll(user);
      const attempt = client.verifySecondFactor(user, code as unknown as string);
      await expect(attempt).rejects.toBeInstanceOf(MfaValidationError);
      await expect(attempt).rejects.toMatchObject({
        field: 'code',
        message: 'code must be a string (6 digits or a recovery code)',
      });
    },
  );
});
