// The page's views: which one shows, what it shows, and how its forms behave. No server call here.
// Every text from the server goes in through textContent, every URL is checked before it becomes an attribute.
/* global document */
import { complain } from './messages.js';

const SIX_DIGITS = /^[0-9]{6}$/;
const SAFE_QR_IMAGE = /^data:image\/png;base64,[A-Za-z0-9+/=]+$/;

export const $ = (id) => document.getElementById(id);

/** Shows one view (a `[data-view]` section) and hides the others. */
export function show(viewId, { focus = true } = {}) {
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

export function onSubmit(formId, action) {
  const form = $(formId);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(form, () => action(form));
  });
}

export function onClick(buttonId, action) {
  const button = $(buttonId);
  button.addEventListener('click', () => void busy(button.parentElement, action));
}

/** Spaces and dashes are how people type or paste codes ("123 456"); the server accepts them too. */
export function sixDigits(input) {
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

/** The account view: who is signed in and whether MFA is on, with the one button that fits. */
export function renderAccount(username, status) {
  $('account-username').textContent = username;
  $('mfa-status').textContent = status.enabled
    ? 'Two-factor authentication is on: you sign in with your password and a code from your authenticator app.'
    : 'Two-factor authentication is off: your password alone signs you in.';
  $('start-setup').hidden = status.enabled;
  $('disable-mfa').hidden = !status.enabled;
  $('new-recovery-codes').hidden = !status.enabled;
}

/** A date from the server, as this browser writes dates; a value that is no date shows as a dash. */
function when(iso) {
  const date = new Date(typeof iso === 'string' ? iso : Number.NaN);
  return Number.isNaN(date.getTime())
    ? '–'
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * The trusted browsers in the account view (shown while MFA is on): one row each, label and dates as text, with a
 * Revoke button that calls `onRevoke(id)`; "Revoke all" only when there is one to revoke.
 */
export function renderTrustedBrowsers(devices, onRevoke) {
  $('trusted-browsers').hidden = false;
  $('trusted-none').hidden = devices.length > 0;
  $('revoke-all-browsers').hidden = devices.length === 0;
  $('trusted-list').replaceChildren(
    ...devices.map((device) => {
      const item = document.createElement('li');
      const label = document.createElement('strong');
      label.textContent = String(device.label ?? '');
      const dates = document.createElement('span');
      dates.className = 'hint';
      dates.textContent = `trusted ${when(device.createdAt)} · last used ${when(device.lastUsedAt)} · until ${when(device.expiresAt)}`;
      const revoke = document.createElement('button');
      revoke.type = 'button';
      revoke.className = 'link';
      revoke.textContent = 'Revoke';
      revoke.addEventListener('click', () => void busy(item, () => onRevoke(String(device.id ?? ''))));
      item.append(label, dates, revoke);
      return item;
    }),
  );
}

export function hideTrustedBrowsers() {
  $('trusted-browsers').hidden = true;
  $('trusted-list').replaceChildren();
}

/** The login challenge answered with the authenticator app (the default) or with a recovery code. */
export function useAuthenticator() {
  $('challenge-form').hidden = false;
  $('recovery-form').hidden = true;
  $('use-recovery').hidden = false;
  $('use-authenticator').hidden = true;
}

export function useRecoveryCode() {
  $('challenge-form').hidden = true;
  $('recovery-form').hidden = false;
  $('use-recovery').hidden = true;
  $('use-authenticator').hidden = false;
  $('recovery-code').focus();
}

/** The key in groups of four ("JBSW Y3DP ..."), easier to copy by hand; apps ignore the spaces. */
function grouped(secret) {
  return secret.match(/.{1,4}/g)?.join(' ') ?? '';
}

/** The setup view: QR code, key and otpauth link, each checked before it reaches the page. */
export function renderSetup(setup) {
  forgetSetup();
  if (typeof setup.qrCodeDataUrl === 'string' && SAFE_QR_IMAGE.test(setup.qrCodeDataUrl))
    $('qr').src = setup.qrCodeDataUrl;
  $('secret').textContent = grouped(String(setup.secretKey ?? ''));
  // Only an otpauth: URI becomes a link; anything else (javascript:, ...) is not followed.
  if (typeof setup.qrCodeUrl === 'string' && setup.qrCodeUrl.startsWith('otpauth://'))
    $('otpauth-link').href = setup.qrCodeUrl;
}

/** Verified once is enough: a second code now would only be refused as a replay or burn an attempt. */
export function markVerified() {
  $('verify-form').hidden = true;
  $('verified').hidden = false;
  $('enable-mfa').disabled = false;
}

/** Takes the secret and the QR code off the page. */
export function forgetSetup() {
  $('qr').removeAttribute('src');
  $('secret').textContent = '';
  $('otpauth-link').setAttribute('href', '#');
  $('setup-code').value = '';
  $('verify-form').hidden = false;
  $('verified').hidden = true;
  $('enable-mfa').disabled = true;
}

/** The recovery codes, shown once, as text. */
export function showRecoveryCodes(codes) {
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

/** Takes the recovery codes off the page. */
export function forgetRecoveryCodes() {
  $('recovery-codes').replaceChildren();
  $('saved-codes').checked = false;
  $('recovery-done').disabled = true;
}
