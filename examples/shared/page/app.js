// The demo page's whole script: plain browser JavaScript, no build step, no dependency.
// It talks to the example server's self-hosted API (see examples/README.md) and never inserts data as HTML:
// every text from the server goes in through textContent, every URL is checked before it becomes an attribute.
// Loaded as a module: its names stay out of the page's global scope.
/* global document */

// The session token lives in sessionStorage: it survives a reload of this tab but not closing it, no other tab
// sees it, and unlike a cookie the browser never attaches it on its own, so another site cannot make requests in the
// user's name (no CSRF). A script on this page could read it, which is why the page loads no third-party code and its
// Content-Security-Policy allows scripts from this server only.
const TOKEN_KEY = 'saasus-mfa-demo.session';
const USERNAME = /^[A-Za-z0-9._@+-]{3,64}$/;
const SIX_DIGITS = /^[0-9]{6}$/;

const $ = (id) => document.getElementById(id);

/** The login challenge between the password and the second factor. Kept in memory only: it is single-use and short-lived. */
let pendingChallenge = null;

// ---------------------------------------------------------------------------------------------------------------
// Talking to the server

class ApiError extends Error {
  constructor(status, body, retryAfterHeader) {
    super(typeof body?.code === 'string' ? body.code : `http_${status}`);
    this.status = status;
    this.code = typeof body?.code === 'string' ? body.code : null;
    this.reason = typeof body?.reason === 'string' ? body.reason : null;
    this.retryAfterMs = retryAfterOf(body, retryAfterHeader);
    this.serverMessage = typeof body?.error === 'string' ? body.error : null;
  }
}

function retryAfterOf(body, header) {
  if (typeof body?.retryAfterMs === 'number' && Number.isFinite(body.retryAfterMs)) return body.retryAfterMs;
  const seconds = Number(header);
  return header && Number.isFinite(seconds) ? seconds * 1000 : null;
}

