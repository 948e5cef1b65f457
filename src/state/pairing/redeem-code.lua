-- Consumes the outstanding pairing code when it matches: true for exactly one caller (spec §2, §9).
-- The values compared are SHA-256 hashes of the code, so the timing of this comparison reveals nothing
-- useful about the code itself.
--
-- KEYS[1]  the outstanding code's hash (string)
-- ARGV[1]  the offered code's hash
--
-- Reply: 1 when it matched and was consumed; 0 otherwise (no code, or a different one, which stays).
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
