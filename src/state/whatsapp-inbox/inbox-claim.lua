-- Hands out due WhatsApp jobs, leased to the caller: first those whose lease or retry delay ran out (oldest
-- first), then new ones (spec §5, §9). Time is Redis's clock, so instance clock skew does not move leases.
--
-- Every job handed out stays in the group's pending list until acknowledged; its due time sits in KEYS[2]. A
-- lease is per claim (XAUTOCLAIM's one min-idle-time cannot express that, nor retry delays), so due jobs are
-- taken over with XCLAIM. XAUTOCLAIM only recovers pending entries whose due time was lost.
--
-- KEYS[1]  stream of jobs
-- KEYS[2]  sorted set: entry id of a claimed job -> when it is due again (ms)
-- KEYS[3]  hash: entry id -> saved progress
-- ARGV[1]  consumer group
-- ARGV[2]  consumer name
-- ARGV[3]  most jobs to hand out (>= 1)
-- ARGV[4]  lease, ms
-- ARGV[5]  idle ms after which a pending entry without a due time is handed out again
--
-- Reply: a flat list, four items per job: entry id, encoded message, earlier claims, progress ('' when none).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {}
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local limit = tonumber(ARGV[3])
local leaseEnd = now + tonumber(ARGV[4])
local reply = {}
local count = 0

local function older(a, b)
  local aMs, aSeq = string.match(a, '^(%d+)-(%d+)$')
  local bMs, bSeq = string.match(b, '^(%d+)-(%d+)$')
  if aMs ~= bMs then
    return tonumber(aMs) < tonumber(bMs)
  end
  return tonumber(aSeq) < tonumber(bSeq)
end

local function messageOf(fields)
  if type(fields) ~= 'table' then
    return nil
  end
  for i = 1, #fields, 2 do
    if fields[i] == 'message' then
      return fields[i + 1]
    end
  end
  return nil
end

local function forget(id)
  redis.call('XACK', KEYS[1], ARGV[1], id)
  redis.call('XDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], id)
end

local function handOut(id, message, earlierClaims)
  redis.call('ZADD', KEYS[2], leaseEnd, id)
  reply[#reply + 1] = id
  reply[#reply + 1] = message
  reply[#reply + 1] = earlierClaims
  reply[#reply + 1] = redis.call('HGET', KEYS[3], id) or ''
  count = count + 1
end

-- Recovery: a pending entry with no due time (its sorted set deleted or evicted) becomes due now. JUSTID keeps
-- the delivery count; an entry that does have a due time is left to it.
local orphans = redis.call('XAUTOCLAIM', KEYS[1], ARGV[1], ARGV[2], ARGV[5], '0-0', 'COUNT', limit, 'JUSTID')
for _, id in ipairs(orphans[2]) do
  if not redis.call('ZSCORE', KEYS[2], id) then
    redis.call('ZADD', KEYS[2], now, id)
  end
end

local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, limit)
if #due > 0 then
  table.sort(due, older)
  local entries = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, unpack(due))
  local claimed = {}
  for _, entry in ipairs(entries) do
    local id = type(entry) == 'table' and entry[1]
    local message = id and messageOf(entry[2])
    if message then
      claimed[id] = true
      -- XCLAIM counted this delivery: the claims before it are one fewer.
      local pending = redis.call('XPENDING', KEYS[1], ARGV[1], id, id, 1)
      local deliveries = pending[1] and pending[1][4] or 1
      handOut(id, message, deliveries - 1)
    end
  end
  -- Due ids that are no longer readable pending entries (deleted, or without a message): forget them.
  for _, id in ipairs(due) do
    if not claimed[id] then
      forget(id)
    end
  end
end

if count < limit then
  local fresh = redis.call('XREADGROUP', 'GROUP', ARGV[1], ARGV[2], 'COUNT', limit - count, 'STREAMS', KEYS[1], '>')
  if fresh then
    for _, entry in ipairs(fresh[1][2]) do
      local message = messageOf(entry[2])
      if message then
        handOut(entry[1], message, 0)
      else
        forget(entry[1])
      end
    end
  end
end
return reply
