-- Claims an idempotency key atomically: exactly one caller across instances gets the key (spec §4).
--
-- KEYS[1]  the record: "i:<owner>" while in flight, "d:<json response>" when done
-- ARGV[1]  this caller's in-flight value ("i:<owner>")
-- ARGV[2]  in-flight lease in ms (a crashed request frees the key when it ends)
--
-- Reply: nil when claimed (the record is now ARGV[1]); else the existing record.
local existing = redis.call('GET', KEYS[1])
if existing then
  return existing
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
