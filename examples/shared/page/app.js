// The demo page's entry module: plain browser JavaScript, no build step, no dependency. Each flow module wires its
// own forms and buttons when imported; this one imports them all and shows the first view. It talks to the example
// server's self-hosted API (see examples/README.md). Modules keep their names out of the page's global scope.
//
//   api.js       the JSON calls and the session token     messages.js  what a person reads
//   views.js     what each view shows, forms, inputs       session.js   sign-out, the login challenge, 401s
//   flows/       sign-in, challenge, account, setup, recovery-codes, step-up, trusted-browsers: one file per flow
import { session } from './api.js';
import { showAccount } from './flows/account.js';
import './flows/challenge.js';
import './flows/recovery-codes.js';
import './flows/setup.js';
import './flows/sign-in.js';
import './flows/step-up.js';
import './flows/trusted-browsers.js';
import { show } from './views.js';

// A token from earlier in this tab means we are still signed in (if the server agrees).
if (session.token()) void showAccount({ focus: false });
else show('view-signed-out', { focus: false });
