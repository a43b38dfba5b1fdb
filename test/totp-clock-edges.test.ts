import { expect, it } from 'vitest';
import { createFixedClock } from '../src/testing/index.js';
import { MemoryMfaStore } from '../src/totp/index.js';
import { newUser, totpHarness } from './support/totp.js';

// A server whose clock reads the first seconds of 1970 (a device without a real-time clock, a container started
// before its clock was set): the window must not reach below step 0, and step 0 itself is a step like any other.
// Written against the mutation report: no test ran the window at its lower end.
it('clock at the Unix epoch: the code of step 0 confirms a setup and no step below 0 is computed', async () => {
  const { client, authenticator } = totpHarness(new MemoryMfaStore(), {}, createFixedClock(10_000));
  const user = newUser();
  const setup = await client.createSetup(user);
  await expect(client.verify(user, authenticator.code(setup.secret))).resolves.toEqual({ verified: true });
  await expect(client.enable(user)).resolves.toMatchObject({ enabled: true });
});