/** One JSON call. Resolves to the parsed body (or {} for 204); rejects with an ApiError that carries the error's code. */
async function api(method, path, { body, auth = false } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (auth) headers.Authorization = `Bearer ${sessionStorage.getItem(TOKEN_KEY) ?? ''}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { code: 'network_error' });
  }
  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch {
      data = null;
    }
  }
  if (!response.ok) throw new ApiError(response.status, data, response.headers.get('Retry-After'));
  return data ?? {};
}

// ---------------------------------------------------------------------------------------------------------------
// What a person reads

function inSecondsOrMinutes(ms) {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 120) return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/** The error as a sentence for the person in front of the page; `what` says which kind of code was typed, if any. */
function humanMessage(error, what = null) {
  switch (error.code) {
    case 'invalid_code':
      if (error.reason === 'replayed')
        return 'That code was already used. Wait for the next one in your authenticator app.';
      if (error.reason === 'expired_setup') return 'This setup expired. Cancel and start again.';
      return what === 'recovery code'
        ? 'That recovery code is not right, or it was already used.'
        : 'That code is not right. Check the time on your phone and type the code the app shows now.';
    case 'rate_limited':
      return error.retryAfterMs === null
        ? 'Too many attempts. Try again later.'
        : `Too many attempts. Try again in ${inSecondsOrMinutes(error.retryAfterMs)}.`;
    case 'username_taken':
      return 'Username taken. Choose another one, or log in.';
    case 'invalid_credentials':
      return 'Wrong username or password.';
    case 'invalid_challenge':
      return 'That sign-in took too long or was already finished. Log in again.';
    case 'unauthorized':
      return 'Your session has ended. Log in again.';
    case 'already_enabled':
      return 'Two-factor authentication is already on.';
    case 'not_verified':
      return 'Type a code from your authenticator app and verify it first.';
    case 'not_found':
      return what === 'recovery code'
        ? 'That recovery code is not right, or it was already used.'
        : 'Nothing is being set up any more. Start again.';
    case 'invalid_request':
      if (what === 'recovery code') return 'That does not look like a recovery code. They look like ABCD-EFGH-JKMN.';
      if (what === 'code') return 'Type the 6 digits your authenticator app shows.';
      // Sign-up and login: the server's sentence names the field and the rule ("password must be 8 to 256 characters").
      return error.serverMessage ?? 'Something in the form is not right.';
    case 'network_error':
      return 'Cannot reach the server. Check that the example is still running.';
    case 'provider_error':
      return 'The server could not reach its storage. Try again in a moment.';
    default:
      return 'Something went wrong on the server. Try again.';
  }
}

function say(text) {
  $('problem').textContent = '';
  $('notice').textContent = text;
}

function complain(text) {
  $('notice').textContent = '';
  $('problem').textContent = text;
}

function clearMessages() {
  $('notice').textContent = '';
  $('problem').textContent = '';
}

// ---------------------------------------------------------------------------------------------------------------
// Views

function show(viewId, { focus = true } = {}) {
  for (const view of document.querySelectorAll('[data-view]')) view.hidden = view.id !== viewId;
  const heading = $(viewId).querySelector('h2, h3');
  // Moving focus to the new step's heading tells screen reader users where they are (not on first load).
  if (focus && heading) {
    heading.tabIndex = -1;
    heading.focus();
  }
}

/** Runs a form's action with its buttons disabled, so a double click does not send (and burn) a code twice. */
async function busy(element, action) {
  const buttons = element.querySelectorAll('button');
  for (const button of buttons) button.disabled = true;
  element.setAttribute('aria-busy', 'true');
  try {
    await action();
  } finally {
    for (const button of buttons) button.disabled = false;
    element.removeAttribute('aria-busy');
  }
}

function onSubmit(formId, action) {
  const form = $(formId);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(form, () => action(form));
  });
}

function onClick(buttonId, action) {
  const button = $(buttonId);
  button.addEventListener('click', () => void busy(button.parentElement, action));
}

/** Spaces and dashes are how people type or paste codes ("123 456"); the server accepts them too. */
function sixDigits(input) {
  const digits = input.value.replace(/[\s-]/g, '');
  if (SIX_DIGITS.test(digits)) {
    input.removeAttribute('aria-invalid');
    return digits;
  }
  input.setAttribute('aria-invalid', 'true');
  complain('Type the 6 digits your authenticator app shows.');
  input.focus();
  return null;
}

/** A failed call: a 401 on a signed-in call means the session is gone, anything else is said where the person is. */
function failed(error, what) {
  if (error.code === 'unauthorized') {
    signOutLocally();
    complain(humanMessage(error));
    return;
  }
  complain(humanMessage(error, what));
}

// ---------------------------------------------------------------------------------------------------------------
// Signed out: sign up and log in

function signOutLocally() {
  sessionStorage.removeItem(TOKEN_KEY);
  pendingChallenge = null;
  forgetSetup();
  forgetRecoveryCodes();
  show('view-signed-out');
}

/** Keeps the new session and shows the account; false when that did not work (the problem is on screen). */
async function signedIn(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  pendingChallenge = null;
  for (const id of ['login-password', 'signup-password', 'challenge-code', 'recovery-code']) $(id).value = '';
  return showAccount();
}

onSubmit('signup-form', async () => {
  const username = $('signup-username').value.trim();
  const password = $('signup-password').value;
  if (!USERNAME.test(username)) return complain('Choose a username of 3 to 64 letters, digits or . _ @ + -');
  if (password.length < 8 || password.length > 256) return complain('Choose a password of at least 8 characters.');
  try {
    const { token } = await api('POST', '/signup', { body: { username, password } });
    if (await signedIn(token)) say(`Welcome, ${username}. Your account is ready.`);
  } catch (error) {
    failed(error);
  }
});

onSubmit('login-form', async () => {
  const username = $('login-username').value.trim();
  const password = $('login-password').value;
  if (!username || !password) return complain('Type your username and password.');
  try {
    const answer = await api('POST', '/login', { body: { username, password } });
    $('login-password').value = '';
    if (answer.mfaRequired === true && typeof answer.challenge === 'string') {
      pendingChallenge = answer.challenge;
      useAuthenticator();
      show('view-challenge');
      say('Password accepted. Now the code from your authenticator app.');
      $('challenge-code').focus();
      return;
    }
    if (await signedIn(answer.token)) say(`Signed in as ${username}.`);
  } catch (error) {
    failed(error);
  }
});

// ---------------------------------------------------------------------------------------------------------------
// The login challenge: a code from the authenticator app, or a recovery code

function useAuthenticator() {
  $('challenge-form').hidden = false;
  $('recovery-form').hidden = true;
  $('use-recovery').hidden = false;
  $('use-authenticator').hidden = true;
}

function useRecoveryCode() {
  $('challenge-form').hidden = true;
  $('recovery-form').hidden = false;
  $('use-recovery').hidden = true;
  $('use-authenticator').hidden = false;
  $('recovery-code').focus();
}

async function answerChallenge(code, input, what) {
  try {
    const answer = await api('POST', '/mfa/challenge', { body: { challenge: pendingChallenge, code } });
    if (!(await signedIn(answer.token))) return;
    if (typeof answer.recoveryCodesRemaining === 'number') {
      const left = answer.recoveryCodesRemaining;
      say(`Signed in with a recovery code. ${left} recovery ${left === 1 ? 'code' : 'codes'} left.`);
    } else {
      say('Signed in.');
    }
  } catch (error) {
    input.value = '';
    if (error.code === 'invalid_challenge') {
      pendingChallenge = null;
      show('view-signed-out');
      complain(humanMessage(error));
      return;
    }
    failed(error, what);
    input.focus();
  }
}

onSubmit('challenge-form', async () => {
  const input = $('challenge-code');
  const code = sixDigits(input);
  if (code !== null) await answerChallenge(code, input, 'code');
});

onSubmit('recovery-form', async () => {
  const input = $('recovery-code');
  const code = input.value.trim();
  if (!code) return complain('Type one of your recovery codes.');
  await answerChallenge(code, input, 'recovery code');
});

$('use-recovery').addEventListener('click', useRecoveryCode);
$('use-authenticator').addEventListener('click', () => {
  useAuthenticator();
  $('challenge-code').focus();
});
$('challenge-cancel').addEventListener('click', () => {
  pendingChallenge = null;
  clearMessages();
  show('view-signed-out');
});

// ---------------------------------------------------------------------------------------------------------------
// Signed in: status, turn off, log out

/** Shows the account with its MFA status; false (and the problem said) when the server could not answer. */
async function showAccount({ focus = true } = {}) {
  show('view-account', { focus });
  try {
    const [{ username }, status] = await Promise.all([
      api('GET', '/me', { auth: true }),
      api('GET', '/mfa_status', { auth: true }),
    ]);
    $('account-username').textContent = username;
    $('mfa-status').textContent = status.enabled
      ? 'Two-factor authentication is on: you sign in with your password and a code from your authenticator app.'
      : 'Two-factor authentication is off: your password alone signs you in.';
    $('start-setup').hidden = status.enabled;
    $('disable-mfa').hidden = !status.enabled;
    return true;
  } catch (error) {
    failed(error);
    return false;
  }
}

onClick('logout', async () => {
  try {
    await api('POST', '/logout', { auth: true, body: {} });
  } catch {
    // The session is forgotten here either way; an expired one is already gone on the server.
  }
  signOutLocally();
  say('You are logged out.');
});

onClick('disable-mfa', async () => {
  try {
    await api('POST', '/mfa_disable', { auth: true, body: {} });
    if (await showAccount()) say('Two-factor authentication is off. Your recovery codes no longer work.');
  } catch (error) {
    failed(error);
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Setup: QR code and key, verify a code, turn on

const SAFE_QR_IMAGE = /^data:image\/png;base64,[A-Za-z0-9+/=]+$/;

/** The key in groups of four ("JBSW Y3DP ..."), easier to copy by hand; apps ignore the spaces. */
function grouped(secret) {
  return secret.match(/.{1,4}/g)?.join(' ') ?? '';
}

function forgetSetup() {
  $('qr').removeAttribute('src');
  $('secret').textContent = '';
  $('otpauth-link').setAttribute('href', '#');
  $('setup-code').value = '';
  $('verify-form').hidden = false;
  $('verified').hidden = true;
  $('enable-mfa').disabled = true;
}

onClick('start-setup', async () => {
  try {
    const setup = await api('GET', '/mfa_setup', { auth: true });
    forgetSetup();
    if (typeof setup.qrCodeDataUrl === 'string' && SAFE_QR_IMAGE.test(setup.qrCodeDataUrl))
      $('qr').src = setup.qrCodeDataUrl;
    $('secret').textContent = grouped(String(setup.secretKey ?? ''));
    // Only an otpauth: URI becomes a link; anything else (javascript:, ...) is not followed.
    if (typeof setup.qrCodeUrl === 'string' && setup.qrCodeUrl.startsWith('otpauth://'))
      $('otpauth-link').href = setup.qrCodeUrl;
    show('view-setup');
    say('Scan the QR code, then type the code your app shows.');
  } catch (error) {
    failed(error);
    if (error.code === 'already_enabled') await showAccount();
  }
});

onSubmit('verify-form', async () => {
  const input = $('setup-code');
  const code = sixDigits(input);
  if (code === null) return;
  try {
    await api('POST', '/mfa_verify', { auth: true, body: { verification_code: code } });
    // Verified once is enough: a second code now would only be refused as a replay or burn an attempt.
    $('verify-form').hidden = true;
    $('verified').hidden = false;
    $('enable-mfa').disabled = false;
    say('Code accepted. Now turn on two-factor authentication.');
    $('enable-mfa').focus();
  } catch (error) {
    input.value = '';
    failed(error, 'code');
    input.focus();
  }
});

$('enable-mfa').addEventListener('click', () => {
  const button = $('enable-mfa');
  button.disabled = true;
  void (async () => {
    try {
      const { recoveryCodes } = await api('POST', '/mfa_enable', { auth: true, body: {} });
      forgetSetup();
      showRecoveryCodes(Array.isArray(recoveryCodes) ? recoveryCodes : []);
      say('Two-factor authentication is on. Save your recovery codes now.');
    } catch (error) {
      button.disabled = false;
      failed(error);
    }
  })();
});

$('setup-cancel').addEventListener('click', () => {
  forgetSetup();
  clearMessages();
  void showAccount();
});

// ---------------------------------------------------------------------------------------------------------------
// Recovery codes: shown once, gone from the page when the person says they saved them

function showRecoveryCodes(codes) {
  const list = $('recovery-codes');
  list.replaceChildren(
    ...codes.map((code) => {
      const item = document.createElement('li');
      const text = document.createElement('code');
      text.textContent = String(code);
      item.append(text);
      return item;
    }),
  );
  $('saved-codes').checked = false;
  $('recovery-done').disabled = true;
  show('view-recovery');
}

function forgetRecoveryCodes() {
  $('recovery-codes').replaceChildren();
  $('saved-codes').checked = false;
  $('recovery-done').disabled = true;
}

$('saved-codes').addEventListener('change', () => {
  $('recovery-done').disabled = !$('saved-codes').checked;
});

$('recovery-done').addEventListener('click', () => {
  forgetRecoveryCodes();
  void showAccount().then((shown) => shown && say('Two-factor authentication is on.'));
});

// ---------------------------------------------------------------------------------------------------------------
// Start: a token from earlier in this tab means we are still signed in (if the server agrees)

if (sessionStorage.getItem(TOKEN_KEY)) void showAccount({ focus: false });
else show('view-signed-out', { focus: false });
