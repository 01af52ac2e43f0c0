-- Deletes session hash KEYS[1] only if its principal is still ARGV[1], so an index entry that went stale
-- (the session logged in as someone else since) never logs out the wrong user. Publishes like delete.lua
-- (ARGV[2] channel, ARGV[3] session id). Returns 1 if deleted, 0 if not.
local key = KEYS[1]
if redis.call('TYPE', key).ok ~= 'hash' or redis.call('HGET', key, 'principal') ~= ARGV[1] then
  return 0
end
redis.call('DEL', key)
if ARGV[2] ~= '' then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return 1
