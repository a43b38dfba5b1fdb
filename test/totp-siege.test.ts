import { expect, it } from 'vitest';
import { describeEachStore } from './support/stores.js';
import { newUser, totpHarness, wrongCode } from './support/totp.js';

// An attacker who has the password sends wrong codes all day. Before per-client budgets, 5 wrong codes every 15
// minutes kept the real user out of every way in (0 successes in 144 tries over a simulated day, recovery codes
// included). Now the attacker's client locks itself, the user's own client is untouched, an attacker with any number
// of addresses is stopped by the per-user ceiling, and a recovery code always works.
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

await describeEachStore('siege on the %s store', (open) => {
  it(
    'siege: an attacker client sending wrong codes for a simulated day never locks out the user, who logs in every time',
    { timeout: 120_000 },
    async () => {
      const { client, authenticator, clock, enroll, events } = totpHarness(open.store);
      const user = newUser();
      const { secret, recoveryCodes } = await enroll(user);
      const attacker = { clientKey: '198.51.100.66' };
      const own = { clientKey: '203.0.113.10' };
      const figures = {
        attackerTries: 0,
        attackerGuessesChecked: 0,
        attackerLocked: 0,
        userTries: 0,
        userSuccesses: 0,
      };
      const end = clock.nowMs() + DAY;
      for (let tick = 0; clock.nowMs() < end; tick++) {
        for (let i = 0; i < 10; i++) {
          figures.attackerTries++;
          const refusal = await client.verifySecondFactor(user, wrongCode(authenticator.code(secret)), attacker).then(
            () => 'accepted',
            (error: { code: string }) => error.code,
          );
          expect(refusal, 'a wrong code is never accepted').not.toBe('accepted');
          if (refusal === 'invalid_code') figures.attackerGuessesChecked++;
          else figures.attackerLocked++;
        }
        if (tick % 2 === 0) {
          figures.userTries++;
          const ok = await client.verifySecondFactor(user, authenticator.code(secret), own).then(
            () => true,
            () => false,
          );
          if (ok) figures.userSuccesses++;
        }
        if (tick === 100) {
          await expect(
            client.verifySecondFactor(user, recoveryCodes[0]!, own),
            'recovery during the siege',
          ).resolves.toMatchObject({
            method: 'recovery_code',
          });
        }
        clock.advance(5 * MINUTE);
      }
      // eslint-disable-next-line no-console -- the figures are what this test is for (issue 12's note quotes them)
      console.log(`siege (${open.store.name}, one attacker client, 10 wrong codes every 5 min for 24 h):`, figures);
      expect(figures.userSuccesses).toBe(figures.userTries);
      expect(figures.userTries).toBe(144);
      // 5 checked per 15-minute window of the attacker's client: 96 windows in a day.
      expect(figures.attackerGuessesChecked).toBeLessThanOrEqual(5 * 97);
      expect(figures.attackerGuessesChecked).toBeGreaterThanOrEqual(5 * 95);
      expect(events.filter((e) => e.type === 'locked').length).toBeGreaterThanOrEqual(95);
    },
  );

  it(
    'siege: an attacker rotating 1,000 client keys is stopped by the per-user ceiling (20), and the user recovers with a recovery code',
    { timeout: 120_000 },
    async () => {
      const { client, authenticator, clock, enroll } = totpHarness(open.store);
      const user = newUser();
      const { secret, recoveryCodes } = await enroll(user);
      let checked = 0;
      let refused = 0;
      for (let key = 0; key < 1000; key++) {
        const refusal = await client
          .verifySecondFactor(user, wrongCode(authenticator.code(secret)), {
            clientKey: `10.0.${key >> 8}.${key & 255}`,
          })
          .then(
            () => 'accepted',
            (error: { code: string }) => error.code,
          );
        expect(refusal).not.toBe('accepted');
        if (refusal === 'invalid_code') checked++;
        else refused++;
      }
      // The ceiling holds for every client of the user, the user's own included: TOTP waits for the window to end.
      const own = { clientKey: '203.0.113.10' };
      await expect(client.verifySecondFactor(user, authenticator.code(secret), own)).rejects.toMatchObject({
        code: 'rate_limited',
      });
      // The recovery path has its own budget and stays open.
      const recovered = await client.verifySecondFactor(user, recoveryCodes[0]!, own);
      expect(recovered).toMatchObject({ method: 'recovery_code', stepUpToken: expect.any(String) });
      // eslint-disable-next-line no-console -- the figures are what this test is for (issue 12's note quotes them)
      console.log(`siege (${open.store.name}, 1,000 rotating client keys, one wrong code each):`, {
        attackerTries: 1000,
        attackerGuessesChecked: checked,
        refusedByCeiling: refused,
        userRecoveryCodeWorked: true,
      });
      expect(checked).toBe(20);
      expect(refused).toBe(980);
      clock.advance(15 * 60_000);
      await expect(
        client.verifySecondFactor(user, authenticator.code(secret), own),
        'after the window',
      ).resolves.toMatchObject({
        verified: true,
      });
    },
  );
});
