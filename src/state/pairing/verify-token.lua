-- Checks a bearer token hash and records its use (spec §3, step 2).
--
-- KEYS[1]  hash: token hash -> createdAt
-- KEYS[2]  hash: token hash -> lastUsedAt (epoch ms)
-- ARGV[1]  the token hash
-- ARGV[2]  now, epoch ms
--
-- Reply: 1 when the hash is a paired token; 0 otherwise.
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
  return 1
end
return 0
