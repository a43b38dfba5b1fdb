// saasus-mfa/testing: the fake authenticator and the fixed clock, with no dependency beyond otplib. The fake SaaSus
// API needs msw and lives in saasus-mfa/testing/saasus, so that these two import and type-check without msw.
export { createFakeAuthenticator } from './authenticator.js';
export type { FakeAuthenticator } from './authenticator.js';
export { createFixedClock, systemClock } from './clock.js';
export type { FixedClock } from './clock.js';
