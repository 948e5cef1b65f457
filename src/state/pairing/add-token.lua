-- Adds a token hash issued by a pairing (spec §2). A new pairing is the one way back for a revoked hash.
--
-- KEYS[1]  hash: token hash -> createdAt (epoch ms, "" when unknown)
-- KEYS[2]  set: revoked token hashes (tombstones)
-- ARGV[1]  the token hash
-- ARGV[2]  createdAt, epoch ms
--
-- Reply: 1 when added; 0 when it was already there (its createdAt is kept).
redis.call('SREM', KEYS[2], ARGV[1])
return redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
