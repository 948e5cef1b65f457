-- Adds the token hashes of an instance's config file at startup, except revoked ones: a token revoked on
-- one instance must not come back from another instance's (older) config file (spec §2, §9).
--
-- KEYS[1]  hash: token hash -> createdAt (epoch ms, "" when unknown)
-- KEYS[2]  set: revoked token hashes (tombstones)
-- ARGV     the token hashes of the config file
--
-- Reply: how many were added.
local added = 0
for _, hash in ipairs(ARGV) do
  if redis.call('SISMEMBER', KEYS[2], hash) == 0 then
    added = added + redis.call('HSETNX', KEYS[1], hash, '')
  end
end
return added
