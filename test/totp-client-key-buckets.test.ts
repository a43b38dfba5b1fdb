import { expect, it } from 'vitest';
import { CLIENT, keyedBucket, unkeyedBucket } from './support/client-buckets.js';
import { describeEachStore } from './support/stores.js';
import { newUser, totpHarness, wrongCode } from './support/totp.js';

// The name of a client's attempt counter, computed here independently of the SDK (node:crypto, the documented
// construction), so a change to it shows: it must be the same on every server and every version (or each rollout
// would hand every client a fresh budget), and it must need the key (or anyone reading the store could tell which
// address made which attempts, and pre-fill the counter of an address they chose).

await describeEachStore('client counters on the %s store', (open) => {
  it('store reader naming a client: the counter is HMAC-SHA-256 under a key derived from the encryption key, never an unkeyed hash', async () => {
    const { client, authenticator, enroll } = totpHarness(open.store);
    const user = newUser();
    const { secret } = await enroll(user);
    await expect(
      client.verifySecondFactor(user, wrongCode(authenticator.code(secret)), { clientKey: CLIENT }),
    ).rejects.toMatchObject({ code: 'invalid_code' });
    const dump = await open.dump();
    expect(dump).toContain(keyedBucket(CLIENT));
    expect(dump).not.toContain(unkeyedBucket(CLIENT));
  });
});

await describeEachStore('attempt buckets on the %s store', (open) => {
  it('the buckets keep their documented names (a custom store, unlock and adminReset rely on them): setup, code, recovery', async () => {
    const { client, authenticator } = totpHarness(open.store);
    const user = newUser();
    const setup = await client.createSetup(user);
    await expect(client.verify(user, wrongCode(authenticator.code(setup.secret)))).rejects.toMatchObject({
      reason: 'mismatch',
    });
    expect(await open.dump()).toMatch(/['"]setup['"]/);
  });
});
