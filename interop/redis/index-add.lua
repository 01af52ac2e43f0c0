-- Adds session id ARGV[3] to principal index KEYS[1] (a sorted set) with score ARGV[2], the latest
-- instant the session can live ('inf' when unknown or unbounded); prunes members whose score is before
-- ARGV[1] (now), and lets the whole index expire with its longest-lived member.
local key = KEYS[1]
redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. ARGV[1])
redis.call('ZADD', key, ARGV[2], ARGV[3])
local top = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
if top[2] == 'inf' then
  redis.call('PERSIST', key)
else
  redis.call('PEXPIREAT', key, string.format('%d', tonumber(top[2])))
end
return 1
