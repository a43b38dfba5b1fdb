import { LuaScript } from './script-runner.js';

/*
 * One script per store operation. Redis runs a script to the end before any other command, on every connection
 * and (keys sharing one hash tag) in Cluster too, so each check-then-write below is atomic with no lock or WATCH.
 * Keys always come in KEYS, never built here, so Cluster can route the call and the prefix stays the app's choice.
 * Numbers arrive as decimal strings, are compared with tonumber (exact below 2^53) and stored as the strings given:
 * Lua's tostring (%.14g) and Redis's integer truncation of returned Lua numbers never touch a stored value.
 */

/** HMGET field order; `replies.ts` reads the replies by position in this order. */
export const FACTOR_FIELDS = ['secretId', 'sealedSecret', 'lastStep', 'enabledAt'] as const;
export const PENDING_FIELDS = ['secretId', 'sealedSecret', 'lastStep', 'createdAt', 'expiresAt', 'confirmed'] as const;

const quoted = (fields: readonly string[]) => fields.map((field) => `'${field}'`).join(', ');

const READ_STATE = `
local function read_state(factor, pending, recovery)
  return {
    redis.call('HMGET', factor, ${quoted(FACTOR_FIELDS)}),
    redis.call('HMGET', pending, ${quoted(PENDING_FIELDS)}),
    redis.call('SCARD', recovery)
  }
end
`;

// unpack() is bounded by Lua's C stack (about 8000 values), so long lists are added in slices.
const SADD_FROM = `
local function sadd_from(key, first)
  for i = first, #ARGV, 1000 do
    redis.call('SADD', key, unpack(ARGV, i, math.min(i + 999, #ARGV)))
  end
end
`;

/** KEYS: factor, pending, recovery. Read-only, but one script so the three reads describe one instant. */
export const LOAD = new LuaScript(`${READ_STATE}
return read_state(KEYS[1], KEYS[2], KEYS[3])`);

/**
 * Counts one attempt in the hash `key`: ARGV[first] now, ARGV[first + 1] windowMs, ARGV[first + 2] now + windowMs.
 * Returns the count and resetAt. The window ends by comparing the caller's clock with resetAt; PEXPIRE (relative)
 * only lets Redis drop the key afterwards.
 */
const COUNT_ATTEMPT = `
local function count_attempt(key, first)
  local now, ttl, new_reset = ARGV[first], ARGV[first + 1], ARGV[first + 2]
  local reset_at = redis.call('HGET', key, 'resetAt')
  if not tonumber(reset_at) or tonumber(now) >= tonumber(reset_at) then
    redis.call('HSET', key, 'count', '1', 'resetAt', new_reset)
    redis.call('PEXPIRE', key, ttl)
    return 1, new_reset
  end
  return redis.call('HINCRBY', key, 'count', 1), reset_at
end
`;

/**
 * KEYS: attempts, factor, pending, recovery. ARGV: now, windowMs, now + windowMs.
 * Atomic: the window check and the increment cannot interleave, so N concurrent attempts get 1..N.
 */
export const BEGIN_ATTEMPT = new LuaScript(`${READ_STATE}${COUNT_ATTEMPT}
local count, reset_at = count_attempt(KEYS[1], 1)
return { count, reset_at, read_state(KEYS[2], KEYS[3], KEYS[4]) }`);

/**
 * KEYS: pending. ARGV: ttlMs, then field/value pairs.
 * Atomic: nobody sees the old setup's fields mixed with the new one's, or the new setup without its TTL.
 */
export const SAVE_PENDING = new LuaScript(`
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`);

/**
 * The compare-and-set both claims run, so every claim of a step (counted with it or not) is the same code. Claims
 * `step` on the hash `key` if it holds `secret_id` and a lower (or no) lastStep; `step` false means "count only".
 * Only a factor claim clears the attempts (a setup's creator knows its secret and must not reset the count that
 * protects the factor). Atomic: of concurrent claims of one step, only the first sees a lower lastStep.
 */
