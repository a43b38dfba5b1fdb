import { describe, expect, it } from 'vitest';
import { MfaClient, MfaConfigurationError, MfaValidationError } from '../src/index.js';
import { TotpMfaProvider } from '../src/totp/index.js';
import { DAY_MS, asksForCode, deviceEvents, trustBrowser } from './support/devices.js';
import { describeEachStore } from './support/stores.js';
import { START, STEP_MS, TEST_KEY, newUser, totpHarness } from './support/totp.js';

// Trusted devices ("don't ask again on this browser"), as an app uses them: trust after the code, skip the code on
// the next login, list, revoke. The threats are in totp-trusted-device-threats*.test.ts.

await describeEachStore('trusted devices on the %s store', (open) => {
  it('a device trusted after a TOTP code lets the login skip the code, once the password has passed', async () => {
    const harness = totpHarness(open.store);
    const { client, events } = harness;
    const user = newUser();
    const { secret } = await harness.enroll(user);
    const result = await client.verifySecondFactor(user, harness.authenticator.code(secret), {
      trustDevice: { label: '  Firefox on macOS  ' },
    });
    expect(result).toMatchObject({ verified: true, method: 'totp', stepUpToken: expect.any(String) });
    expect(result.deviceToken).toMatch(/^d1\.[A-Za-z0-9_-]{43}$/);
    expect(await asksForCode(harness, user, result.deviceToken)).toBe(false);
    expect(await asksForCode(harness, user, undefined), 'without the cookie: as before').toBe(true);
    expect(await asksForCode(harness, user, null), 'a null cookie is no cookie').toBe(true);
    expect(deviceEvents(events)).toEqual(['device_trusted', 'device_used']);
    const trusted = events.find((e) => e.type === 'device_trusted');
    expect(trusted).toMatchObject({ userId: user.id, label: 'Firefox on macOS', at: new Date(START + STEP_MS) });
    expect(trusted).toMatchObject({ expiresAt: new Date(START + STEP_MS + 30 * DAY_MS) });
  });

  it('a recovery code can trust a device too; without trustDevice no token is given', async () => {
    const harness = totpHarness(open.store);
    const user = newUser();
    const { secret, recoveryCodes } = await harness.enroll(user);
    const withRecovery = await harness.client.verifySecondFactor(user, recoveryCodes[0]!, {
      trustDevice: { label: 'Phone' },
    });
    expect(withRecovery).toMatchObject({ method: 'recovery_code', recoveryCodesRemaining: 9 });
    expect(await asksForCode(harness, user, withRecovery.deviceToken)).toBe(false);
    const plain = await harness.client.verifySecondFactor(user, harness.authenticator.code(secret));
    expect(plain).not.toHaveProperty('deviceToken');
  });

  it('listTrustedDevices: oldest first, public fields only, lastUsedAt moves on use and expiresAt does not', async () => {
    const harness = totpHarness(open.store);
    const { client, clock } = harness;
    const user = newUser();
    const { secret } = await harness.enroll(user);
    const first = await trustBrowser(harness, user, secret, 'Laptop');
    const trustedAt = clock.nowMs() - STEP_MS;
    clock.advance(DAY_MS);
    await trustBrowser(harness, user, secret, 'Phone');
    clock.advance(DAY_MS);
    expect(await asksForCode(harness, user, first)).toBe(false);
    const devices = await client.listTrustedDevices(user);
    expect(devices.map((d) => d.label)).toEqual(['Laptop', 'Phone']);
    expect(Object.keys(devices[0]!).sort()).toEqual(['createdAt', 'expiresAt', 'id', 'label', 'lastUsedAt']);
    expect(devices[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      label: 'Laptop',
      createdAt: new Date(trustedAt),
      lastUsedAt: new Date(clock.nowMs()),
      expiresAt: new Date(trustedAt + 30 * DAY_MS),
    });
    expect(devices[1]!.lastUsedAt).toEqual(devices[1]!.createdAt);
    expect(await client.listTrustedDevices(newUser()), 'a user without MFA has none').toEqual([]);
  });

  it('revokeTrustedDevice removes one (true, event), an unknown id answers false; revokeTrustedDevices counts', async () => {
    const harness = totpHarness(open.store);
    const { client, events } = harness;
    const user = newUser();
    const { secret } = await harness.enroll(user);
    const [laptop, phone, tablet] = [
      await trustBrowser(harness, user, secret, 'Laptop'),
      await trustBrowser(harness, user, secret, 'Phone'),
      await trustBrowser(harness, user, secret, 'Tablet'),
    ];
    const [first] = await client.listTrustedDevices(user);
    expect(await client.revokeTrustedDevice(user, first!.id)).toBe(true);
    expect(await client.revokeTrustedDevice(user, first!.id), 'already gone').toBe(false);
    expect(await client.revokeTrustedDevice(user, 'no-such-device')).toBe(false);
    expect(await client.revokeTrustedDevice(newUser(), first!.id), "another user's id").toBe(false);
    expect(await asksForCode(harness, user, laptop)).toBe(true);
    expect(await asksForCode(harness, user, phone)).toBe(false);
    expect(await client.revokeTrustedDevices(user)).toBe(2);
    expect(await client.revokeTrustedDevices(user), 'nothing left').toBe(0);
    expect(await asksForCode(harness, user, tablet)).toBe(true);
    const revoked = events.flatMap((e) => (e.type === 'device_revoked' ? [`${e.label}:${e.reason}`] : []));
    expect(revoked).toEqual(['Laptop:revoked', 'Phone:revoked', 'Tablet:revoked']);
  });

  it('trustedDeviceTtlMs sets the fixed expiry; maxTrustedDevices the limit', async () => {
    const harness = totpHarness(open.store, { trustedDeviceTtlMs: 60 * 60_000, maxTrustedDevices: 1 });
    const user = newUser();
    const { secret } = await harness.enroll(user);
    const old = await trustBrowser(harness, user, secret, 'Old');
    const current = await trustBrowser(harness, user, secret, 'New');
    expect(await asksForCode(harness, user, old)).toBe(true);
    expect(await asksForCode(harness, user, current)).toBe(false);
    const [device] = await harness.client.listTrustedDevices(user);
    expect(device!.expiresAt.getTime() - device!.createdAt.getTime()).toBe(60 * 60_000);
  });

  it("provider.trustDevice takes only a valid step-up token of this user: a forged one or another user's is step_up_required", async () => {
    const harness = totpHarness(open.store);
    const [user, other] = [newUser(), newUser()];
    const { secret } = await harness.enroll(user);
    const { secret: otherSecret } = await harness.enroll(other);
    const { stepUpToken: othersProof } = await harness.client.verifySecondFactor(
      other,
      harness.authenticator.code(otherSecret),
    );
    for (const stepUpToken of ['s1.forged.0.AAAA', othersProof, ''])
      await expect(harness.provider.trustDevice(user, { label: 'x', stepUpToken })).rejects.toMatchObject({
        code: 'step_up_required',
        reason: 'invalid',
      });
    const { stepUpToken } = await harness.client.verifySecondFactor(user, harness.authenticator.code(secret));
    const grant = await harness.provider.trustDevice(user, { label: 'Phone', stepUpToken });
    expect(grant.device).toMatchObject({ label: 'Phone', id: expect.any(String) });
    expect(await asksForCode(harness, user, grant.deviceToken)).toBe(false);
    expect(await harness.client.listTrustedDevices(user)).toHaveLength(1);
  });

  it('the result of a login with MFA off is false, with or without a token', async () => {
    const harness = totpHarness(open.store);
    expect(await asksForCode(harness, newUser(), `d1.${'A'.repeat(43)}`)).toBe(false);
    expect(await asksForCode(harness, newUser(), undefined)).toBe(false);
  });
});

