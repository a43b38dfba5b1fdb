// Signed out: sign up, or log in with the password (which may lead to the MFA challenge).
import { api } from '../api.js';
import { complain, say } from '../messages.js';
import { challenge, failed } from '../session.js';
import { $, onSubmit, show, useAuthenticator } from '../views.js';
import { signedIn } from './account.js';

const USERNAME = /^[A-Za-z0-9._@+-]{3,64}$/;

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
      challenge.start(answer.challenge);
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