const CLAIM = `
local function claim(key, attempts, target, secret_id, step, resealed)
  local stored = redis.call('HMGET', key, 'secretId', 'lastStep')
  if stored[1] ~= secret_id then return 'stale' end
  if not step then return 'counted' end
  local last = tonumber(stored[2])
  if last and last >= tonumber(step) then return 'replayed' end
  redis.call('HSET', key, 'lastStep', step)
  if resealed then redis.call('HSET', key, 'sealedSecret', resealed) end
  if target == 'pending' then
    redis.call('HSET', key, 'confirmed', '1')
  else
    redis.call('DEL', attempts)
  end
  return 'claimed'
end
`;

/** KEYS: factor or pending, attempts. ARGV: 'factor' or 'pending', secretId, step, and the resealed secret if any. */
export const CLAIM_STEP = new LuaScript(`${CLAIM}
if claim(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3], ARGV[4]) == 'claimed' then return 1 end
return 0`);

/**
 * KEYS: factor, attempts, pending, recovery. ARGV: now, windowMs, now + windowMs, maxAttempts, secretId, the step
 * ('' when the code matched none: count only), and the resealed secret if any.
 * Counts the attempt as BEGIN_ATTEMPT does and returns { outcome, count, resetAt }, plus the state when the outcome
 * is 'stale'. Past maxAttempts it stops there: the factor is not even read.
 */
export const ATTEMPT_AND_CLAIM = new LuaScript(`${READ_STATE}${COUNT_ATTEMPT}${CLAIM}
local count, reset_at = count_attempt(KEYS[2], 1)
if count > tonumber(ARGV[4]) then return { 'locked', count, reset_at } end
local step = ARGV[6]
if step == '' then step = false end
local outcome = claim(KEYS[1], KEYS[2], 'factor', ARGV[5], step, ARGV[7] or false)
if outcome == 'stale' then return { outcome, count, reset_at, read_state(KEYS[1], KEYS[3], KEYS[4]) } end
return { outcome, count, reset_at }`);

/**
 * KEYS: factor, pending, recovery, attempts. ARGV: secretId, now, then the new recovery code hashes.
 * Atomic: the setup cannot change or be promoted twice between the check and the swap, and no reader sees a factor
 * with the previous recovery codes. The factor is a fresh key (DEL first), so the pending key's TTL never carries over.
 */
export const ACTIVATE_PENDING = new LuaScript(`${SADD_FROM}
local p = redis.call('HMGET', KEYS[2], 'secretId', 'sealedSecret', 'lastStep', 'expiresAt', 'confirmed')
local expires_at = tonumber(p[4])
if p[1] ~= ARGV[1] or not p[2] or p[5] ~= '1' or not expires_at or tonumber(ARGV[2]) >= expires_at then return 0 end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
redis.call('HSET', KEYS[1], 'secretId', p[1], 'sealedSecret', p[2], 'enabledAt', ARGV[2])
if tonumber(p[3]) then redis.call('HSET', KEYS[1], 'lastStep', p[3]) end
sadd_from(KEYS[3], 3)
return 1`);

/**
 * KEYS: recovery, attempts. ARGV: candidate hashes. Returns the codes left, or -1 when none matched.
 * Atomic: SREM removes a member once, so of concurrent uses of one code exactly one gets 1 back.
 */
export const CONSUME_RECOVERY_CODE = new LuaScript(`
for i = 1, #ARGV do
  if redis.call('SREM', KEYS[1], ARGV[i]) == 1 then
    redis.call('DEL', KEYS[2])
    return redis.call('SCARD', KEYS[1])
  end
end
return -1`);

/**
 * KEYS: factor, recovery. ARGV: the new hashes.
 * Atomic: a factor deleted concurrently cannot end up with fresh codes, and no reader sees the set half replaced.
 */
export const REPLACE_RECOVERY_CODES = new LuaScript(`${SADD_FROM}
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('DEL', KEYS[2])
sadd_from(KEYS[2], 1)
return 1`);

/** KEYS: factor, pending, recovery. Atomic: the answer is about the factor this call removed, not a racing one. */
export const DELETE_FACTOR = new LuaScript(`
local existed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2], KEYS[3])
return existed`);
