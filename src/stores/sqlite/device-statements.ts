import type { SqliteTables } from './schema.js';
import { decisionSteps, named, type NamedStatement } from './statements.js';

/** The trusted-device operations, each a fixed list of statements run as one batch (one transaction). */
export interface SqliteDeviceStatements {
  trustDevice: NamedStatement[];
  useDevice: NamedStatement[];
  listDevices: NamedStatement[];
  revokeDevice: NamedStatement[];
  revokeDevices: NamedStatement[];
}

/**
 * The SQL of the trusted devices, in the decision form of statements.ts: SQLite runs one writing transaction at a
 * time, so the batch reads the factor and the devices and writes them as no other caller can in between (a use
 * racing a revoke or a disable runs wholly before or wholly after it). A device counts while `:now < expires_at`
 * and its `secret_id` is the enabled factor's. Oldest first is `created_at`, then `device_id` in SQLite's byte order
 * (BINARY), the memory store's order for UUIDs. `:hashes` is a JSON array. The token hash is never selected.
 */
export function sqliteDeviceStatements(t: SqliteTables): SqliteDeviceStatements {
  const { decision, decide, forget } = decisionSteps(t);
  // Qualified by an alias in a SELECT; bare in a RETURNING, which may only name the columns of its own table.
  const columns = (d = '') => {
    const c = (column: string) => `${d && `${d}.`}${column}`;
    return `${c('device_id')} AS id, ${c('label')} AS label, ${c('secret_id')} AS secret_id,
  ${c('created_at')} AS created_at, ${c('last_used_at')} AS last_used_at, ${c('expires_at')} AS expires_at`;
  };
  const counting = `${t.trustedDevices} AS d JOIN ${t.factors} AS f ON f.user_id = d.user_id AND f.secret_id = d.secret_id
WHERE d.user_id = :user AND d.expires_at > :now`;
  const listCounting = named(`SELECT ${columns('d')} FROM ${counting} ORDER BY d.created_at, d.device_id`);
  // The device the token names, if it counts (hashes are unique per user: at most one).
  const match = `(SELECT d.device_id FROM ${counting}
  AND d.token_hash IN (SELECT h.value FROM json_each(:hashes) AS h) LIMIT 1)`;

  return {
    trustDevice: [
      decide(`CASE WHEN EXISTS (SELECT 1 FROM ${t.factors} WHERE user_id = :user AND secret_id = :secret)
  THEN 'trusted' ELSE 'stale' END`),
      // A repeated device id replaces the row (as the memory store does); a repeated token hash violates the unique
      // key and fails the whole batch rather than answer a token that is not the one stored.
      named(`INSERT INTO ${t.trustedDevices} (user_id, device_id, token_hash, secret_id, label, created_at,
  last_used_at, expires_at)
SELECT :user, :device, :token_hash, :secret, :label, :created_at, :last_used_at, :expires_at
WHERE ${decision} = 'trusted'
ON CONFLICT (user_id, device_id) DO UPDATE SET token_hash = excluded.token_hash, secret_id = excluded.secret_id,
  label = excluded.label, created_at = excluded.created_at, last_used_at = excluded.last_used_at,
  expires_at = excluded.expires_at`),
      // The expired go first and silently; then the oldest others, as many as the user is over the limit (the
      // subquery is evaluated before the delete, on the rows as they are after the first one).
      named(`DELETE FROM ${t.trustedDevices} WHERE user_id = :user AND expires_at <= :now AND ${decision} = 'trusted'`),
      named(`DELETE FROM ${t.trustedDevices} WHERE user_id = :user AND ${decision} = 'trusted' AND device_id IN (
  SELECT o.device_id FROM ${t.trustedDevices} AS o WHERE o.user_id = :user AND o.device_id <> :device
  ORDER BY o.created_at, o.device_id
  LIMIT max(0, (SELECT count(*) FROM ${t.trustedDevices} WHERE user_id = :user) - :max))
RETURNING ${columns()}`),
      named(`SELECT outcome FROM ${t.decisions} WHERE user_id = :user`),
      forget,
    ],

    useDevice: [
      decide(`CASE WHEN ${match} IS NULL THEN 'untrusted' ELSE 'trusted' END`, match),
      named(`UPDATE ${t.trustedDevices} SET last_used_at = :now WHERE user_id = :user
  AND device_id = (SELECT detail FROM ${t.decisions} WHERE user_id = :user AND outcome = 'trusted')`),
      named(`SELECT x.outcome AS outcome,
  EXISTS (SELECT 1 FROM ${t.factors} WHERE user_id = :user) AS factor_enabled, ${columns('d')}
FROM ${t.decisions} AS x LEFT JOIN ${t.trustedDevices} AS d
  ON x.outcome = 'trusted' AND d.user_id = :user AND d.device_id = x.detail
WHERE x.user_id = :user`),
      forget,
    ],

    listDevices: [listCounting],

    revokeDevice: [
      named(`DELETE FROM ${t.trustedDevices} WHERE user_id = :user AND device_id = :device
RETURNING ${columns()}`),
    ],

    // Those that counted, then every device (expired ones too), in one transaction.
    revokeDevices: [listCounting, named(`DELETE FROM ${t.trustedDevices} WHERE user_id = :user`)],
  };
}
