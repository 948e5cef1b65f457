-- Sets when a claimed WhatsApp job is due again (a renewed lease, or a retry delay) and saves its progress
-- (spec §5, §9). Time is Redis's clock.
--
-- KEYS[1]  sorted set: entry id of a claimed job -> when it is due again (ms)
-- KEYS[2]  hash: entry id -> saved progress
-- ARGV[1]  entry id
-- ARGV[2]  ms from now until the job is due again (>= 0)
-- ARGV[3]  progress to save, or '' to keep what is saved
--
-- Reply: 1 when done; 0 when the job is no longer queued (acknowledged meanwhile): nothing is changed.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return 0
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
end
return 1
