// saasus-mfa/testing/saasus: the fake SaaSus Auth API as msw handlers. Needs `msw` (an optional peer dependency);
// the fake authenticator and the fixed clock are in saasus-mfa/testing, which works without it.
export { FakeSaasus, createFakeSaasus } from './fake-saasus.js';
export type { FakeSaasusOptions, FakeSaasusUser, FakeSaasusRequest } from './fake-saasus.js';
export type { FakeSaasusMfaState } from './mfa-state.js';
export type { FakeSaasusOperation, FakeSaasusFailure } from './faults.js';
export type { FakeIdTokenClaims, FakeTokenLifetimes } from './tokens.js';
