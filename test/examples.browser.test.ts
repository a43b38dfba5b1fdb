import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import { dirname } from 'node:path';
import type { Page, Response } from 'playwright-core';
import { createFakeAuthenticator } from 'saasus-mfa/testing';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { memoryBackend } from '../examples/shared/self-hosted/backends.js';
import { pageFile } from '../examples/shared/server/page-files.js';
import { selfHostedDeps } from '../examples/shared/self-hosted/setup.js';
import { type Browser, chromiumAvailable, decodeQrPng, launchChromium, pngFromDataUrl } from './support/browser.js';
import { EXAMPLE_APPS, type RunningApp, listen } from './support/example-apps.js';

/**
 * The demo page, driven in headless Chromium as a person would use it: the real example app (self-hosted mode,
 * memory store) on a free port, forms filled and buttons clicked, codes computed by the fake authenticator from the
 * key shown ON THE PAGE, with the real clock. Screenshots of the QR and recovery-code steps go to test-artifacts/.
 *
 * `DEMO_PAGE_SCREENSHOT=docs/demo-page.png npx vitest run test/examples.browser.test.ts` also writes the README's
 * screenshot of the page (Express, at the QR step).
 */

const ARTIFACTS = 'test-artifacts';
const PASSWORD = 'correct horse battery staple';
const authenticator = createFakeAuthenticator(); // the system clock, as the server's
const STEP_MS = 30_000;
const WAIT = { timeout: 10_000 };

const canRun = chromiumAvailable();

/** The example app as `npm start` builds it in self-hosted mode (memory store), on 127.0.0.1 with a free port. */
async function startExample(framework: 'express' | 'koa'): Promise<RunningApp> {
  const example = EXAMPLE_APPS.find(({ name }) => name === framework);
  if (!example) throw new Error(`no example app named ${framework}`);
  const backend = memoryBackend();
  // A key of its own, as a deployment sets MFA_ENCRYPTION_KEY: secrets sealed at rest, no development warning.
  const deps = selfHostedDeps(backend, { issuer: 'Acme', provider: { encryptionKey: randomBytes(32), env: {} } });
  const running = await listen(example.create(deps));
  return {
    url: running.url,
    async close() {
      await running.close();
      await backend.close();
    },
  };
}

