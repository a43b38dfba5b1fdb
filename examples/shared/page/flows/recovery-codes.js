// Recovery codes: shown once, gone from the page when the person says they saved them.
import { say } from '../messages.js';
import { $, forgetRecoveryCodes } from '../views.js';
import { showAccount } from './account.js';

$('saved-codes').addEventListener('change', () => {
  $('recovery-done').disabled = !$('saved-codes').checked;
});

$('recovery-done').addEventListener('click', () => {
  forgetRecoveryCodes();
  void showAccount().then((shown) => shown && say('Two-factor authentication is on.'));
});
