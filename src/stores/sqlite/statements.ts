import type { SqliteStatement, SqliteValue } from './driver.js';
import type { SqliteTables } from './schema.js';

/** A statement with named `:placeholders`, compiled once to anonymous `?` (the one form every SQLite driver binds). */
export interface NamedStatement {
  sql: string;
  names: string[];
}

const PLACEHOLDER = /:([a-z_]+)/g;

export function named(sql: string): NamedStatement {
  const names: string[] = [];
  return { sql: sql.replace(PLACEHOLDER, (_, name: string) => (names.push(name), '?')), names };
}

/** Binds one operation's values by name; a name the statement uses but the call lacks is a bug, so it throws. */
export function bind(statements: readonly NamedStatement[], values: Record<string, SqliteValue>): SqliteStatement[] {
  return statements.map(({ sql, names }) => ({
    sql,
    params: names.map((name) => {
      const value = values[name];
      if (value === undefined) throw new Error(`SqliteMfaStore: no value for :${name}`);
      return value;
    }),
  }));
}

/** Every operation as a fixed list of statements, run as one batch (one transaction). */
export interface SqliteStatements {
  load: NamedStatement[];
  savePending: NamedStatement[];
  claimFactor: NamedStatement[];
  claimPending: NamedStatement[];
  useRecoveryCode: NamedStatement[];
  activatePending: NamedStatement[];
  replaceCodes: NamedStatement[];
  deleteFactor: NamedStatement[];
  clearAttempts: NamedStatement[];
  deleteExpired: NamedStatement[];
}

/**
 * The decision of a running batch (see `sqliteStatements`): `decision` reads it, `decide` writes it (with an optional
 * detail, such as the row it is about), `forget` deletes it at the end of the batch.
 */
export function decisionSteps(t: SqliteTables) {
  return {
    decision: `(SELECT outcome FROM ${t.decisions} WHERE user_id = :user)`,
    decide: (cases: string, detail = 'NULL') =>
      named(`INSERT OR REPLACE INTO ${t.decisions} (user_id, outcome, detail) VALUES (:user, ${cases}, ${detail})`),
    forget: named(`DELETE FROM ${t.decisions} WHERE user_id = :user`),
  };
}

/**
 * The SQL of the store. A deciding operation is a batch whose first statement writes its decision to the
 * `decisions` table, whose middle statements each act only if the decision is theirs, and whose last two read the
 * answer and delete the decision. SQLite runs one writing transaction at a time, so the batch sees and leaves the
 * user's rows as no one else can in between. `:limits` is a JSON array of `{bucket, max}`, `:hashes` a JSON array.
 */
