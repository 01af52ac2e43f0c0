-- Prunes the members of principal index KEYS[1] whose latest possible expiry is before ARGV[1] (now)
-- and returns the rest: the ids of sessions that may still be logged in as that principal.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1)
