import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MfaConfigurationError, MfaProviderError } from '../src/index.js';
import { MemoryMfaStore, TotpMfaProvider } from '../src/totp/index.js';
import { canonicalRecoveryCode } from '../src/totp/recovery-codes.js';
import { newUser, totpHarness } from './support/totp.js';

const key = () => randomBytes(32);

describe('secrets at rest', () => {
  it('seals secrets with AES-256-GCM under a key id: v1.<keyId>.<iv>.<tag>.<ciphertext>', async () => {
    const store = new MemoryMfaStore();
    const { client } = totpHarness(store, { encryptionKey: { id: 'k2026', key: key() } });
    const user = newUser();
    const { secret } = await client.createSetup(user);
    const sealed = (await store.load({ userId: user.id })).pending!.sealedSecret;
    expect(sealed).toMatch(/^v1\.k2026\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(sealed).not.toContain(secret);
  });

  it('key rotation: old secrets still open with the old key, new ones are sealed with the new key', async () => {
    const store = new MemoryMfaStore();
    const [oldKey, newKey] = [key(), key()];
    const before = totpHarness(store, { encryptionKey: oldKey.toString('base64') });
    const user = newUser();
    const { secret } = await before.enroll(user);

    const oldId = (await store.load({ userId: user.id })).factor!.sealedSecret.split('.')[1];

    const after = totpHarness(
      store,
      { encryptionKey: [newKey.toString('base64'), oldKey.toString('base64')] },
      before.clock,
    );
    expect(await after.client.verifySecondFactor(user, after.authenticator.code(secret))).toMatchObject({
      verified: true,
    });

    const other = newUser();
    const { secret: otherSecret } = await after.client.createSetup(other);
    const newId = (await store.load({ userId: other.id })).pending!.sealedSecret.split('.')[1];
    expect(newId).not.toBe(oldId);
    const onlyNew = totpHarness(store, { encryptionKey: newKey }, before.clock);
    const otherSetup = (await store.load({ userId: other.id })).pending!;
    await expect(
      onlyNew.client.verify(other, onlyNew.authenticator.code(otherSecret)),
      'sealed with the new key alone',
    ).resolves.toEqual({ verified: true });
    expect(otherSetup.sealedSecret.startsWith(`v1.${newId}.`)).toBe(true);
  });

  it('key rotation: a login re-seals the secret with the new key, after which the old key can be retired', async () => {
    const store = new MemoryMfaStore();
    const [oldKey, newKey] = [
      { id: 'old', key: key() },
      { id: 'new', key: key() },
    ];
    const before = totpHarness(store, { encryptionKey: oldKey });
    const user = newUser();
    const { secret } = await before.enroll(user);
    expect((await store.load({ userId: user.id })).factor!.sealedSecret).toMatch(/^v1\.old\./);

    const rotated = totpHarness(store, { encryptionKey: [newKey, oldKey] }, before.clock);
    expect(rotated.provider.keyIds).toEqual(['new', 'old']);
    await expect(rotated.client.verifySecondFactor(user, 'ZZZZ-ZZZZ-ZZZZ')).rejects.toBeTruthy();
    expect((await store.load({ userId: user.id })).factor!.sealedSecret, 'a failed attempt changes nothing').toMatch(
      /^v1\.old\./,
    );
    await rotated.client.verifySecondFactor(user, rotated.authenticator.code(secret));
    expect((await store.load({ userId: user.id })).factor!.sealedSecret).toMatch(/^v1\.new\./);

    before.clock.advance(30_000);
    const retired = totpHarness(store, { encryptionKey: newKey }, before.clock);
    expect(await retired.client.verifySecondFactor(user, retired.authenticator.code(secret))).toMatchObject({
      verified: true,
    });
  });

  it('a secret whose key was removed from the ring is a configuration error naming the key id, never "verified"', async () => {
    const store = new MemoryMfaStore();
    const first = totpHarness(store, { encryptionKey: { id: 'old', key: key() } });
    const user = newUser();
    const { secret } = await first.enroll(user);
    const withoutOld = totpHarness(store, { encryptionKey: { id: 'new', key: key() } }, first.clock);
    const attempt = withoutOld.client.verifySecondFactor(user, first.authenticator.code(secret));
    await expect(attempt).rejects.toBeInstanceOf(MfaConfigurationError);
    await expect(attempt).rejects.toThrow(/"old"/);
  });

  it('tampering: a modified ciphertext fails its integrity check with a typed error', async () => {
    const store = new MemoryMfaStore();
    const { client, authenticator } = totpHarness(store);
    const user = newUser();
    const { secret } = await client.createSetup(user);
    const pending = (await store.load({ userId: user.id })).pending!;
    const parts = pending.sealedSecret.split('.');
    const bytes = Buffer.from(parts[4]!, 'base64url');
    bytes[0]! ^= 1;
    parts[4] = bytes.toString('base64url');
    await store.savePending({ userId: user.id, pending: { ...pending, sealedSecret: parts.join('.') } });
    const attempt = client.verify(user, authenticator.code(secret));
    await expect(attempt).rejects.toBeInstanceOf(MfaProviderError);
    await expect(attempt).rejects.toMatchObject({ type: 'store_corrupt' });
  });

  it("tampering: a sealed secret copied onto another user's record does not open (the user id is authenticated)", async () => {
    const store = new MemoryMfaStore();
    const { client, authenticator } = totpHarness(store);
    const [attacker, victim] = [newUser(), newUser()];
    const attackers = await client.createSetup(attacker);
    await client.createSetup(victim);
    const planted = (await store.load({ userId: attacker.id })).pending!;
    await store.savePending({ userId: victim.id, pending: planted });
    await expect(client.verify(victim, authenticator.code(attackers.secret))).rejects.toMatchObject({
      type: 'store_corrupt',
    });
  });

  it('tampering: with keys configured, an unencrypted secret planted in the store is refused', async () => {
    const store = new MemoryMfaStore();
    const { client, authenticator } = totpHarness(store);
    const victim = newUser();
    await client.createSetup(victim);
    const pending = (await store.load({ userId: victim.id })).pending!;
    await store.savePending({
      userId: victim.id,
      pending: { ...pending, sealedSecret: 'plain.JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' },
    });
    await expect(client.verify(victim, authenticator.code('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'))).rejects.toMatchObject({
      type: 'store_corrupt',
    });
  });

  it('warns (once, as a process warning) when it runs without a key outside production', async () => {
    const warnings: { code?: string }[] = [];
    const onWarning = (warning: Error & { code?: string }) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      new TotpMfaProvider({ store: new MemoryMfaStore(), env: {} });
      new TotpMfaProvider({ store: new MemoryMfaStore(), env: { NODE_ENV: 'development' } });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(warnings.filter((w) => w.code === 'SAASUS_MFA_NO_ENCRYPTION_KEY')).toHaveLength(1);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('refuses to start without a key when NODE_ENV=production', () => {
    expect(() => new TotpMfaProvider({ env: { NODE_ENV: 'production' } })).toThrow(MfaConfigurationError);
    expect(() => new TotpMfaProvider({ env: { NODE_ENV: 'production' } })).toThrow(/MFA_ENCRYPTION_KEY/);
    expect(
      () => new TotpMfaProvider({ env: { NODE_ENV: 'production', MFA_ENCRYPTION_KEY: key().toString('base64') } }),
    ).not.toThrow();
  });

  it('reads MFA_ENCRYPTION_KEY, several keys comma-separated, newest first', async () => {
    const [a, b] = [key(), key()];
    const store = new MemoryMfaStore();
    const provider = new TotpMfaProvider({
      store,
      env: { MFA_ENCRYPTION_KEY: `${a.toString('base64')}, ${b.toString('base64')}` },
    });
    const user = newUser();
    await provider.createSecret(user);
    const viaOption = new TotpMfaProvider({ store: new MemoryMfaStore(), encryptionKey: a });
    await viaOption.createSecret(user);
    expect((await store.load({ userId: user.id })).pending!.sealedSecret.split('.')[1]).toBe(
      (await viaOption.store.load({ userId: user.id })).pending!.sealedSecret.split('.')[1],
    );
  });

  it('leak: a bad key is refused without echoing it', () => {
    const short = randomBytes(16).toString('base64');
    for (const bad of [short, 'not base64 !!', `${short},${short}`, { id: 'has.dot', key: key() }, 42]) {
      let message = '';
      try {
        new TotpMfaProvider({ store: new MemoryMfaStore(), encryptionKey: bad as never });
      } catch (error) {
        expect(error).toBeInstanceOf(MfaConfigurationError);
        message = JSON.stringify(error) + String(error);
      }
      expect(message).not.toBe('');
      expect(message).not.toContain(short);
    }
  });

  it('rejects options out of range at construction', () => {
    for (const bad of [
      { window: -1 },
      { window: 11 },
      { maxAttempts: 0 },
      { setupTtlMs: 10 },
      { recoveryCodeCount: 1.5 },
      { attemptWindowMs: Number.NaN },
    ]) {
      expect(() => new TotpMfaProvider({ store: new MemoryMfaStore(), encryptionKey: key(), ...bad })).toThrow(
        MfaConfigurationError,
      );
    }
  });

  it('recovery codes are read the way people misread them: O as 0, I and L as 1, any case', () => {
    expect(canonicalRecoveryCode('abcd-efgh-jkmo')).toBe('ABCDEFGHJKM0');
    expect(canonicalRecoveryCode('il23 4567 89ab')).toBe('1123456789AB');
    expect(canonicalRecoveryCode('ABCD-EFGH-JKMU'), 'U is not in the alphabet').toBeNull();
    expect(canonicalRecoveryCode('ABCD-EFGH-JKM'), 'too short').toBeNull();
  });
});
