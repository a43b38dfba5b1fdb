import { MfaConfigurationError, isMfaError } from '../errors.js';
import type { MfaProvider } from '../types.js';
import { unexpectedFailure } from './provider-failures.js';

/* How MfaClient calls its provider: every failure an MfaError, and optional methods named when missing. */

/** The provider methods only some providers have (the self-hosted one has them all). */
export type OptionalProviderMethod =
  | 'verifyFactor'
  | 'verifyRecoveryCode'
  | 'regenerateRecoveryCodes'
  | 'adminReset'
  | 'unlock'
  | 'trustDevice'
  | 'listTrustedDevices'
  | 'revokeTrustedDevice'
  | 'revokeTrustedDevices';

/** An optional provider method, bound, or a configuration error naming the provider that lacks it. */
export function providerMethod<K extends OptionalProviderMethod>(
  provider: MfaProvider,
  method: K,
): NonNullable<MfaProvider[K]> {
  const fn = provider[method];
  if (typeof fn !== 'function') {
    throw new MfaConfigurationError(
      `The ${provider.name} provider does not support ${method}; use TotpMfaProvider for login checks, recovery codes and trusted devices`,
    );
  }
  return fn.bind(provider) as NonNullable<MfaProvider[K]>;
}

/** Runs a provider call; anything that is not an `MfaError` becomes one, without its (possibly secret) message. */
export async function callProvider<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isMfaError(error)) throw error;
    throw unexpectedFailure('The MFA provider', error);
  }
}