export function sqliteStatements(t: SqliteTables): SqliteStatements {
  const { decision, decide, forget } = decisionSteps(t);
  const limitBucket = `json_extract(l.value, '$.bucket')`;
  const locked = `EXISTS (SELECT 1 FROM json_each(:limits) AS l JOIN ${t.attempts} AS a
    ON a.user_id = :user AND a.bucket = ${limitBucket}
    WHERE a.reset_at > :now AND a.count >= json_extract(l.value, '$.max'))`;
  // The stored rows of the listed buckets, in the limits' order; the store reads ended windows as none.
  const windows = named(`SELECT ${limitBucket} AS bucket, a.count AS count, a.reset_at AS reset_at
FROM json_each(:limits) AS l LEFT JOIN ${t.attempts} AS a ON a.user_id = :user AND a.bucket = ${limitBucket}
ORDER BY l.key`);
  // A fixed window: counting in an ended (or absent) window starts a new one; otherwise reset_at stays. (A WHERE is
  // required before ON CONFLICT in an INSERT ... SELECT; this one is the decision.)
  const countIf = (outcome: string) =>
    named(`INSERT INTO ${t.attempts} (user_id, bucket, count, reset_at)
SELECT DISTINCT :user, ${limitBucket}, 1, :now + :window FROM json_each(:limits) AS l WHERE ${decision} = '${outcome}'
ON CONFLICT (user_id, bucket) DO UPDATE SET
  count = CASE WHEN reset_at <= :now THEN 1 ELSE count + 1 END,
  reset_at = CASE WHEN reset_at <= :now THEN excluded.reset_at ELSE reset_at END`);
  // Clearing the listed buckets also prunes the user's ended windows.
  const clearIf = (outcome: string) =>
    named(`DELETE FROM ${t.attempts} WHERE user_id = :user AND ${decision} = '${outcome}'
  AND (bucket IN (SELECT ${limitBucket} FROM json_each(:limits) AS l) OR reset_at <= :now)`);
  const state = `f.secret_id AS factor_secret_id, f.sealed_secret AS factor_sealed_secret,
  f.last_step AS factor_last_step, f.enabled_at AS factor_enabled_at,
  p.secret_id AS pending_secret_id, p.sealed_secret AS pending_sealed_secret, p.last_step AS pending_last_step,
  p.confirmed AS pending_confirmed, p.created_at AS pending_created_at, p.expires_at AS pending_expires_at,
  (SELECT count(*) FROM ${t.recoveryCodes} AS r WHERE r.user_id = :user) AS recovery_codes`;
  const joins = `LEFT JOIN ${t.factors} AS f ON f.user_id = :user LEFT JOIN ${t.pending} AS p ON p.user_id = :user`;

  const claim = (table: string, confirm: string) => [
    decide(`CASE
  WHEN ${locked} THEN 'locked'
  WHEN NOT EXISTS (SELECT 1 FROM ${table} WHERE user_id = :user AND secret_id = :secret) THEN 'stale'
  WHEN :step IS NULL THEN 'mismatch'
  WHEN EXISTS (SELECT 1 FROM ${table} WHERE user_id = :user AND (last_step IS NULL OR last_step < :step)) THEN 'claimed'
  ELSE 'replayed' END`),
    countIf('mismatch'),
    named(`UPDATE ${table} SET last_step = :step, sealed_secret = coalesce(:resealed, sealed_secret)${confirm}
WHERE user_id = :user AND ${decision} = 'claimed'`),
    clearIf('claimed'),
    named(`SELECT d.outcome AS outcome, ${state} FROM ${t.decisions} AS d ${joins} WHERE d.user_id = :user`),
    windows,
    forget,
  ];

  const rewriteCodes = [
    named(`DELETE FROM ${t.recoveryCodes} WHERE user_id = :user AND ${decision} = 'done'`),
    named(`INSERT OR IGNORE INTO ${t.recoveryCodes} (user_id, code_hash)
SELECT :user, h.value FROM json_each(:hashes) AS h WHERE ${decision} = 'done'`),
  ];
  const answer = named(`SELECT outcome FROM ${t.decisions} WHERE user_id = :user`);

  return {
    load: [named(`SELECT ${state} FROM (SELECT 1) AS one ${joins}`)],

    savePending: [
      named(`INSERT INTO ${t.pending} (user_id, secret_id, sealed_secret, last_step, confirmed, created_at, expires_at)
VALUES (:user, :secret, :sealed, :last_step, :confirmed, :created_at, :expires_at)
ON CONFLICT (user_id) DO UPDATE SET secret_id = excluded.secret_id, sealed_secret = excluded.sealed_secret,
  last_step = excluded.last_step, confirmed = excluded.confirmed, created_at = excluded.created_at,
  expires_at = excluded.expires_at`),
    ],

    claimFactor: claim(t.factors, ''),
    claimPending: claim(t.pending, ', confirmed = 1'),

    useRecoveryCode: [
      decide(
        `CASE
  WHEN ${locked} THEN 'locked'
  WHEN NOT EXISTS (SELECT 1 FROM ${t.factors} WHERE user_id = :user) THEN 'no_factor'
  WHEN EXISTS (SELECT 1 FROM json_each(:hashes) AS h JOIN ${t.recoveryCodes} AS c
    ON c.user_id = :user AND c.code_hash = h.value) THEN 'used'
  ELSE 'mismatch' END`,
        `(SELECT h.value FROM json_each(:hashes) AS h JOIN ${t.recoveryCodes} AS c
    ON c.user_id = :user AND c.code_hash = h.value ORDER BY h.key LIMIT 1)`,
      ),
      countIf('mismatch'),
      named(`DELETE FROM ${t.recoveryCodes} WHERE user_id = :user
  AND code_hash = (SELECT detail FROM ${t.decisions} WHERE user_id = :user AND outcome = 'used')`),
      clearIf('used'),
      named(`SELECT outcome, (SELECT count(*) FROM ${t.recoveryCodes} WHERE user_id = :user) AS remaining,
  (SELECT secret_id FROM ${t.factors} WHERE user_id = :user) AS secret_id
FROM ${t.decisions} WHERE user_id = :user`),
      windows,
      forget,
    ],

    activatePending: [
      decide(`CASE WHEN EXISTS (SELECT 1 FROM ${t.pending} WHERE user_id = :user AND secret_id = :secret AND confirmed = 1
  AND expires_at > :now) THEN 'done' ELSE 'refused' END`),
      named(`INSERT INTO ${t.factors} (user_id, secret_id, sealed_secret, last_step, enabled_at)
SELECT user_id, secret_id, sealed_secret, last_step, :now FROM ${t.pending} WHERE user_id = :user AND ${decision} = 'done'
ON CONFLICT (user_id) DO UPDATE SET secret_id = excluded.secret_id, sealed_secret = excluded.sealed_secret,
  last_step = excluded.last_step, enabled_at = excluded.enabled_at`),
      named(`DELETE FROM ${t.pending} WHERE user_id = :user AND ${decision} = 'done'`),
      ...rewriteCodes,
      named(`DELETE FROM ${t.attempts} WHERE user_id = :user AND ${decision} = 'done'`),
      named(`DELETE FROM ${t.trustedDevices} WHERE user_id = :user AND ${decision} = 'done'`),
      answer,
      forget,
    ],

    replaceCodes: [
      decide(`CASE WHEN EXISTS (SELECT 1 FROM ${t.factors} WHERE user_id = :user
  AND (:secret IS NULL OR secret_id = :secret)) THEN 'done' ELSE 'refused' END`),
      ...rewriteCodes,
      answer,
      forget,
    ],

    // Without a secret id it removes whatever exists (and answers whether a factor was among it).
    deleteFactor: [
      decide(`CASE
  WHEN :secret IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${t.factors} WHERE user_id = :user AND secret_id = :secret)
    THEN 'refused'
  WHEN EXISTS (SELECT 1 FROM ${t.factors} WHERE user_id = :user) THEN 'removed'
  ELSE 'nothing' END`),
      ...[t.factors, t.pending, t.recoveryCodes, t.trustedDevices].map((table) =>
        named(`DELETE FROM ${table} WHERE user_id = :user AND ${decision} <> 'refused'`),
      ),
      answer,
      forget,
    ],

    clearAttempts: [named(`DELETE FROM ${t.attempts} WHERE user_id = :user`)],

    deleteExpired: [
      named(`DELETE FROM ${t.attempts} WHERE reset_at <= :now RETURNING 1 AS gone`),
      named(`DELETE FROM ${t.pending} WHERE expires_at + :grace <= :now RETURNING 1 AS gone`),
      named(`DELETE FROM ${t.trustedDevices} WHERE expires_at <= :now RETURNING 1 AS gone`),
    ],
  };
}
