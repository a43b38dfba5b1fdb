// The signed-in state on this page: the session token (api.js keeps it), the pending login challenge, and what
// happens when the server says the session is gone.
import { session } from './api.js';
import { complain, humanMessage } from './messages.js';
import { forgetRecoveryCodes, forgetSetup, hideTrustedBrowsers, show } from './views.js';

/** The login challenge between the password and the second factor. Kept in memory only: single-use and short-lived. */
let pendingChallenge = null;

export const challenge = {
  current: () => pendingChallenge,
  start: (value) => (pendingChallenge = value),
  drop: () => (pendingChallenge = null),
};

/** Forgets the session, the challenge and anything secret still on the page, and shows the sign-in forms. */
export function signOutLocally() {
  session.forget();
  challenge.drop();
  forgetSetup();
  forgetRecoveryCodes();
  hideTrustedBrowsers();
  show('view-signed-out');
}

/** A failed call: a 401 on a signed-in call means the session is gone, anything else is said where the person is. */
export function failed(error, what) {
  if (error.code === 'unauthorized') {
    signOutLocally();
    complain(humanMessage(error));
    return;
  }
  complain(humanMessage(error, what));
}