describe('trusted-device options and inputs', () => {
  it.each([
    ['trustedDeviceTtlMs', 59_999],
    ['trustedDeviceTtlMs', 401 * DAY_MS],
    ['trustedDeviceTtlMs', 60_000.5],
    ['trustedDeviceTtlMs', '30d'],
    ['maxTrustedDevices', 0],
    ['maxTrustedDevices', 101],
    ['maxTrustedDevices', 2.5],
  ])('%s = %s is refused at construction', (option, value) => {
    expect(() => new TotpMfaProvider({ encryptionKey: TEST_KEY, [option]: value })).toThrow(MfaConfigurationError);
  });

  it('the bounds themselves are accepted: 1 minute and 400 days, 1 and 100 devices', () => {
    for (const options of [
      { trustedDeviceTtlMs: 60_000, maxTrustedDevices: 1 },
      { trustedDeviceTtlMs: 400 * DAY_MS, maxTrustedDevices: 100 },
    ])
      expect(() => new TotpMfaProvider({ encryptionKey: TEST_KEY, ...options })).not.toThrow();
  });

  it.each([[''], ['x'.repeat(101)], [42], [null], [{ id: 'x' }], ['id\u0000']])(
    'revokeTrustedDevice refuses the device id %j before the provider is called',
    async (deviceId) => {
      const { client } = totpHarness(undefined as never);
      await expect(client.revokeTrustedDevice(newUser(), deviceId as string)).rejects.toMatchObject({
        name: 'MfaValidationError',
        field: 'deviceId',
        status: 400,
      });
    },
  );

  it.each([[42], [{ token: 'x' }], [true], [['d1.x']]])(
    'needsSecondFactor refuses a deviceToken %j that is not a string',
    async (deviceToken) => {
      const { client } = totpHarness(undefined as never);
      const call = client.needsSecondFactor(newUser(), { deviceToken: deviceToken as never });
      await expect(call).rejects.toBeInstanceOf(MfaValidationError);
      await expect(call).rejects.toMatchObject({ field: 'deviceToken' });
    },
  );

  it('a provider without trusted devices: needsSecondFactor falls back to getStatus, trustDevice is a configuration error before the code is checked', async () => {
    const totp = new TotpMfaProvider({ encryptionKey: TEST_KEY });
    const { getStatus, createSecret, verify, enable, disable, verifyFactor } = totp;
    const provider = {
      name: 'custom',
      getStatus: getStatus.bind(totp),
      createSecret: createSecret.bind(totp),
      verify: verify.bind(totp),
      enable: enable.bind(totp),
      disable: disable.bind(totp),
      verifyFactor: verifyFactor.bind(totp),
    };
    const client = new MfaClient({ provider, issuer: 'Acme' });
    const user = newUser();
    expect(await client.needsSecondFactor(user, { deviceToken: `d1.${'A'.repeat(43)}` })).toBe(false);
    const call = client.verifySecondFactor(user, '123456', { trustDevice: { label: 'Firefox' } });
    await expect(call).rejects.toBeInstanceOf(MfaConfigurationError);
    await expect(client.listTrustedDevices(user)).rejects.toBeInstanceOf(MfaConfigurationError);
  });
});
