-- Frees an idempotency key the caller claimed, after a failure, so a retry is processed (spec §4).
--
-- KEYS[1]  the record
-- ARGV[1]  the caller's in-flight value ("i:<owner>")
--
-- Reply: 1 when deleted; 0 when the record is not the caller's in-flight one (done, or another's claim).
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