describe.skipIf(!canRun).each(['express', 'koa'] as const)(
  'the demo page in Chromium (%s, self-hosted, memory store)',
  (framework) => {
    let app: RunningApp;
    let browser: Browser;
    /** Requests the page made to anywhere but the example: the page must need nothing from the network. */
    const foreignRequests: string[] = [];
    /** What the page's script threw and what the console reported as an error (a CSP violation, a failed load). */
    const pageErrors: string[] = [];

    beforeAll(async () => {
      app = await startExample(framework);
      browser = await launchChromium();
      browser.context.on('request', (request) => {
        const url = request.url();
        if (!url.startsWith(`${app.url}/`) && !url.startsWith('data:')) foreignRequests.push(url);
      });
      browser.context.on('weberror', (error) => pageErrors.push(error.error().message));
      // A refused answer (401, 400, 429) is logged by Chromium as a failed load; those are the flow's expected errors.
      browser.context.on('console', (message) => {
        if (message.type() === 'error' && !/status of (400|401|403|409|429)/.test(message.text()))
          pageErrors.push(message.text());
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await app?.close();
    });

    it('walks sign-up, setup with the QR code, recovery codes, login through the challenge, a recovery code, step-up, lockout and disable', async () => {
      const page = await openPage(browser, app.url);
      const username = framework === 'express' ? 'ada' : 'grace';
      // What the page showed when a step failed: the first thing to look at in a CI log's artifacts.
      onTestFailed(async () => {
        await mkdir(ARTIFACTS, { recursive: true });
        await page
          .screenshot({ path: `${ARTIFACTS}/examples-${framework}-failure.png`, fullPage: true })
          .catch(() => {});
      });

      // Sign up: signed in at once, MFA off.
      await signUp(page, username, PASSWORD);
      await expectText(page, '#account-username', username);
      await expectText(page, '#mfa-status', 'Two-factor authentication is off');

      // A reload keeps the session: the token is in this tab's sessionStorage.
      await page.reload();
      await expectText(page, '#account-username', username);

      // Setup: the QR code and the key for manual entry, as the server gave them.
      const setupAnswer = await answerTo(page, '/mfa_setup', () =>
        page.getByRole('button', { name: 'Set up two-factor authentication' }).click(),
      );
      const setup = (await setupAnswer.json()) as { qrCodeUrl: string; secretKey: string; qrCodeDataUrl: string };
      const qr = page.getByTestId('qr');
      await qr.waitFor(WAIT);
      const shownSecret = (await page.getByTestId('secret').textContent()) ?? '';
      expect(shownSecret).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/); // grouped by four for reading aloud or typing
      const secret = shownSecret.replace(/ /g, '');
      expect(secret).toBe(setup.secretKey);
      expect(new URL(setup.qrCodeUrl).searchParams.get('secret')).toBe(secret);

      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}/examples-${framework}-qr-step.png`, fullPage: true });
      if (framework === 'express' && process.env.DEMO_PAGE_SCREENSHOT)
        await saveDemoScreenshot(page, process.env.DEMO_PAGE_SCREENSHOT);

      // The QR code decodes back to the otpauth URI: from the image the page shows, and from the pixels on screen.
      const imageSrc = (await qr.getAttribute('src')) ?? '';
      expect(imageSrc).toBe(setup.qrCodeDataUrl);
      expect(decodeQrPng(pngFromDataUrl(imageSrc))).toBe(setup.qrCodeUrl);
      expect(decodeQrPng(await qr.screenshot())).toBe(setup.qrCodeUrl);

      // The code field says what it is to phones and password managers: a one-time code, typed on a number pad.
      const setupCode = page.getByLabel('Type the 6-digit code the app shows');
      expect(await setupCode.getAttribute('autocomplete')).toBe('one-time-code');
      expect(await setupCode.getAttribute('inputmode')).toBe('numeric');

      // A wrong code: a sentence, not the JSON error.
      await setupCode.fill(wrongCode(secret));
      await page.getByRole('button', { name: 'Verify' }).click();
      await expectProblem(page, 'That code is not right.');

      // The right code, then turn MFA on.
      await setupCode.fill(authenticator.code(secret));
      await page.getByRole('button', { name: 'Verify' }).click();
      await expectNotice(page, 'Code accepted');
      expect(await setupCode.isVisible()).toBe(false); // no second code to burn
      await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();

      // Recovery codes: ten, shown once, gone from the page once the person says they saved them.
      const codes = page.getByTestId('recovery-codes').locator('li');
      await codes.first().waitFor(WAIT);
      const recoveryCodes = await codes.allTextContents();
      expect(recoveryCodes).toHaveLength(10);
      for (const code of recoveryCodes) expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
      await page.screenshot({ path: `${ARTIFACTS}/examples-${framework}-recovery-codes-step.png`, fullPage: true });
      const done = page.getByRole('button', { name: 'Done' });
      expect(await done.isDisabled()).toBe(true);
      await page.getByLabel('I saved these codes somewhere safe').check();
      await done.click();
      await expectText(page, '#mfa-status', 'Two-factor authentication is on');
      expect(await page.content()).not.toContain(recoveryCodes[0]);
      expect(await page.getByTestId('qr').getAttribute('src')).toBeNull(); // the key is not left in the page either

      // Log out; a wrong password gets the same sentence as an unknown user.
      await page.getByRole('button', { name: 'Log out' }).click();
      await expectNotice(page, 'You are logged out.');
      await logIn(page, username, 'not the password');
      await expectProblem(page, 'Wrong username or password.');
      await signUp(page, username, PASSWORD);
      await expectProblem(page, 'Username taken.');

      // Log in through the challenge. The code is the authenticator's NEXT one (the server's window accepts one step
      // ahead): the current step may be the one verified above, and replay protection refuses that step and every
      // earlier one. The next step is always later than the verified one, so no waiting for the clock.
      await logIn(page, username, PASSWORD);
      await expectNotice(page, 'Now the code from your authenticator app');
      const challengeCode = page.getByLabel('Code from your authenticator app', { exact: true });
      expect(await challengeCode.getAttribute('autocomplete')).toBe('one-time-code');
      expect(await challengeCode.getAttribute('inputmode')).toBe('numeric');
      await challengeCode.fill(wrongCode(secret));
      await page.getByRole('button', { name: 'Continue' }).click();
      await expectProblem(page, 'That code is not right.');
      // The SDK says how many wrong codes are left before a lock, and the page says it too.
      await expect.poll(() => page.getByRole('alert').textContent(), WAIT).toMatch(/\d+ attempts? left\./);
      await challengeCode.fill(authenticator.codeAt(secret, Date.now() + STEP_MS));
      await page.getByRole('button', { name: 'Continue' }).click();
      await expectText(page, '#account-username', username);
      await expectText(page, '#mfa-status', 'Two-factor authentication is on');

      // Log in with a recovery code instead.
      await page.getByRole('button', { name: 'Log out' }).click();
      await logIn(page, username, PASSWORD);
      await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
      const recoveryInput = page.getByRole('textbox', { name: 'Recovery code', exact: true });
      await recoveryInput.fill('not-a-code!');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expectProblem(page, 'That does not look like a recovery code.');
      await recoveryInput.fill(recoveryCodes[0]!.toLowerCase()); // typed from paper, in any case
      await page.getByRole('button', { name: 'Continue' }).click();
      await expectNotice(page, 'Signed in with a recovery code. 9 recovery codes left.');
      await expectText(page, '#account-username', username);

      // New recovery codes need a fresh second factor first (the step-up): the page asks before it calls.
      await page.getByRole('button', { name: 'Get new recovery codes' }).click();
      await expectText(page, '#step-up-purpose', 'To get new recovery codes');
      const stepUpCode = page.getByLabel('Code from your authenticator app, or a recovery code');
      expect(await stepUpCode.getAttribute('autocomplete')).toBe('one-time-code');
      await page.getByRole('button', { name: 'Confirm' }).click();
      await expectProblem(page, 'Type a code from your authenticator app, or a recovery code.');
      await stepUpCode.fill(recoveryCodes[0]!); // used up at the login above
      await page.getByRole('button', { name: 'Confirm' }).click();
      await expectProblem(page, 'That recovery code is not right, or it was already used.');
      await stepUpCode.fill(recoveryCodes[1]!);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await expectNotice(page, 'New recovery codes.');
      await codes.first().waitFor(WAIT);
      const newCodes = await codes.allTextContents();
      expect(newCodes).toHaveLength(10);
      expect(newCodes.some((code) => recoveryCodes.includes(code))).toBe(false);
      await page.getByLabel('I saved these codes somewhere safe').check();
      await done.click();
      await expectText(page, '#mfa-status', 'Two-factor authentication is on');

      // Turning MFA off: the same prompt. A code of the old set is refused (they were all replaced), a new one works,
      // and the answer says the other sessions ended.
      await page.getByRole('button', { name: 'Turn off two-factor authentication' }).click();
      await expectText(page, '#step-up-purpose', 'To turn off two-factor authentication');
      await stepUpCode.fill(recoveryCodes[2]!);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await expectProblem(page, 'That recovery code is not right, or it was already used.');
      await stepUpCode.fill(newCodes[0]!);
      await page.getByRole('button', { name: 'Confirm' }).click();
      await expectText(page, '#mfa-status', 'Two-factor authentication is off');
      await expectNotice(page, 'your other sessions ended');
      await page.getByRole('button', { name: 'Log out' }).click();
      await logIn(page, username, PASSWORD);
      await expectText(page, '#account-username', username);

      // Brute force, in a second tab (its own sessionStorage: signed out), on a second account with MFA on: five
      // wrong codes, each answer saying how many are left, then the lock, which holds even for the right code, and
      // the page offers the recovery-code path.
      const victim = `${username}-2`;
      const victimSecret = await enrolOverHttp(app.url, victim);
      const attacker = await openPage(browser, app.url);
      await logIn(attacker, victim, PASSWORD);
      const attackerCode = attacker.getByLabel('Code from your authenticator app', { exact: true });
      for (let attempt = 1; attempt <= 5; attempt++) {
        await attackerCode.fill(wrongCode(victimSecret));
        const refused = await answerTo(attacker, '/mfa/challenge', () =>
          attacker.getByRole('button', { name: 'Continue' }).click(),
        );
        expect(refused.status()).toBe(400);
        const { attemptsRemaining } = (await refused.json()) as { attemptsRemaining: number };
        expect(attemptsRemaining).toBe(5 - attempt);
        await expectProblem(
          attacker,
          attemptsRemaining === 0
            ? 'No attempts left'
            : `${attemptsRemaining} ${attemptsRemaining === 1 ? 'attempt' : 'attempts'} left.`,
        );
      }
      await attackerCode.fill(authenticator.codeAt(victimSecret, Date.now() + STEP_MS));
      const locked = await answerTo(attacker, '/mfa/challenge', () =>
        attacker.getByRole('button', { name: 'Continue' }).click(),
      );
      expect(locked.status()).toBe(429);
      const { retryAfterMs } = (await locked.json()) as { retryAfterMs: number };
      expect(retryAfterMs).toBeGreaterThan(0);
      await expectProblem(attacker, `Too many attempts. Try again in ${inWords(retryAfterMs)}.`);
      await expectProblem(attacker, 'You can still sign in with one of your recovery codes.');
      expect(await attacker.getByRole('textbox', { name: 'Recovery code', exact: true }).isVisible()).toBe(true);
      await expectText(attacker, '#challenge-title', 'Two-factor authentication'); // still not signed in
      await attacker.close();

      expect(foreignRequests).toEqual([]);
      expect(pageErrors).toEqual([]);
      await page.close();
    }, 120_000);

    it('trusted browser: tick the box, sign out, the password alone signs in; revoked, the code is asked again', async () => {
      const page = await openPage(browser, app.url);
      onTestFailed(async () => {
        await mkdir(ARTIFACTS, { recursive: true });
        await page
          .screenshot({ path: `${ARTIFACTS}/examples-${framework}-trusted-failure.png`, fullPage: true })
          .catch(() => {});
      });
      const username = `${framework}-trusted`;
      const secret = await enrolOverHttp(app.url, username);

      // The challenge with "Trust this browser for 30 days" ticked.
      await logIn(page, username, PASSWORD);
      await expectNotice(page, 'Now the code from your authenticator app');
      await page.getByLabel('Trust this browser for 30 days').check();
      await page.getByLabel('Code from your authenticator app', { exact: true }).fill(nextStepCode(secret));
      await page.getByRole('button', { name: 'Continue' }).click();
      await expectNotice(page, 'This browser is trusted for 30 days');
      await expectText(page, '#account-username', username);

      // The token is in an HttpOnly, SameSite=Lax cookie: not readable by the page's script.
      const [cookie, ...others] = (await browser.context.cookies(app.url)).filter(
        (c) => c.name === 'mfa_trusted_device',
      );
      expect(others).toEqual([]);
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
      expect(cookie!.value).toMatch(/^d1\.[A-Za-z0-9_-]{43}$/);
      expect(cookie!.expires * 1000 - Date.now()).toBeGreaterThan(29.9 * 24 * 3600 * 1000);
      expect(
        await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie),
      ).not.toContain(cookie!.value);
      expect(await page.content()).not.toContain(cookie!.value);

      // The settings list it, by the browser's name.
      const rows = page.getByTestId('trusted-list').locator('li');
      await rows.first().waitFor(WAIT);
      expect(await rows.count()).toBe(1);
      expect(await rows.first().textContent()).toContain('Chrome on Linux');
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}/examples-${framework}-trusted-browsers.png`, fullPage: true });

      // Sign out, sign in with the password alone: no challenge.
      await page.getByRole('button', { name: 'Log out' }).click();
      await logIn(page, username, PASSWORD);
      await expectText(page, '#account-username', username);
      expect(await page.locator('#view-challenge').isVisible()).toBe(false);

      // Revoke it; the next sign-in asks for the code again.
      await rows.first().getByRole('button', { name: 'Revoke' }).click();
      await expectNotice(page, 'That browser is no longer trusted');
      await expect.poll(() => page.getByTestId('trusted-none').isVisible(), WAIT).toBe(true);
      await page.getByRole('button', { name: 'Log out' }).click();
      await logIn(page, username, PASSWORD);
      await expectNotice(page, 'Now the code from your authenticator app');
      await expectText(page, '#challenge-title', 'Two-factor authentication');
      expect(await page.getByLabel('Trust this browser for 30 days').isChecked()).toBe(false);
      // The dead cookie was cleared by that login.
      expect((await browser.context.cookies(app.url)).filter((c) => c.name === 'mfa_trusted_device')).toEqual([]);

      expect(foreignRequests).toEqual([]);
      expect(pageErrors).toEqual([]);
      await page.close();
    }, 60_000);
  },
);

