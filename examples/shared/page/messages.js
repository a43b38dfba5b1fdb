// What a person reads: every server answer as a sentence, in the page's two live regions.
/* global document */

function inSecondsOrMinutes(ms) {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 120) return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/** " 2 attempts left." after a wrong code, when the server said; nothing when it did not. */
function attemptsLeft(remaining) {
  if (remaining === null || remaining === undefined) return '';
  // At 0 the limit is reached: every code, right or wrong, is now refused until the window ends.
  if (remaining === 0) return ' No attempts left: codes are refused for a while.';
  return ` ${remaining} ${remaining === 1 ? 'attempt' : 'attempts'} left.`;
}

/** The error as a sentence for the person in front of the page; `what` says which kind of code was typed, if any. */
export function humanMessage(error, what = null) {
  switch (error.code) {
    case 'invalid_code':
      if (error.reason === 'replayed')
        return 'That code was already used. Wait for the next one in your authenticator app.';
      if (error.reason === 'expired_setup') return 'This setup expired. Cancel and start again.';
      return (
        (what === 'recovery code'
          ? 'That recovery code is not right, or it was already used.'
          : 'That code is not right. Check the time on your phone and type the code the app shows now.') +
        attemptsLeft(error.attemptsRemaining)
      );
    case 'rate_limited':
      return error.retryAfterMs === null
        ? 'Too many attempts. Try again later.'
        : `Too many attempts. Try again in ${inSecondsOrMinutes(error.retryAfterMs)}.`;
    case 'server_busy':
      return error.retryAfterMs === null
        ? 'The server is busy. Try again in a moment.'
        : `The server is busy. Try again in ${inSecondsOrMinutes(error.retryAfterMs)}.`;
    case 'step_up_required':
      return 'Type a current code from your authenticator app, or a recovery code, to confirm it is you.';
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
      if (what === 'trusted browser') return 'That browser was no longer trusted already.';
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

const $ = (id) => document.getElementById(id);

/** Good news, in the polite live region. */
export function say(text) {
  $('problem').textContent = '';
  $('notice').textContent = text;
}

/** A problem, in the assertive live region. */
export function complain(text) {
  $('notice').textContent = '';
  $('problem').textContent = text;
}

export function clearMessages() {
  $('notice').textContent = '';
  $('problem').textContent = '';
}
