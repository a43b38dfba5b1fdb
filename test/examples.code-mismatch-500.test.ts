import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_APPS, type RunningApp, listen } from './support/example-apps.js';
import { exampleHttp } from './support/example-http.js';
import { expectSafeResponses } from './support/example-leaks.js';
import { useFakeSaasus } from './support/fake-saasus.js';

// The public reference documents only 500 for the MFA calls, so SaaSus may answer a wrong code with 500
// (CodeMismatchException). The front end must still see 400 invalid_code, not a server error it cannot explain.
const { fake, authenticator, client, provider, clock } = useFakeSaasus({ codeMismatchStatus: 500 });

describe.each(EXAMPLE_APPS)('$name example app, when SaaSus answers a wrong code with 500', ({ create }) => {
  let app: RunningApp;
  const { call, exchanges } = exampleHttp(() => app.url);

  beforeAll(async () => {
    app = await listen(create({ mfa: client(), provider: provider() }));
  });
  afterAll(() => app.close());

  it('answers 400 invalid_code for the wrong code, then 200 for the right one', async () => {
    const alice = fake.addUser();
    const as = { idToken: alice.idToken, accessToken: alice.accessToken };
    const setup = await call('/mfa_setup', as);
    const { secretKey } = setup.body as { secretKey: string };
    const valid = [-30_000, 0, 30_000].map((offset) => authenticator.codeAt(secretKey, clock.nowMs() + offset));
    const wrong = ['000000', '111111', '222222', '333333'].find((code) => !valid.includes(code))!;

    const refused = await call('/mfa_verify', { ...as, json: { verification_code: wrong } });
    expect(refused).toMatchObject({ status: 400, body: { code: 'invalid_code', reason: 'mismatch' } });
    expect(fake.requests.some((request) => request.operation === 'registerSoftwareToken')).toBe(true);

    const accepted = await call('/mfa_verify', { ...as, json: { verification_code: authenticator.code(secretKey) } });
    expect(accepted.status).toBe(200);
    expectSafeResponses(exchanges, { tokens: [alice.idToken, alice.accessToken], secrets: [secretKey] });
  });
});
