-- Deletes session KEYS[1]; when something was deleted and ARGV[1] names a channel, publishes ARGV[2]
-- (the session id) on it. With ARGV[3] (a principal), deletes only a session hash whose principal is
-- exactly ARGV[3], so a "log out everywhere" spares a session that logged in as someone else since it was
-- listed. Returns {number of keys deleted, the session's principal or nil}, so the caller can take it out
-- of that principal's index (another slot: not from here).
local principal = false
if redis.call('TYPE', KEYS[1]).ok == 'hash' then
  principal = redis.call('HGET', KEYS[1], 'principal')
end
if ARGV[3] and principal ~= ARGV[3] then return {0, principal} end
local n = redis.call('DEL', KEYS[1])
if n > 0 and ARGV[1] ~= '' then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
return {n, principal}
