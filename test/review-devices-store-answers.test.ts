import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresMfaStore } from '../src/stores/postgres/index.js';
import { dropMfaSchema } from './support/postgres-schema.js';
import { newPgPool, postgresAvailable } from './support/services.js';
import { asksForCode, trustBrowser } from './support/devices.js';
import { newUser, totpHarness } from './support/totp.js';

// Review of issue 17: a store answer that is not the contract's must never read as "skip the code". The guard in
// front of every store (guarded-devices.ts) fails closed on an untrusted answer that does not say whether MFA is on;
// an adapter that coerces the missing field to `false` before the guard sees it turns that answer into "MFA off".

const postgresUp = await postgresAvailable();

describe.skipIf(!postgresUp)('review: PostgreSQL use_device answers', () => {
  const pool = newPgPool();
  const tablePrefix = `mfa_review_${randomBytes(6).toString('hex')}_`;
  afterAll(async () => {
    await dropMfaSchema(pool, tablePrefix);
    await pool.end();
  });

  it("store answer read as MFA off: a use_device answer without factorEnabled (another version's function, a rolling upgrade) fails closed instead of letting the login skip the code", async () => {
    const store = new PostgresMfaStore({ pool, tablePrefix });
    await store.migrate();
    const harness = totpHarness(store);
    const user = newUser();
    const { secret } = await harness.enroll(user);
    const token = await trustBrowser(harness, user, secret);
    // Another server, on another schema version, replaced the function: its answer names MFA differently.
    await pool.query(`CREATE OR REPLACE FUNCTION "${tablePrefix}use_device"(p_user text, p_hashes text[], p_now bigint)
RETURNS jsonb LANGUAGE sql AS $fn$ SELECT jsonb_build_object('outcome', 'untrusted', 'mfaOn', true) $fn$`);
    for (const deviceToken of [token, `d1.${'A'.repeat(43)}`, 'not a token']) {
      const answer = await asksForCode(harness, user, deviceToken).then(
        (needsCode) => ({ needsCode }),
        (error: unknown) => ({ error }),
      );
      expect(answer, 'MFA is on: the login must not skip the code').not.toEqual({ needsCode: false });
      expect((answer as { error?: { name?: string } }).error?.name).toMatch(/^Mfa/);
    }
  });
});