describe.skipIf(!canRun)('the demo page against a hostile or broken server (injection)', () => {
  // Markup an attacker could get into a username, a key or an error message if a server were compromised or buggy.
  const hostile = (id: string) => `<img id="${id}" src="x"><script>window.injected = true</script>`;
  let server: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    server = await listen(hostileServer(hostile));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows data from the server as text, never runs it as HTML, and follows no javascript: URL', async () => {
    const page = await openPage(browser, server.url);

    // An error message with markup in it: shown as text.
    await signUp(page, 'mallory', PASSWORD);
    await expectProblem(page, hostile('from-error'));

    await signUp(page, 'mallory2', PASSWORD);
    await expectText(page, '#account-username', hostile('from-username'));

    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    await expectText(page, '#secret', hostile('from-secret').slice(0, 4));
    expect(await page.getByTestId('qr').getAttribute('src')).toBeNull(); // a javascript: URL is not an image
    expect(await page.locator('#otpauth-link').getAttribute('href')).toBe('#'); // nor a link

    await page.getByLabel('Type the 6-digit code the app shows').fill('123456');
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await expectText(page, '#recovery-codes', hostile('from-recovery-code'));

    expect(await page.locator('[id^="from-"]').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(1); // the page's own app.js
    expect(await page.evaluate(() => (globalThis as { injected?: boolean }).injected)).toBeUndefined();
    await page.close();
  }, 60_000);
});

