-- Counts one failed pairing code of a client; the failure that reaches the limit starts a lockout whose
-- length doubles with each lockout of the same client, capped (spec §2). Redis's clock, shared by instances.
--
-- KEYS[1]  hash of one client: f = failures since its last lockout, u = end of its lockout (ms, Redis
--          clock; 0 = none), n = lockouts so far
-- ARGV[1]  failures that start a lockout
-- ARGV[2]  first lockout in ms
-- ARGV[3]  longest lockout in ms
-- ARGV[4]  ms the record is kept after its last failure or lockout (so Redis does not keep every client)
--
-- Reply: the length in ms of the lockout this failure started; 0 when none started (also during a lockout,
-- when the failure is not counted).
local max_failures = tonumber(ARGV[1])
local base = tonumber(ARGV[2])
local cap = tonumber(ARGV[3])
local keep = tonumber(ARGV[4])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local record = redis.call('HMGET', KEYS[1], 'f', 'u', 'n')
local failures = tonumber(record[1]) or 0
local locked_until = tonumber(record[2]) or 0
local lockouts = tonumber(record[3]) or 0

if locked_until > now then
  return 0
end
if locked_until > 0 then
  -- The last lockout is over: counting starts again, the doubling history stays.
  failures = 0
  locked_until = 0
end
failures = failures + 1
if failures < max_failures then
  redis.call('HSET', KEYS[1], 'f', failures, 'u', 0, 'n', lockouts)
  redis.call('PEXPIRE', KEYS[1], keep)
  return 0
end

lockouts = lockouts + 1
local length = math.min(cap, base * 2 ^ math.min(lockouts - 1, 31))
redis.call('HSET', KEYS[1], 'f', 0, 'u', now + length, 'n', lockouts)
redis.call('PEXPIRE', KEYS[1], length + keep)
return length
