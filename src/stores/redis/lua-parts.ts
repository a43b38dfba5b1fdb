/*
 * Lua functions shared by the scripts in scripts.ts, each a string spliced in front of a script's body. Numbers arrive
 * as decimal strings, are compared with tonumber (exact below 2^53) and stored as the strings given: Lua's tostring
 * (%.14g) never touches a stored timestamp.
 */

/** HMGET field order; `replies.ts` reads the replies by position in this order. */
export const FACTOR_FIELDS = ['secretId', 'sealedSecret', 'lastStep', 'enabledAt'] as const;
/** HMGET field order of a pending setup. */
export const PENDING_FIELDS = ['secretId', 'sealedSecret', 'lastStep', 'createdAt', 'expiresAt', 'confirmed'] as const;

const quoted = (fields: readonly string[]) => fields.map((field) => `'${field}'`).join(', ');

/** `read_state(factor, pending, recovery)`: { factor fields, pending fields, recovery code count }. */
export const READ_STATE = `
local function read_state(factor, pending, recovery)
  return {
    redis.call('HMGET', factor, ${quoted(FACTOR_FIELDS)}),
    redis.call('HMGET', pending, ${quoted(PENDING_FIELDS)}),
    redis.call('SCARD', recovery)
  }
end
`;

/** `sadd_from(key, first)`: SADD of ARGV[first..]; unpack() is bounded by Lua's C stack, so in slices of 1000. */
export const SADD_FROM = `
local function sadd_from(key, first)
  for i = first, #ARGV, 1000 do
    redis.call('SADD', key, unpack(ARGV, i, math.min(i + 999, #ARGV)))
  end
end
`;

/**
 * Exactly-once outcomes. Every state-changing script gets KEYS[1], the key of its operation id (a random id the store
 * makes per call), and ARGV[1], how long to keep the outcome. `remembered()` answers the outcome a first run stored;
 * `remember(reply)` stores the reply of a run that changed something. A driver that resends the same command after a
 * failover (same id) thus gets the first run's answer, not a second run's ("replayed" for the claim it made itself).
 * A run that changed nothing stores nothing: running it again later answers what is true then, as a later call would.
 */
export const OUTCOMES = `
local function remembered()
  local prior = redis.call('GET', KEYS[1])
  if prior then return cjson.decode(prior) end
  return nil
end
local function remember(reply)
  redis.call('SET', KEYS[1], cjson.encode(reply), 'PX', ARGV[1])
  return reply
end
`;

/**
 * Attempt buckets: one hash per user, one field per bucket holding `"<count> <resetAt>"`. The window ends when the
 * caller's clock reaches resetAt; the key's PEXPIRE (relative, so a test's fixed clock works too) is the latest open
 * window's end, so Redis drops the hash once nothing in it can matter.
 *
 * `read_budget(first)` reads ARGV[first..]: now, now + windowMs, the number of limits, then bucket/max pairs; answers
 * the budget and the index after it. `windows_of(key, budget)` answers { bucket, count, resetAt } per limit, an ended or
 * absent window as { bucket, 0, '0' }. `count_failure` counts one failure in each limit's bucket and prunes every
 * ended window of the user while there, so the number of fields stays bounded by the windows still open (and those
 * only grow by failures, which the per-user limit bounds).
 */
export const BUCKETS = `
local function read_budget(first)
  local budget = { now = tonumber(ARGV[first]), new_reset = ARGV[first + 1], limits = {} }
  local n = tonumber(ARGV[first + 2])
  for i = 1, n do
    budget.limits[i] = { ARGV[first + 1 + 2 * i], tonumber(ARGV[first + 2 + 2 * i]) }
  end
  return budget, first + 3 + 2 * n
end
local function parse_window(value)
  if not value then return nil end
  local count, reset_at = string.match(value, '^(%d+) (%S+)$')
  if not count or not tonumber(reset_at) then return nil end
  return tonumber(count), reset_at
end
local function windows_of(key, budget)
  local names = {}
  for i, limit in ipairs(budget.limits) do names[i] = limit[1] end
  local values = redis.call('HMGET', key, unpack(names))
  local found = {}
  for i, limit in ipairs(budget.limits) do
    local count, reset_at = parse_window(values[i])
    if count and budget.now < tonumber(reset_at) then
      found[i] = { limit[1], count, reset_at }
    else
      found[i] = { limit[1], 0, '0' }
    end
  end
  return found
end
local function is_locked(found, budget)
  for i, limit in ipairs(budget.limits) do
    if found[i][2] >= limit[2] then return true end
  end
  return false
end
local function count_failure(key, found, budget)
  local latest = 0
  local all = redis.call('HGETALL', key)
  for i = 1, #all, 2 do
    local count, reset_at = parse_window(all[i + 1])
    if not count or budget.now >= tonumber(reset_at) then
      redis.call('HDEL', key, all[i])
    elseif tonumber(reset_at) > latest then
      latest = tonumber(reset_at)
    end
  end
  for i, window in ipairs(found) do
    if window[2] == 0 then
      window[2], window[3] = 1, budget.new_reset
    else
      window[2] = window[2] + 1
    end
    redis.call('HSET', key, window[1], string.format('%d', window[2]) .. ' ' .. window[3])
    if tonumber(window[3]) > latest then latest = tonumber(window[3]) end
  end
  redis.call('PEXPIRE', key, string.format('%d', math.max(1, math.ceil(latest - budget.now))))
  return found
end
local function clear_buckets(key, budget)
  for _, limit in ipairs(budget.limits) do redis.call('HDEL', key, limit[1]) end
end
`;
