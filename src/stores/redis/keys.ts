/** The Redis keys holding one user's MFA state, all under one hash tag (one Cluster slot). */
export interface UserKeys {
  /** Hash: secretId, sealedSecret, lastStep, enabledAt. No TTL. */
  factor: string;
  /** Hash: secretId, sealedSecret, lastStep, createdAt, expiresAt, confirmed. TTL: lifetime + grace. */
  pending: string;
  /** Set of recovery code hashes. No TTL. */
  recovery: string;
  /** Hash: one field per attempt bucket, `"<count> <resetAt>"`. TTL: the latest open window's end. */
  attempts: string;
  /**
   * Hash: one field per trusted device, its token hash → the record as JSON (id, label, secretId and the three times
   * as decimal strings; never the token). TTL: the latest device's expiry.
   */
  devices: string;
  /** A state-changing call's first outcome (JSON), under its operation id. TTL: the resend window. */
  operation(operationId: string): string;
}

const LONE_SURROGATE = /^[\uD800-\uDFFF]$/;

/**
 * encodeURIComponent keeps hostile ids from forging a brace (which would move the hash tag) or a `:` suffix (which
 * would land on another user's key), and is injective, so two ids never share a key. It throws on a lone surrogate;
 * those are written `%uXXXX`, which encodeURIComponent never produces (`u` is not a hex digit), so the mapping stays
 * injective and identical for every well-formed id.
 */
function encodeUserId(userId: string): string {
  try {
    return encodeURIComponent(userId);
  } catch {
    return Array.from(userId, (char) =>
      LONE_SURROGATE.test(char)
        ? `%u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`
        : encodeURIComponent(char),
    ).join('');
  }
}

/**
 * The `{...}` hash tag puts all of one user's keys in one Redis Cluster slot, which multi-key scripts require,
 * while different users still spread over the cluster.
 */
export function userKeys(keyPrefix: string, userId: string): UserKeys {
  const base = `${keyPrefix}{${encodeUserId(userId)}}`;
  return {
    factor: `${base}:factor`,
    pending: `${base}:pending`,
    recovery: `${base}:recovery`,
    attempts: `${base}:attempts`,
    devices: `${base}:devices`,
    operation: (operationId) => `${base}:op:${operationId}`,
  };
}
