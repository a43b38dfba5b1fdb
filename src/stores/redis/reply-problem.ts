import { MfaConfigurationError } from '../../errors.js';

/**
 * Redis refusals that are about the deployment, not an outage: retrying will not help, the app's settings must
 * change. Keyed by the error prefix Redis puts first in its reply; the rest of the reply (which may quote a key or
 * a user name) is never passed on.
 */
const CAUSES: Record<string, string> = {
  NOAUTH: 'Redis requires authentication; give the client a password (or an ACL user and password)',
  WRONGPASS: 'Redis refused the user name or password the client sent',
  NOPERM:
    "the Redis user lacks a permission the store needs (EVALSHA, EVAL and the store's keys); grant them with ACL SETUSER",
};

/**
 * A configuration error naming the cause of a NOAUTH, WRONGPASS or NOPERM reply; undefined otherwise. READONLY is not
 * one of them: during a Sentinel or Cluster failover, connected clients briefly get it from the demoted primary, an
 * outage to retry (`store_unavailable`, hint `ReplyError READONLY`), not a setting to change.
 */
export function replyProblem(error: unknown): MfaConfigurationError | undefined {
  const message = (error as { message?: unknown } | null)?.message;
  if (typeof message !== 'string') return undefined;
  const prefix = /^[A-Z]+/.exec(message)?.[0];
  const cause = prefix === undefined ? undefined : CAUSES[prefix];
  return cause === undefined ? undefined : new MfaConfigurationError(`RedisMfaStore: ${cause} (${prefix})`);
}
