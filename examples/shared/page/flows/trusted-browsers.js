// Trusted browsers ("Trust this browser for 30 days" at the login challenge): the list in the account view, revoking
// one, revoking all. The browser's own token is in an HttpOnly cookie the server set: this page never reads it.
import { api } from '../api.js';
import { say } from '../messages.js';
import { failed } from '../session.js';
import { hideTrustedBrowsers, onClick, renderTrustedBrowsers } from '../views.js';

/** Lists the trusted browsers (MFA on), or hides the list (MFA off: the server forgot them all). */
export async function refreshTrustedBrowsers(mfaEnabled) {
  if (!mfaEnabled) return hideTrustedBrowsers();
  try {
    const { devices } = await api('GET', '/mfa_trusted_devices', { auth: true });
    renderTrustedBrowsers(Array.isArray(devices) ? devices : [], revoke);
  } catch (error) {
    failed(error);
  }
}

async function revoke(id) {
  try {
    await api('POST', '/mfa_trusted_devices/revoke', { auth: true, body: { id } });
    say('That browser is no longer trusted: it will ask for a code at its next sign-in.');
  } catch (error) {
    failed(error, 'trusted browser');
    // Revoked elsewhere in the meantime (another tab, MFA turned off): the list below says how things are now.
    if (error.code !== 'not_found') return;
  }
  await refreshTrustedBrowsers(true);
}

onClick('revoke-all-browsers', async () => {
  try {
    await api('POST', '/mfa_trusted_devices/revoke_all', { auth: true, body: {} });
    say('No browser is trusted any more, this one included: every sign-in asks for a code.');
  } catch (error) {
    return failed(error);
  }
  await refreshTrustedBrowsers(true);
});
