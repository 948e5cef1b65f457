-- Marks a claimed idempotency key done with the response to replay (spec §4).
--
-- KEYS[1]  the record
-- ARGV[1]  done value ("d:<json response>")
-- ARGV[2]  TTL of the done record in ms, counted from now
-- ARGV[3]  the caller's in-flight value ("i:<owner>")
--
-- Reply: 1 when written; 0 when another caller holds the key (this caller's lease ran out and the key was
-- claimed again) or it is already done: that record is left alone.
local existing = redis.call('GET', KEYS[1])
if existing == false or existing == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
