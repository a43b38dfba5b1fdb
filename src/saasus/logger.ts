/**
 * Where the SaaSus provider reports its requests. Fields are safe to log: method, path (query removed, user id kept),
 * status, duration, trace id, failure kind. Never a header, a body, a token, a code or a key.
 */
export interface SaasusLogger {
  /** Every answered request of the built-in transport (`saasus request`): method, path, status, ms, trace id. */
  debug?(message: string, fields: Record<string, unknown>): void;
  /** A request with no answer (`saasus request failed`: kind, ms) and each retry (`saasus retry`: attempt, delayMs). */
  warn?(message: string, fields: Record<string, unknown>): void;
}
