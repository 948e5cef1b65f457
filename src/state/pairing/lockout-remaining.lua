-- How long a client's pairing lockout still lasts, on Redis's clock (spec §2).
--
-- KEYS[1]  hash of one client (see record-failure.lua); field u = end of its lockout in ms
--
-- Reply: ms left of the lockout; 0 when not locked out.
local locked_until = tonumber(redis.call('HGET', KEYS[1], 'u')) or 0
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if locked_until > now then
  return locked_until - now
end
return 0
