-- Removes the members ARGV[1..] from principal index KEYS[1] (a sorted set) and lets the index expire with
-- its longest-lived remaining member, as index-add does; the last member gone, the key is gone.
-- Returns the number of members removed.
local key = KEYS[1]
local removed = 0
for i = 1, #ARGV, 1000 do
  removed = removed + redis.call('ZREM', key, unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
local top = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if top[2] == 'inf' then
  redis.call('PERSIST', key)
elseif top[2] then
  redis.call('PEXPIREAT', key, string.format('%d', tonumber(top[2])))
end
return removed
