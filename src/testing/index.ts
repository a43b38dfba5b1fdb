export { FakeSaasus, createFakeSaasus } from './fake-saasus.js';
export type {
  FakeSaasusOptions,
  FakeSaasusUser,
  FakeSaasusMfaState,
  FakeSaasusRequest,
  FakeSaasusOperation,
  FakeSaasusFailure,
} from './fake-saasus.js';
export { createFakeAuthenticator } from './authenticator.js';
export type { FakeAuthenticator } from './authenticator.js';
export { createFixedClock, systemClock } from './clock.js';
export type { FixedClock } from './clock.js';
