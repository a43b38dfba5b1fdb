import { Redis } from 'ioredis';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { MfaProviderError } from '../src/index.js';
import { PostgresMfaStore } from '../src/stores/postgres/index.js';
import { RedisMfaStore } from '../src/stores/redis/index.js';
import type { MfaStore } from '../src/totp/index.js';
import { newUser, totpHarness } from './support/totp.js';

// A store that cannot be reached must give a typed, retryable error on every call: never "verified", never a 500.
// Port 1 on loopback is closed, so the drivers fail at once (no service needed for this test).
const unreachable: [string, () => { store: MfaStore; close: () => Promise<void> }][] = [
  [
    'redis',
    () => {
      const client = new Redis({
        host: '127.0.0.1',
        port: 1,
        lazyConnect: true,
        maxRetriesPerRequest: 0,
        enableOfflineQueue: false,
        retryStrategy: () => null,
      });
      return { store: new RedisMfaStore({ client }), close: async () => client.disconnect() };
    },
  ],
  [
    'postgres',
    () => {
      const pool = new pg.Pool({ host: '127.0.0.1', port: 1, user: 'postgres', connectionTimeoutMillis: 1000 });
      return { store: new PostgresMfaStore({ pool }), close: () => pool.end() };
    },
  ],
];

describe.each(unreachable)('when the %s store is unreachable', (_name, open) => {
  it('every call fails with MfaProviderError store_unavailable (retryable, 502) and nothing passes', async () => {
    const { store, close } = open();
    try {
      const { client } = totpHarness(store);
      const user = newUser();
      const calls = [
        () => client.getStatus(user),
        () => client.createSetup(user),
        () => client.verify(user, '123456'),
        () => client.verifySecondFactor(user, '123456'),
        () => client.verifySecondFactor(user, 'AAAA-BBBB-CCCC'),
        () => client.enable(user),
        () => client.disable(user, {} as never),
        () => client.disable(user, { code: '123456' }),
        () => client.regenerateRecoveryCodes(user, { code: 'AAAA-BBBB-CCCC' }),
        () => client.needsSecondFactor(user),
      ];
      for (const call of calls) {
        const error = await call().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(MfaProviderError);
        expect(error).toMatchObject({ type: 'store_unavailable', retryable: true, status: 502 });
        expect((error as Error).cause, 'the driver error (which can quote arguments) is not attached').toBeUndefined();
      }
    } finally {
      await close();
    }
  });
});
