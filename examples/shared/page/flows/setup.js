// Setup: the QR code and key, one verified code, then turning MFA on (which hands out the recovery codes).
import { api } from '../api.js';
import { clearMessages, say } from '../messages.js';
import { failed } from '../session.js';
import {
  $,
  forgetSetup,
  markVerified,
  onClick,
  onSubmit,
  renderSetup,
  show,
  showRecoveryCodes,
  sixDigits,
} from '../views.js';
import { showAccount } from './account.js';

onClick('start-setup', async () => {
  try {
    renderSetup(await api('GET', '/mfa_setup', { auth: true }));
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
    markVerified();
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
