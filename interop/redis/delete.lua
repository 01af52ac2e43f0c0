-- Deletes session KEYS[1]; when something was deleted and ARGV[1] names a channel, publishes ARGV[2]
-- (the session id) on it. Returns the number of keys deleted.
local n = redis.call('DEL', KEYS[1])
if n > 0 and ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
return n
