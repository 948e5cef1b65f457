-- Revokes a token hash on every instance at once, and leaves a tombstone so no instance's config file
-- adds it back at startup (spec §2, §9).
--
-- KEYS[1]  hash: token hash -> createdAt
-- KEYS[2]  hash: token hash -> lastUsedAt
-- KEYS[3]  set: revoked token hashes (tombstones)
-- ARGV[1]  the token hash
--
-- Reply: 1 when it was a paired token; 0 otherwise (the tombstone is written either way).
local removed = redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return removed