/** Serves the real page files and answers its calls with markup where text belongs. */
function hostileServer(hostile: (id: string) => string): RequestListener {
  const answers: Record<string, [number, unknown]> = {
    'GET /me': [200, { username: hostile('from-username') }],
    'GET /mfa_status': [200, { enabled: false, method: null }],
    'GET /mfa_setup': [
      200,
      { qrCodeUrl: 'javascript:alert(1)', secretKey: hostile('from-secret'), qrCodeDataUrl: 'javascript:alert(2)' },
    ],
    'POST /mfa_verify': [200, { message: 'ok' }],
    'POST /mfa_enable': [200, { message: 'ok', recoveryCodes: [hostile('from-recovery-code')] }],
  };
  let signups = 0;
  return (request, response) => {
    void (async () => {
      // The real page and its modules, as the example serves them.
      const file = request.method === 'GET' ? await pageFile(request.url ?? '') : undefined;
      if (file) {
        response.writeHead(200, { 'Content-Type': file.contentType });
        response.end(file.body);
        return;
      }
      for await (const _chunk of request); // drain the body
      const key = `${request.method} ${request.url}`;
      const [status, body] =
        key === 'POST /signup'
          ? signups++ === 0
            ? [400, { error: hostile('from-error'), code: 'invalid_request' }]
            : [201, { token: 'hostile-session' }]
          : (answers[key] ?? [404, { error: 'Not found', code: 'not_found' }]);
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    })();
  };
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.goto(url);
  await page.getByRole('heading', { name: 'Log in', exact: true }).waitFor(WAIT);
  return page;
}

