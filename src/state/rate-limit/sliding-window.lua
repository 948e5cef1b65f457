-- Sliding-window log of one client's admitted requests, checked and updated atomically (spec §3).
-- Time is Redis's own clock, so the clocks of the gateway instances do not matter.
--
-- KEYS[1]  sorted set: member = one admitted request, score = its admission time (ms, Redis clock)
-- ARGV[1]  limit: requests admitted per window (>= 1)
-- ARGV[2]  window length in ms
-- ARGV[3]  member for this request, unique across instances (instance id + sequence)
--
-- Reply: { allowed (1 admitted and recorded, 0 rejected and not recorded),
--          requests counted in the window after this one,
--          ms until the oldest counted request leaves the window }
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

-- A request counts while now - admitted < window.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  -- The set dies one window after its newest request, when nothing in it counts any more.
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end

local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local reset = window
if oldest[2] then
  reset = tonumber(oldest[2]) + window - now
end
return { allowed, count, reset }
