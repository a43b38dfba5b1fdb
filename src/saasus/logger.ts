/**
 * Where the SaaSus provider reports its requests. Fields are safe to log: method, path (query removed, user id kept),
 * status, duration, trace id, failure kind. Never a header, a body, a token, a code or a key.
 */
export interface SaasusLogger {
  debug?(message: string, fields: Record<string, unknown>): void;
  warn?(message: string, fields: Record<string, unknown>): void;
}
