// Signed in: the account with its MFA status (and the trusted browsers, trusted-browsers.js), logging out. Turning MFA off and new recovery codes: step-up.js.
import { api, session } from '../api.js';
import { say } from '../messages.js';
import { challenge, failed, signOutLocally } from '../session.js';
import { $, onClick, renderAccount, show } from '../views.js';
import { refreshTrustedBrowsers } from './trusted-browsers.js';

/** Shows the account with its MFA status; false (and the problem said) when the server could not answer. */
export async function showAccount({ focus = true } = {}) {
  show('view-account', { focus });
  try {
    const [{ username }, status] = await Promise.all([
      api('GET', '/me', { auth: true }),
      api('GET', '/mfa_status', { auth: true }),
    ]);
    renderAccount(username, status);
    await refreshTrustedBrowsers(status.enabled === true);
    return true;
  } catch (error) {
    failed(error);
    return false;
  }
}

/** Keeps the new session and shows the account; false when that did not work (the problem is on screen). */
export async function signedIn(token) {
  session.keep(token);
  challenge.drop();
  for (const id of ['login-password', 'signup-password', 'challenge-code', 'recovery-code', 'step-up-code'])
    $(id).value = '';
  return showAccount();
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
