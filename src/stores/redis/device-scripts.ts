import { OUTCOMES } from './lua-parts.js';
import { LuaScript } from './script-runner.js';

/*
 * The trusted-device scripts (store-devices.ts), one per operation, on the user's devices hash: field = the token's
 * hash, value = the record as JSON with every number a decimal string (Lua compares them with tonumber, and stores
 * them as given). The hash is a field name only: no reply and no remembered outcome ever carries it.
 */

/**
 * `decode_device(raw)`: the record, or nil when it cannot be read (it then never counts, and is removed when met:
 * reading it as trusted would be the one unsafe answer). `device_reply(d)`: the reply's form, in DEVICE_FIELDS order.
 * `counts(d, now, secret_id)`: unexpired and trusted under the enabled factor (secret_id is false when none).
 * `oldest_first(list)`: by createdAt, then id compared byte by byte, as JavaScript compares the ASCII ids
 * (Lua's `<` on strings follows the server's locale).
 */
const DEVICES = `
local function decode_device(raw)
  local ok, d = pcall(cjson.decode, raw)
  if not ok or type(d) ~= 'table' then return nil end
  for _, field in ipairs({ 'id', 'label', 'secretId' }) do
    if type(d[field]) ~= 'string' then return nil end
  end
  for _, field in ipairs({ 'createdAt', 'lastUsedAt', 'expiresAt' }) do
    if type(d[field]) ~= 'string' or not tonumber(d[field]) then return nil end
  end
  return d
end
local function device_reply(d)
  return { d.id, d.label, d.secretId, d.createdAt, d.lastUsedAt, d.expiresAt }
end
local function counts(d, now, secret_id)
  return d ~= nil and secret_id and d.secretId == secret_id and now < tonumber(d.expiresAt)
end
local function id_before(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end
local function oldest_first(devices)
  table.sort(devices, function(a, b)
    local x, y = tonumber(a.device.createdAt), tonumber(b.device.createdAt)
    if x ~= y then return x < y end
    return id_before(a.device.id, b.device.id)
  end)
  return devices
end
local function all_devices(key)
  local all, found = redis.call('HGETALL', key), {}
  for i = 1, #all, 2 do found[#found + 1] = { hash = all[i], device = decode_device(all[i + 1]) } end
  return found
end
local function counting_replies(key, now, secret_id)
  local kept = {}
  for _, entry in ipairs(all_devices(key)) do
    if counts(entry.device, now, secret_id) then kept[#kept + 1] = entry end
  end
  local replies = {}
  for i, entry in ipairs(oldest_first(kept)) do replies[i] = device_reply(entry.device) end
  return replies
end
`;

/**
 * KEYS: outcome, factor, devices. ARGV: outcome TTL, tokenHash, id, label, secretId, createdAt, lastUsedAt,
 * expiresAt, maxDevices, now. Answers { 'stale' } (nothing changed) or { 'trusted', dropped }. Stores the device,
 * removes every device that can no longer count (expired; or unreadable, or of another factor, which only a failed
 * removal leaves), then drops the oldest but never the new one while over maxDevices. The key's TTL becomes the
 * latest expiry among those kept, so Redis drops the hash once none can count.
 */
export const TRUST_DEVICE = new LuaScript(`${OUTCOMES}${DEVICES}
local prior = remembered()
if prior then return prior end
local secret_id = redis.call('HGET', KEYS[2], 'secretId')
if secret_id ~= ARGV[5] then return { 'stale' } end
redis.call('HSET', KEYS[3], ARGV[2], cjson.encode({
  id = ARGV[3], label = ARGV[4], secretId = ARGV[5], createdAt = ARGV[6], lastUsedAt = ARGV[7], expiresAt = ARGV[8]
}))
local max_devices, now = tonumber(ARGV[9]), tonumber(ARGV[10])
local kept = {}
for _, entry in ipairs(all_devices(KEYS[3])) do
  if counts(entry.device, now, secret_id) then
    kept[#kept + 1] = entry
  else
    redis.call('HDEL', KEYS[3], entry.hash)
  end
end
local dropped, left, latest = {}, #kept, 0
for _, entry in ipairs(oldest_first(kept)) do
  if left > max_devices and entry.hash ~= ARGV[2] then
    redis.call('HDEL', KEYS[3], entry.hash)
    dropped[#dropped + 1] = device_reply(entry.device)
    left = left - 1
  elseif tonumber(entry.device.expiresAt) > latest then
    latest = tonumber(entry.device.expiresAt)
  end
end
if left > 0 then redis.call('PEXPIRE', KEYS[3], string.format('%d', math.max(1, math.ceil(latest - now)))) end
return remember({ 'trusted', dropped })`);

/**
 * KEYS: factor, devices. ARGV: now, then the candidate hashes. Answers { 'trusted', device } (its lastUsedAt now
 * ARGV[1]) or { 'untrusted', 1 when a factor is enabled else 0 }. A matching device that can never count again
 * (expired, another factor's, unreadable) is removed on the way. No operation id: the only write sets lastUsedAt to
 * the call's own clock, so a resent call writes what the first run wrote, and answers what is true when it runs.
 */
export const USE_TRUSTED_DEVICE = new LuaScript(`${DEVICES}
local now = tonumber(ARGV[1])
local secret_id = redis.call('HGET', KEYS[1], 'secretId')
for i = 2, #ARGV do
  local raw = redis.call('HGET', KEYS[2], ARGV[i])
  if raw then
    local device = decode_device(raw)
    if counts(device, now, secret_id) then
      device.lastUsedAt = ARGV[1]
      redis.call('HSET', KEYS[2], ARGV[i], cjson.encode(device))
      return { 'trusted', device_reply(device) }
    end
    redis.call('HDEL', KEYS[2], ARGV[i])
  end
end
if secret_id then return { 'untrusted', 1 } end
return { 'untrusted', 0 }`);

/** KEYS: factor, devices. ARGV: now. Read-only: { devices that count, oldest first }. */
export const LIST_TRUSTED_DEVICES = new LuaScript(`${DEVICES}
return counting_replies(KEYS[2], tonumber(ARGV[1]), redis.call('HGET', KEYS[1], 'secretId'))`);

/** KEYS: outcome, devices. ARGV: outcome TTL, device id. Answers { 'revoked', device as it was } or { 'none' }. */
export const REVOKE_TRUSTED_DEVICE = new LuaScript(`${OUTCOMES}${DEVICES}
local prior = remembered()
if prior then return prior end
for _, entry in ipairs(all_devices(KEYS[2])) do
  if entry.device and entry.device.id == ARGV[2] then
    redis.call('HDEL', KEYS[2], entry.hash)
    return remember({ 'revoked', device_reply(entry.device) })
  end
end
return { 'none' }`);

/**
 * KEYS: outcome, factor, devices. ARGV: outcome TTL, now. Removes every device of the user (expired, unreadable and
 * all); answers { 'revoked', those that counted, oldest first }.
 */
export const REVOKE_TRUSTED_DEVICES = new LuaScript(`${OUTCOMES}${DEVICES}
local prior = remembered()
if prior then return prior end
local counted = counting_replies(KEYS[3], tonumber(ARGV[2]), redis.call('HGET', KEYS[2], 'secretId'))
if redis.call('DEL', KEYS[3]) == 0 then return { 'revoked', counted } end
return remember({ 'revoked', counted })`);
