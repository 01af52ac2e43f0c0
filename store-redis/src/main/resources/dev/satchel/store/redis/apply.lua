-- Applies one request's changes to session hash KEYS[1] atomically: the per-attribute merge of
-- ChangeSet.applyTo, done where the data is, so concurrent requests cannot lose each other's changes.
-- ARGV[1]  access time (epoch ms)                 ARGV[2]  new idle timeout (ms), '' = unchanged
-- ARGV[3]  new deadline (ms), '-' = none, '' = unchanged
-- ARGV[4]  principal: '0' unchanged, '1' set to ARGV[5], '2' cleared
-- ARGV[6]  invalidation channel, '' = do not publish   ARGV[7]  session id (the message: '<id>:<version
--          written>' after a write, the bare id when this change removed the session)
-- ARGV[8]  the version the request started from
-- ARGV[9]  number R of removed fields; ARGV[10 .. 9+R] removed fields; then field, value pairs to set
-- Returns {2, old principal or nil} when applied onto the very version the request started from (the
-- caller then knows the merged hash without reading it back); {1, old principal or nil, HGETALL} when
-- applied onto a version another writer made; {0} when the session is absent or expired at the access
-- time (nothing is resurrected; an expired hash is deleted); {-2, v} when the hash's format version v is
-- a number other than 1 (a newer writer's hash is judged by v alone); {-1} when the stored entry is not a
-- complete session hash. In the last two cases nothing is written.
local key = KEYS[1]
local kind = redis.call('TYPE', key).ok
if kind == 'none' then return {0} end
if kind ~= 'hash' then return {-1} end

local function int(s)
  if s and string.match(s, '^%d+$') then return tonumber(s) end
  return nil
end
-- Expiry as a number that PEXPIREAT accepts exactly: capped far in the future (2^52 ms, year 144683).
local function expiry(last, idle, deadline)
  local e = last + idle
  if deadline < e then e = deadline end
  if e > 4503599627370496 then e = 4503599627370496 end
  return e
end

local m = redis.call('HMGET', key, 'v', 'lastAccess', 'idleTimeoutMs', 'deadline', 'version', 'principal',
  'created', 'id', 'randval')
local last, idle, version = int(m[2]), int(m[3]), int(m[5])
local deadline = math.huge
if m[4] then deadline = int(m[4]) end
if m[1] ~= '1' then
  if m[1] and string.match(m[1], '^%d+$') then return {-2, m[1]} end
  return {-1}
end
-- The fields a session cannot lack; attribute values are checked when the hash is read back.
if not last or not idle or idle == 0 or not version or not deadline or not int(m[7]) or not m[8] or not m[9] then
  return {-1}
end

local now = int(ARGV[1])
if now >= expiry(last, idle, deadline) then
  -- Expired at the access time: never brought back. Deleting it is what the TTL would do anyway.
  redis.call('DEL', key)
  return {0}
end

local fields = {'version', string.format('%d', version + 1)}
local newLast = last
if now > last then
  newLast = now
  fields[#fields + 1] = 'lastAccess'
  fields[#fields + 1] = ARGV[1]
end
local newIdle = idle
if ARGV[2] ~= '' then
  newIdle = int(ARGV[2])
  fields[#fields + 1] = 'idleTimeoutMs'
  fields[#fields + 1] = ARGV[2]
end
local newDeadline = deadline
if ARGV[3] == '-' then
  newDeadline = math.huge
elseif ARGV[3] ~= '' then
  newDeadline = int(ARGV[3])
  fields[#fields + 1] = 'deadline'
  fields[#fields + 1] = ARGV[3]
end
local expireAt = expiry(newLast, newIdle, newDeadline)
if now >= expireAt then
  -- This change itself ends the session (a deadline already past): remove it, as ChangeSet.applyTo says.
  redis.call('DEL', key)
  if ARGV[6] ~= '' then redis.call('PUBLISH', ARGV[6], ARGV[7]) end
  return {0}
end

if ARGV[3] == '-' then redis.call('HDEL', key, 'deadline') end
if ARGV[4] == '1' then
  fields[#fields + 1] = 'principal'
  fields[#fields + 1] = ARGV[5]
elseif ARGV[4] == '2' then
  redis.call('HDEL', key, 'principal')
end
redis.call('HSET', key, unpack(fields))

local n = #ARGV
local removedEnd = 9 + tonumber(ARGV[9])
for i = 10, removedEnd, 1000 do
  redis.call('HDEL', key, unpack(ARGV, i, math.min(i + 999, removedEnd)))
end
for i = removedEnd + 1, n, 1000 do
  redis.call('HSET', key, unpack(ARGV, i, math.min(i + 999, n)))
end
redis.call('PEXPIREAT', key, string.format('%d', expireAt))
if ARGV[6] ~= '' then redis.call('PUBLISH', ARGV[6], ARGV[7] .. ':' .. fields[2]) end
if version == int(ARGV[8]) then return {2, m[6]} end
return {1, m[6], redis.call('HGETALL', key)}
