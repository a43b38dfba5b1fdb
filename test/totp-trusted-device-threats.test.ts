import { expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DAY_MS, UNKNOWN_TOKEN, asksForCode, deviceEvents, notingTrusts, trustBrowser } from './support/devices.js';
import { describeEachStore } from './support/stores.js';
import { STEP_MS, newUser, totpHarness } from './support/totp.js';

// A device token is a bearer credential for ONE thing: skipping the code, for the user and the factor it was issued
// for, until it expires or is revoked. Each test is named after the way it could be abused.

await describeEachStore('trusted-device threats on the %s store', (open) => {
  it("stolen device token: it does not let the thief skip another user's code, and that user's devices still work", async () => {
    const harness = totpHarness(open.store);
    const [victim, other] = [newUser(), newUser()];
    const { secret: victimSecret } = await harness.enroll(victim);
    const { secret: otherSecret } = await harness.enroll(other);
    const victimToken = await trustBrowser(harness, victim, victimSecret);
    const otherToken = await trustBrowser(harness, other, otherSecret);
    expect(await asksForCode(harness, other, victimToken)).toBe(true);
    expect(await asksForCode(harness, victim, otherToken)).toBe(true);
    expect(await asksForCode(harness, victim, victimToken)).toBe(false);
    expect(await asksForCode(harness, other, otherToken)).toBe(false);
  });

  it("stolen device token: a copy of the victim's device row under the thief's own account does not match (the user id is in the hash)", async () => {
    const { store, devices } = notingTrusts(open.store);
    const harness = totpHarness(store);
    const [victim, thief] = [newUser(), newUser()];
    const { secret } = await harness.enroll(victim);
    await harness.enroll(thief);
    const victimToken = await trustBrowser(harness, victim, secret);
    // Someone who can write to the store plants the victim's row (its token hash) on the thief's current factor.
    const { factor } = await open.store.load({ userId: thief.id });
    const planted = { ...devices[0]!, id: randomUUID(), secretId: factor!.secretId };
    const now = harness.clock.nowMs();
    await expect(
      open.store.trustDevice({ userId: thief.id, device: planted, maxDevices: 10, now }),
    ).resolves.toMatchObject({ outcome: 'trusted' });
    expect(await harness.client.listTrustedDevices(thief)).toHaveLength(1);
    expect(await asksForCode(harness, thief, victimToken)).toBe(true);
  });

  it('device after disable: MFA off removes every device; enabling again does not bring the old token back', async () => {
    const harness = totpHarness(open.store);
    const user = newUser();
    const { recoveryCodes, secret } = await harness.enroll(user);
    const token = await trustBrowser(harness, user, secret);
    await harness.client.disable(user, { code: recoveryCodes[0]! });
    expect(await asksForCode(harness, user, token), 'MFA is off').toBe(false);
    expect(await harness.client.listTrustedDevices(user)).toEqual([]);
    await harness.enroll(user);
    expect(await asksForCode(harness, user, token), 'MFA is on again: the old device does not count').toBe(true);
    expect(await harness.client.listTrustedDevices(user)).toEqual([]);
  });

  it('device after re-enrolment on another server: the device belongs to the old factor and does not count for the new one', async () => {
    const here = totpHarness(open.store);
    const there = totpHarness(open.peer, {}, here.clock);
    const user = newUser();
    const { secret } = await here.enroll(user);
    const token = await trustBrowser(here, user, secret);
    await there.client.disable(user, { code: there.authenticator.code(secret) });
    here.clock.advance(STEP_MS);
    const { secret: newSecret } = await there.enroll(user);
    expect(await asksForCode(here, user, token)).toBe(true);
    expect(await asksForCode(there, user, token)).toBe(true);
    // The new factor's own devices work as usual.
    expect(await asksForCode(here, user, await trustBrowser(here, user, newSecret))).toBe(false);
  });

  it("device after adminReset: support staff's reset removes every device too", async () => {
    const harness = totpHarness(open.store);
    const user = newUser();
    const { secret } = await harness.enroll(user);
    const token = await trustBrowser(harness, user, secret);
    await harness.client.adminReset(user, { actor: 'support:42', reason: 'lost phone, ticket 1234' });
    expect(await asksForCode(harness, user, token)).toBe(false);
    await harness.enroll(user);
    expect(await asksForCode(harness, user, token)).toBe(true);
  });

  it('device after expiry: a fixed expiry that use does not extend, checked against the provider clock', async () => {
    const harness = totpHarness(open.store, { trustedDeviceTtlMs: 10 * DAY_MS });
    const { clock } = harness;
    const user = newUser();
    const { secret } = await harness.enroll(user);
    const token = await trustBrowser(harness, user, secret);
    const expiresAt = clock.nowMs() - STEP_MS + 10 * DAY_MS;
    for (let day = 1; day < 10; day++) {
      clock.advance(DAY_MS - 1);
      expect(await asksForCode(harness, user, token), `used on day ${day}`).toBe(false);
    }
    clock.set(expiresAt - 1);
    expect(await asksForCode(harness, user, token), 'one ms before').toBe(false);
    clock.set(expiresAt);
    expect(await asksForCode(harness, user, token), 'at the expiry, daily use or not').toBe(true);
    expect(await harness.client.listTrustedDevices(user)).toEqual([]);
  });

  it('device after revoke: one revoked device stops at once on every server, the others go on; after revoke-all none does', async () => {
    const here = totpHarness(open.store);
    const there = totpHarness(open.peer, {}, here.clock);
    const user = newUser();
    const { secret } = await here.enroll(user);
    const [lost, kept, third] = [
      await trustBrowser(here, user, secret, 'Lost laptop'),
      await trustBrowser(here, user, secret, 'Phone'),
      await trustBrowser(here, user, secret, 'Tablet'),
    ];
    const lostId = (await here.client.listTrustedDevices(user)).find((d) => d.label === 'Lost laptop')!.id;
    expect(await there.client.revokeTrustedDevice(user, lostId)).toBe(true);
    expect(await asksForCode(here, user, lost)).toBe(true);
    expect(await asksForCode(here, user, kept)).toBe(false);
    expect(await there.client.revokeTrustedDevices(user)).toBe(2);
    for (const token of [lost, kept, third]) expect(await asksForCode(here, user, token)).toBe(true);
  });

  it('revoke racing a use: a use either happens before the revoke or fails; every check that started after the revoke resolved asks for the code', async () => {
    const here = totpHarness(open.store);
    const there = totpHarness(open.peer, {}, here.clock);
    const user = newUser();
    const { secret } = await here.enroll(user);
    for (let round = 0; round < 5; round++) {
      const token = await trustBrowser(here, user, secret, `round ${round}`);
      const [device] = await here.client.listTrustedDevices(user);
      let revoked = false;
      const revoke = there.client.revokeTrustedDevice(user, device!.id).then((removed) => {
        revoked = true;
        return removed;
      });
      const uses = Array.from({ length: 30 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i % 6));
        const startedAfterRevoke = revoked;
        const harness = i % 2 === 0 ? here : there;
        return { startedAfterRevoke, asks: await asksForCode(harness, user, token) };
      });
      const [removed, ...answers] = await Promise.all([revoke, ...uses]);
      expect(removed).toBe(true);
      for (const answer of answers as { startedAfterRevoke: boolean; asks: boolean }[])
        if (answer.startedAfterRevoke) expect(answer.asks, `round ${round}`).toBe(true);
      expect(await asksForCode(here, user, token), 'after the race').toBe(true);
    }
  });

  it('the device limit: trusting one more than maxTrustedDevices drops the oldest (event limit), never the new one', async () => {
    const harness = totpHarness(open.store, { maxTrustedDevices: 3 });
    const user = newUser();
    const { secret } = await harness.enroll(user);
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) tokens.push(await trustBrowser(harness, user, secret, `device ${i}`));
    const listed = await harness.client.listTrustedDevices(user);
    expect(listed.map((d) => d.label)).toEqual(['device 2', 'device 3', 'device 4']);
    expect(await asksForCode(harness, user, tokens[0])).toBe(true);
    expect(await asksForCode(harness, user, tokens[1])).toBe(true);
    for (const token of tokens.slice(2)) expect(await asksForCode(harness, user, token)).toBe(false);
    const dropped = harness.events.flatMap((e) => (e.type === 'device_revoked' ? [`${e.label}:${e.reason}`] : []));
    expect(dropped).toEqual(['device 0:limit', 'device 1:limit']);
    expect(deviceEvents(harness.events).filter((e) => e === 'device_trusted')).toHaveLength(5);
  });

  it('needsSecondFactor issues no step-up proof: its answer is a bare boolean and no check is recorded', async () => {
    const harness = totpHarness(open.store);
    const user = newUser();
    const { secret } = await harness.enroll(user);
    const token = await trustBrowser(harness, user, secret);
    const before = harness.events.length;
    const answer = await asksForCode(harness, user, token);
    expect(answer).toBe(false);
    expect(harness.events.slice(before).map((e) => e.type)).toEqual(['device_used']);
    await expect(harness.client.disable(user, {} as never)).rejects.toMatchObject({ code: 'step_up_required' });
    expect(await asksForCode(harness, user, UNKNOWN_TOKEN)).toBe(true);
  });
});
