-- Creates session hash KEYS[1] unless the key exists, and sets its expiry.
-- ARGV[1] expire-at (epoch ms), ARGV[2] '' or, when the call is a retry, the randval; ARGV[3..] field,
-- value, field, value, ...
-- Returns 1 when stored, 0 when the key is taken: an existing key is never overwritten. A retry (whose
-- first attempt may have stored the hash and lost the answer) also answers 1 when the key holds a hash
-- with this very randval, so it never reports a false conflict.
local key = KEYS[1]
if redis.call('EXISTS', key) == 1 then
  if ARGV[2] ~= '' and redis.call('TYPE', key).ok == 'hash' and redis.call('HGET', key, 'randval') == ARGV[2] then
    return 1
  end
  return 0
end
local n = #ARGV
-- Chunks keep unpack() under Lua's limit on the number of values it may return.
for i = 3, n, 1000 do
  redis.call('HSET', key, unpack(ARGV, i, math.min(i + 999, n)))
end
redis.call('PEXPIREAT', key, ARGV[1])
return 1
