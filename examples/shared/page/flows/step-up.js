// Account changes that need a fresh second factor: turning MFA off and getting new recovery codes. A session alone
// is not enough (it may be stolen), so the page asks for a current code or a recovery code first, and the server's
// SDK checks it like a login code (counted, used up, never twice).
import { api } from '../api.js';
import { clearMessages, complain, humanMessage, say } from '../messages.js';
import { failed } from '../session.js';
import { $, onClick, onSubmit, show, showRecoveryCodes } from '../views.js';
import { showAccount } from './account.js';

const SIX_DIGITS = /^[0-9]{6}$/;

const ACTIONS = {
  disable: {
    purpose: 'To turn off two-factor authentication, type a code from your authenticator app or a recovery code.',
    async run(code) {
      await api('POST', '/mfa_disable', { auth: true, body: { verification_code: code } });
      if (await showAccount())
        say(
          'Two-factor authentication is off. Your recovery codes no longer work, no browser is trusted any more, and your other sessions ended.',
        );
    },
  },
  newRecoveryCodes: {
    purpose:
      'To get new recovery codes (the old ones stop working), type a code from your authenticator app or a recovery code.',
    async run(code) {
      const { recoveryCodes } = await api('POST', '/mfa_recovery_codes', {
        auth: true,
        body: { verification_code: code },
      });
      showRecoveryCodes(Array.isArray(recoveryCodes) ? recoveryCodes : []);
      say('New recovery codes. Save them now: the old ones no longer work.');
    },
  },
};

/** Which account change the step-up form confirms; null when it is not shown. */
let pending = null;

function askForCode(action) {
  pending = action;
  $('step-up-purpose').textContent = ACTIONS[action].purpose;
  $('step-up-code').value = '';
  clearMessages();
  show('view-step-up');
  $('step-up-code').focus();
}

onClick('disable-mfa', async () => askForCode('disable'));
onClick('new-recovery-codes', async () => askForCode('newRecoveryCodes'));

onSubmit('step-up-form', async () => {
  const input = $('step-up-code');
  const typed = input.value.trim();
  if (!typed || pending === null) return complain('Type a code from your authenticator app, or a recovery code.');
  // Spaces and dashes in 6 digits are how people type codes; anything else is a recovery code, sent as typed.
  const digits = typed.replace(/[\s-]/g, '');
  const isTotp = SIX_DIGITS.test(digits);
  try {
    await ACTIONS[pending].run(isTotp ? digits : typed);
    pending = null;
    input.value = '';
  } catch (error) {
    input.value = '';
    if (error.code === 'rate_limited') {
      // The app's codes are locked for a while; the recovery codes keep their own budget, so they still work.
      complain(`${humanMessage(error)} You can use one of your recovery codes instead.`);
    } else {
      failed(error, isTotp ? 'code' : 'recovery code');
    }
    input.focus();
  }
});

$('step-up-cancel').addEventListener('click', () => {
  pending = null;
  $('step-up-code').value = '';
  clearMessages();
  void showAccount();
});
