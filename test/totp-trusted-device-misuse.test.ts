import fc from 'fast-check';
import { afterEach, expect, it, vi } from 'vitest';
import { UNKNOWN_TOKEN, asksForCode, failures, notingTrusts, trustBrowser } from './support/devices.js';
import { hostileText } from './support/hostile.js';
import { everythingSaidBy } from './support/leak-search.js';
import { describeEachStore } from './support/stores.js';
import { newUser, totpHarness } from './support/totp.js';

// A device token presented where something else is expected: as a code, as a step-up proof, malformed, or looked
// for in what the SDK says (events, errors, log lines, the store).

afterEach(() => void vi.restoreAllMocks());

const OLD_KEY = { id: 'old', key: Buffer.alloc(32, 1).toString('base64') };
const NEW_KEY = { id: 'new', key: Buffer.alloc(32, 2).toString('base64') };

await describeEachStore('trusted-device misuse on the %s store', (open) => {
  it('device token as a code: refused by verifySecondFactor and counted like any wrong code; the provider counts it in verify too', async () => {
    const harness = totpHarness(open.store);
    const user = newUser();
    const { secret } = await harness.enroll(user);
    const token = await trustBrowser(harness, user, secret);
    await expect(harness.client.verifySecondFactor(user, token)).rejects.toMatchObject({ code: 'invalid_code' });
    expect(failures(harness.events)).toEqual(['recovery_code_mismatch:1']);
    // MfaClient.verify takes six digits only (a 400 before any provider is called); a provider called directly
    // counts what it cannot match.
    await expect(harness.client.verify(user, token)).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(harness.provider.verify(user, token)).rejects.toMatchObject({ code: 'invalid_code' });
    expect(failures(harness.events)).toEqual(['recovery_code_mismatch:1', 'mismatch:1']);
  });

  it('device token as a step-up proof: refused as { stepUpToken } and as { code } for disable and regenerateRecoveryCodes; nothing changes', async () => {
    const harness = totpHarness(open.store);
    const { client } = harness;
    const user = newUser();
    const { secret, recoveryCodes } = await harness.enroll(user);
    const token = await trustBrowser(harness, user, secret);
    for (const change of [
      () => client.disable(user, { stepUpToken: token }),
      () => client.regenerateRecoveryCodes(user, { stepUpToken: token }),
    ])
      await expect(change()).rejects.toMatchObject({ code: 'step_up_required', reason: 'invalid' });
    for (const change of [
      () => client.disable(user, { code: token }),
      () => client.regenerateRecoveryCodes(user, { code: token }),
    ])
      await expect(change()).rejects.toMatchObject({ code: 'invalid_code' });
    expect(failures(harness.events)).toEqual(['recovery_code_mismatch:1', 'recovery_code_mismatch:2']);
    expect(await client.getStatus(user)).toMatchObject({ enabled: true });
    expect(await asksForCode(harness, user, token), 'the device still counts: nothing changed').toBe(false);
    await expect(client.verifyRecoveryCode(user, recoveryCodes[0]!)).resolves.toMatchObject({ remaining: 9 });
  });

  it.each([
    ['blank', '   '],
    ['too long', 'x'.repeat(201)],
    ['a control character', 'Firefox\nInjected: line'],
    ['a NUL', 'Firefox\u0000'],
    ['a lone surrogate', 'Firefox \uD800'],
    ['not a string', 42],
    ['missing', undefined],
  ])(
    'label validation happens before the code is checked (%s): a 400, no attempt counted, no code used',
    async (_, label) => {
      const harness = totpHarness(open.store);
      const user = newUser();
      const { secret, recoveryCodes } = await harness.enroll(user);
      const code = harness.authenticator.code(secret);
      const trustDevice = { label } as { label: string };
      for (const typed of [code, recoveryCodes[0]!])
        await expect(harness.client.verifySecondFactor(user, typed, { trustDevice })).rejects.toMatchObject({
          name: 'MfaValidationError',
          field: 'trustDevice.label',
          status: 400,
        });
      expect(failures(harness.events)).toEqual([]);
      await expect(harness.client.verifySecondFactor(user, code)).resolves.toMatchObject({ method: 'totp' });
      await expect(harness.client.verifySecondFactor(user, recoveryCodes[0]!)).resolves.toMatchObject({
        recoveryCodesRemaining: 9,
      });
      expect(await harness.client.listTrustedDevices(user)).toEqual([]);
    },
  );

  it('malformed device tokens of every shape: true with MFA on, false with MFA off, never an error', async () => {
    const harness = totpHarness(open.store);
    const [user, off] = [newUser(), newUser()];
    const { secret } = await harness.enroll(user);
    const token = await trustBrowser(harness, user, secret);
    const last = token.at(-1)!;
    const shapes = [
      '',
      ' ',
      'd1.',
      'd1',
      UNKNOWN_TOKEN,
      token.slice(0, -1),
      `${token}A`,
      `${token}.${token.slice(3)}`,
      `d2.${token.slice(3)}`,
      token.toUpperCase(),
      ` ${token}`,
      `${token}\n`,
      `${token.slice(0, -1)}${last === 'B' ? 'C' : 'B'}`, // not the canonical base64url of 32 bytes
      token.replace('d1.', 'D1.'),
      encodeURIComponent(`${token} `),
      's1.abc.def.ghi',
      'x'.repeat(1_000_000),
      ...fc.sample(hostileText, { numRuns: 60, seed: 17 }),
    ];
    for (const shape of shapes) {
      expect(await asksForCode(harness, user, shape), JSON.stringify(shape.slice(0, 40))).toBe(true);
      expect(await asksForCode(harness, off, shape), JSON.stringify(shape.slice(0, 40))).toBe(false);
    }
    expect(await asksForCode(harness, user, token), 'the real one still counts').toBe(false);
  });

  it('leak: the device token is in no event, no error, no log line and not in the store', async () => {
    const said: string[] = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const)
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void said.push(args.map(String).join(' ')));
    vi.spyOn(process, 'emitWarning').mockImplementation((warning: string | Error) => void said.push(String(warning)));
    const { store, hashes } = notingTrusts(open.store);
    const harness = totpHarness(store);
    const user = newUser();
    const { secret } = await harness.enroll(user);
    const tokens = [await trustBrowser(harness, user, secret), await trustBrowser(harness, user, secret)];
    const errors: unknown[] = [];
    const attempt = (call: () => Promise<unknown>) => call().catch((error: unknown) => void errors.push(error));
    for (const token of tokens) {
      await asksForCode(harness, user, token);
      await asksForCode(harness, newUser(), token);
      await attempt(() => harness.client.verifySecondFactor(user, token));
      await attempt(() => harness.client.verify(user, token));
      await attempt(() => harness.client.disable(user, { stepUpToken: token }));
      await attempt(() => harness.client.disable(user, { code: token }));
      await attempt(() => harness.client.revokeTrustedDevice(user, token));
      await attempt(() => harness.provider.trustDevice(user, { label: 'x', stepUpToken: token }));
    }
    await attempt(() => harness.client.verifySecondFactor(user, tokens[0]!));
    await harness.client.revokeTrustedDevices(user);
    expect(errors.length).toBeGreaterThanOrEqual(11);
    const texts = {
      events: harness.events.map((e) => everythingSaidBy(e)).join('\n'),
      errors: errors.map((e) => everythingSaidBy(e)).join('\n'),
      logs: said.join('\n'),
      store: await open.dump(),
      devices: everythingSaidBy(await harness.client.listTrustedDevices(user)),
    };
    for (const [where, text] of Object.entries(texts))
      for (const token of tokens) {
        expect(text.includes(token), `${where} holds a token`).toBe(false);
        expect(text.includes(token.slice(3)), `${where} holds a token's random part`).toBe(false);
      }
    for (const where of ['events', 'errors', 'logs', 'devices'] as const)
      for (const hash of hashes) expect(texts[where].includes(hash), `${where} holds a token hash`).toBe(false);
  });

  it('key rotation: a device trusted under the old key counts while that key is configured; new devices are hashed under the newest', async () => {
    const { store, hashes } = notingTrusts(open.store);
    const before = totpHarness(store, { encryptionKey: [OLD_KEY] });
    const user = newUser();
    const { secret } = await before.enroll(user);
    const oldToken = await trustBrowser(before, user, secret);
    expect(hashes.at(-1)).toMatch(/^old\./);
    const rotated = totpHarness(store, { encryptionKey: [NEW_KEY, OLD_KEY] }, before.clock);
    expect(await asksForCode(rotated, user, oldToken), 'old device, old key still configured').toBe(false);
    const newToken = await trustBrowser(rotated, user, secret);
    expect(hashes.at(-1)).toMatch(/^new\./);
    expect(await asksForCode(rotated, user, newToken)).toBe(false);
    expect(await asksForCode(before, user, newToken), 'a server still on the old key alone cannot match it').toBe(true);
    const after = totpHarness(store, { encryptionKey: [NEW_KEY] }, before.clock);
    expect(await asksForCode(after, user, oldToken), 'old key removed: the old device no longer counts').toBe(true);
    expect(await asksForCode(after, user, newToken)).toBe(false);
  });
});