async function signUp(page: Page, username: string, password: string): Promise<void> {
  const form = page.locator('#signup-form');
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Sign up' }).click();
}

async function logIn(page: Page, username: string, password: string): Promise<void> {
  const form = page.locator('#login-form');
  await form.getByLabel('Username').fill(username);
  await form.getByLabel('Password').fill(password);
  await form.getByRole('button', { name: 'Log in' }).click();
}

async function expectText(page: Page, selector: string, text: string): Promise<void> {
  await expect.poll(() => page.locator(selector).textContent(), WAIT).toContain(text);
}

async function expectNotice(page: Page, text: string): Promise<void> {
  await expect.poll(() => page.getByTestId('notice').textContent(), WAIT).toContain(text);
}

/** The problem is said in the alert region, in words; nothing on the page looks like the server's JSON. */
async function expectProblem(page: Page, text: string): Promise<void> {
  await expect.poll(() => page.getByRole('alert').textContent(), WAIT).toContain(text);
  const visible = await page.locator('body').innerText();
  expect(visible).not.toMatch(/[{}]|"code"|invalid_code|rate_limited|retryAfterMs|invalid_credentials|username_taken/);
}

/** Sign-up, setup, verify and enable over HTTP (no page): a second account with MFA on. Returns its secret. */
async function enrolOverHttp(url: string, username: string): Promise<string> {
  const post = async (path: string, token: string | undefined, body: unknown) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
    expect(response.ok, `${path} → ${response.status}`).toBe(true);
    return (await response.json()) as Record<string, unknown>;
  };
  const { token } = (await post('/signup', undefined, { username, password: PASSWORD })) as { token: string };
  const setup = await fetch(`${url}/mfa_setup`, { headers: { Authorization: `Bearer ${token}` } });
  const { secretKey } = (await setup.json()) as { secretKey: string };
  await post('/mfa_verify', token, { verification_code: authenticator.code(secretKey) });
  await post('/mfa_enable', token, {});
  return secretKey;
}

