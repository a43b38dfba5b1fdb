export { MfaClient } from './client.js';
export type { MfaClientOptions, SelfHostedClient } from './client.js';
export {
  MfaError,
  MfaValidationError,
  MfaInvalidCodeError,
  MfaUnauthorizedError,
  MfaNotFoundError,
  MfaConflictError,
  MfaRateLimitedError,
  MfaProviderError,
  MfaConfigurationError,
  isMfaError,
} from './errors.js';
export type {
  MfaErrorBody,
  MfaErrorCode,
  MfaErrorOptions,
  MfaProviderErrorOptions,
  MfaProviderErrorType,
  InvalidCodeReason,
  UnauthorizedReason,
  ConflictReason,
} from './errors.js';
export type {
  MfaUser,
  MfaMethod,
  MfaStatus,
  MfaCallContext,
  MfaSetup,
  MfaVerifyResult,
  MfaEnableOptions,
  MfaEnableResult,
  MfaDisableResult,
  MfaRecoveryCodeResult,
  MfaRecoveryCodesResult,
  MfaSecondFactorResult,
  MfaProvider,
} from './types.js';
