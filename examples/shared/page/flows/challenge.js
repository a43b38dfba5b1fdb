// The login challenge: a code from the authenticator app, or a recovery code.
import { api } from '../api.js';
import { clearMessages, complain, humanMessage, say } from '../messages.js';
import { challenge, failed } from '../session.js';
import { $, onSubmit, show, sixDigits, useAuthenticator, useRecoveryCode } from '../views.js';
import { signedIn } from './account.js';

async function answerChallenge(code, input, what) {
  try {
    const trustDevice = $('challenge-trust').checked;
    const answer = await api('POST', '/mfa/challenge', { body: { challenge: challenge.current(), code, trustDevice } });
    $('challenge-trust').checked = false;
    if (!(await signedIn(answer.token))) return;
    // The server set the browser's cookie (HttpOnly: not readable here); it says so, and the page repeats it.
    const trusted = answer.trustedBrowser === true ? ' This browser is trusted for 30 days: no code needed here.' : '';
    if (typeof answer.recoveryCodesRemaining === 'number') {
      const left = answer.recoveryCodesRemaining;
      say(`Signed in with a recovery code. ${left} recovery ${left === 1 ? 'code' : 'codes'} left.${trusted}`);
    } else {
      say(`Signed in.${trusted}`);
    }
  } catch (error) {
    input.value = '';
    if (error.code === 'invalid_challenge') {
      challenge.drop();
      show('view-signed-out');
      complain(humanMessage(error));
      return;
    }
    if (error.code === 'rate_limited' && what === 'code') {
      // The app's codes are locked for a while; recovery codes keep their own budget, so that way in stays open.
      useRecoveryCode();
      complain(`${humanMessage(error)} You can still sign in with one of your recovery codes.`);
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
  challenge.drop();
  $('challenge-trust').checked = false;
  clearMessages();
  show('view-signed-out');
});