/** Does what a person does (a click) and returns the server's answer to the call it made. */
async function answerTo(page: Page, path: string, action: () => Promise<void>): Promise<Response> {
  const answer = page.waitForResponse((response) => new URL(response.url()).pathname === path);
  await action();
  return answer;
}

/**
 * The authenticator's NEXT code (the server's window accepts one step ahead): the current step may be the one the
 * enrolment verified, and replay protection refuses that step and every earlier one.
 */
function nextStepCode(secret: string): string {
  return authenticator.codeAt(secret, Date.now() + STEP_MS);
}

/** Six digits that are not the authenticator's code for any step the server's window accepts now or in a minute. */
function wrongCode(secret: string): string {
  const now = Date.now();
  const valid = new Set([-1, 0, 1, 2, 3].map((steps) => authenticator.codeAt(secret, now + steps * STEP_MS)));
  let candidate = Number(authenticator.code(secret));
  do candidate = (candidate + 111_111) % 1_000_000;
  while (valid.has(String(candidate).padStart(6, '0')));
  return String(candidate).padStart(6, '0');
}

/** The wait as the page words it: seconds under two minutes, whole minutes (rounded up) above. */
function inWords(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 120 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}

/** The README's picture: the setup step with the QR code, a clean profile, no error on screen. */
async function saveDemoScreenshot(page: Page, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, await page.screenshot({ fullPage: true }));
}
