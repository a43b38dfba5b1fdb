import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { MfaClient, MfaUser } from 'saasus-mfa';
import { createFakeAuthenticator } from 'saasus-mfa/testing';
import { allBlocks, scratchDir, writeBlocks } from './support/doc-blocks.js';

// The README's login.ts (the password step's challenge, then the code step) is not only compiled and run: it is used
// here, as the app's routes would use it, so the challenge it documents does what the README says.
interface LoginModule {
  mfa: MfaClient;
  afterPassword(user: MfaUser): Promise<{ status: number; body: Record<string, unknown> }>;
  answerChallenge(challenge: string, code: string): Promise<{ status: number; body: Record<string, unknown> }>;
}

const block = allBlocks().find((each) => each.code.includes('export async function answerChallenge'));
const dir = scratchDir('login');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const load = async (): Promise<LoginModule> => {
  const file = writeBlocks([block!], dir).get(block!)!;
  return (await import(pathToFileURL(file).href)) as LoginModule;
};

describe("the README's login flow", () => {
  it('is in the README', () => {
    expect(block, 'no README block exports answerChallenge').toBeDefined();
  });

  it('signs a user without MFA in at once, and one with MFA on only after a code for the challenge', async () => {
    const { mfa, afterPassword, answerChallenge } = await load();
    const authenticator = createFakeAuthenticator();
    const user = { id: randomUUID(), email: 'ada@example.com' };
    const direct = await afterPassword(user);
    expect(direct.status).toBe(200);
    expect(direct.body.token).toEqual(expect.any(String));

    const { secret } = await mfa.createSetup(user);
    await mfa.verify(user, authenticator.code(secret));
    const { recoveryCodes = [] } = await mfa.enable(user);

    const first = await afterPassword(user);
    expect(first.body).toEqual({ mfaRequired: true, challenge: expect.any(String) });
    expect(first.body.token).toBeUndefined();
    const challenge = first.body.challenge as string;

    expect(await answerChallenge('not-a-challenge', authenticator.code(secret))).toMatchObject({ status: 401 });
    const wrong = await answerChallenge(challenge, authenticator.codeAt(secret, Date.now() - 3_600_000));
    expect(wrong).toMatchObject({ status: 400, body: { code: 'invalid_code' } });

    // The setup's code is spent (replay protection); the next step's code is within the window and still unused.
    const next = authenticator.codeAt(secret, Date.now() + 30_000);
    const signedIn = await answerChallenge(challenge, next);
    expect(signedIn).toMatchObject({
      status: 200,
      body: { token: expect.any(String), verified: true, method: 'totp' },
    });
    expect(await answerChallenge(challenge, next), 'a challenge yields one session').toMatchObject({ status: 401 });

    const second = await afterPassword(user);
    const byRecoveryCode = await answerChallenge(second.body.challenge as string, recoveryCodes[0]!);
    expect(byRecoveryCode).toMatchObject({
      status: 200,
      body: { method: 'recovery_code', recoveryCodesRemaining: recoveryCodes.length - 1 },
    });
  });
});
