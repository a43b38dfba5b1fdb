import { BUCKETS, OUTCOMES, READ_STATE, SADD_FROM } from './lua-parts.js';
import { LuaScript } from './script-runner.js';

/*
 * One script per store operation. Redis runs a script to the end before any other command, on every connection
 * and (keys sharing one hash tag) in Cluster too, so each check-then-write below is atomic with no lock or WATCH.
 * Keys always come in KEYS, never built here, so Cluster can route the call and the prefix stays the app's choice.
 * Every state-changing script starts with the operation's outcome key and its TTL (OUTCOMES in lua-parts.ts): a
 * resent call answers its first outcome.
 */

/** KEYS: factor, pending, recovery. Read-only, but one script so the three reads describe one instant. */
export const LOAD = new LuaScript(`${READ_STATE}
return read_state(KEYS[1], KEYS[2], KEYS[3])`);

/**
 * KEYS: outcome, pending. ARGV: outcome TTL, the setup's TTL, then field/value pairs.
 * Atomic: nobody sees the old setup's fields mixed with the new one's, or the new setup without its TTL.
 */
export const SAVE_PENDING = new LuaScript(`${OUTCOMES}
local prior = remembered()
if prior then return prior end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], unpack(ARGV, 3))
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return remember(1)`);

/**
 * KEYS: outcome, attempts, factor, pending, recovery. ARGV: outcome TTL, 'factor' or 'pending', secretId, the step
 * ('' when the code matched none), the resealed secret ('' for none), then the budget (read_budget).
 * Answers { outcome, windows[, state] } in the contract's order of decisions: locked, stale, mismatch (counted),
 * replayed (not counted), claimed (buckets cleared). Of concurrent claims of one step only the first sees a lower
 * lastStep; of concurrent failures each is counted.
 */
export const ATTEMPT_AND_CLAIM = new LuaScript(`${OUTCOMES}${READ_STATE}${BUCKETS}
local prior = remembered()
if prior then return prior end
local budget = read_budget(6)
local found = windows_of(KEYS[2], budget)
if is_locked(found, budget) then return { 'locked', found } end
local target = KEYS[3]
if ARGV[2] == 'pending' then target = KEYS[4] end
local stored = redis.call('HMGET', target, 'secretId', 'lastStep')
if stored[1] ~= ARGV[3] then return { 'stale', found, read_state(KEYS[3], KEYS[4], KEYS[5]) } end
if ARGV[4] == '' then return remember({ 'mismatch', count_failure(KEYS[2], found, budget) }) end
local last = tonumber(stored[2])
if last and last >= tonumber(ARGV[4]) then return { 'replayed', found } end
redis.call('HSET', target, 'lastStep', ARGV[4])
if ARGV[5] ~= '' then redis.call('HSET', target, 'sealedSecret', ARGV[5]) end
if ARGV[2] == 'pending' then redis.call('HSET', target, 'confirmed', '1') end
clear_buckets(KEYS[2], budget)
return remember({ 'claimed' })`);

/**
 * KEYS: outcome, factor, pending, recovery, attempts, devices. ARGV: outcome TTL, secretId, now, then the recovery
 * code hashes. Atomic: the setup cannot change or be promoted twice between the check and the swap, and no reader sees
 * a factor with the previous recovery codes or devices. The factor is a fresh key (DEL first), so the pending key's TTL
 * never carries over.
 */
export const ACTIVATE_PENDING = new LuaScript(`${OUTCOMES}${SADD_FROM}
local prior = remembered()
if prior then return prior end
local p = redis.call('HMGET', KEYS[3], 'secretId', 'sealedSecret', 'lastStep', 'expiresAt', 'confirmed')
local expires_at = tonumber(p[4])
if p[1] ~= ARGV[2] or not p[2] or p[5] ~= '1' or not expires_at or tonumber(ARGV[3]) >= expires_at then return 0 end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6])
redis.call('HSET', KEYS[2], 'secretId', p[1], 'sealedSecret', p[2], 'enabledAt', ARGV[3])
if tonumber(p[3]) then redis.call('HSET', KEYS[2], 'lastStep', p[3]) end
if #ARGV >= 4 then sadd_from(KEYS[4], 4) end
return remember(1)`);

/**
 * KEYS: outcome, attempts, factor, recovery. ARGV: outcome TTL, the budget (read_budget), then the candidate hashes.
 * Answers { 'locked', windows }, { 'no_factor' }, { 'used', remaining, secretId } or { 'mismatch', windows }.
 * Atomic: SREM removes a member once, so of concurrent uses of one code exactly one is 'used'.
 */
export const USE_RECOVERY_CODE = new LuaScript(`${OUTCOMES}${BUCKETS}
local prior = remembered()
if prior then return prior end
local budget, first_candidate = read_budget(2)
local found = windows_of(KEYS[2], budget)
if is_locked(found, budget) then return { 'locked', found } end
local secret_id = redis.call('HGET', KEYS[3], 'secretId')
if not secret_id then return { 'no_factor' } end
for i = first_candidate, #ARGV do
  if redis.call('SREM', KEYS[4], ARGV[i]) == 1 then
    clear_buckets(KEYS[2], budget)
    return remember({ 'used', redis.call('SCARD', KEYS[4]), secret_id })
  end
end
return remember({ 'mismatch', count_failure(KEYS[2], found, budget) })`);

/** Lua: whether the factor hash KEYS[2] exists and, when ARGV[2] is 'only', holds the secretId ARGV[3]. */
const FACTOR_MATCHES = `
local function factor_matches()
  local secret_id = redis.call('HGET', KEYS[2], 'secretId')
  if not secret_id then return false end
  return ARGV[2] ~= 'only' or secret_id == ARGV[3]
end
`;

/**
 * KEYS: outcome, factor, recovery. ARGV: outcome TTL, 'any' or 'only', secretId, then the new hashes.
 * Atomic: a factor deleted concurrently cannot end up with fresh codes, and no reader sees the set half replaced.
 */
export const REPLACE_RECOVERY_CODES = new LuaScript(`${OUTCOMES}${SADD_FROM}${FACTOR_MATCHES}
local prior = remembered()
if prior then return prior end
if not factor_matches() then return 0 end
redis.call('DEL', KEYS[3])
if #ARGV >= 4 then sadd_from(KEYS[3], 4) end
return remember(1)`);

/**
 * KEYS: outcome, factor, pending, recovery, devices. ARGV: outcome TTL, 'any' or 'only', secretId.
 * 'any' removes whatever exists and answers whether a factor was there; 'only' changes nothing unless the enabled
 * factor has that secretId. Atomic: the answer is about the factor this call removed, not a racing one, and no
 * device outlives the factor it was trusted under.
 */
export const DELETE_FACTOR = new LuaScript(`${OUTCOMES}${FACTOR_MATCHES}
local prior = remembered()
if prior then return prior end
if ARGV[2] == 'only' and not factor_matches() then return 0 end
local existed = redis.call('DEL', KEYS[2])
redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
if existed == 0 then return 0 end
return remember(1)`);

/** KEYS: outcome, attempts. ARGV: outcome TTL. Removes every bucket of the user. */
export const CLEAR_ATTEMPTS = new LuaScript(`${OUTCOMES}
local prior = remembered()
if prior then return prior end
redis.call('DEL', KEYS[2])
return remember(1)`);
