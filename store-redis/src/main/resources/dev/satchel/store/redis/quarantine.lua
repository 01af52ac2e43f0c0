-- Moves a corrupt session entry KEYS[1] aside to KEYS[2] (same hash slot) for ARGV[1] ms, so it can be
-- inspected and is not reported again. A hash of a newer format version ('v' a number greater than
-- ARGV[2], the one this code reads) is data this code does not understand, not damage: it is left in
-- place, should a newer writer have replaced the entry since it was found corrupt. (Up to 18 digits: a
-- longer 'v' is no version the store reads as one, so it is damage too.)
-- Returns 1 if moved, 0 if left.
local key = KEYS[1]
local kind = redis.call('TYPE', key).ok
if kind == 'none' then return 0 end
if kind == 'hash' then
  local v = redis.call('HGET', key, 'v')
  if v and string.match(v, '^%d+$') and #v <= 18 and tonumber(v) > tonumber(ARGV[2]) then return 0 end
end
redis.call('RENAME', key, KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
return 1
