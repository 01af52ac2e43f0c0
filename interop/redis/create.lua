-- Creates session hash KEYS[1] unless the key exists, and sets its expiry.
-- ARGV[1] expire-at (epoch ms), ARGV[2] randval, ARGV[3..] field, value, field, value, ...
-- Returns 1 when stored, 0 when the key is taken. A key already holding this randval is this very
-- create, retried after its answer was lost: 1 again, so a retry never reports a false conflict.
local key = KEYS[1]
if redis.call('EXISTS', key) == 1 then
  if redis.call('TYPE', key).ok == 'hash' and redis.call('HGET', key, 'randval') == ARGV[2] then
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
