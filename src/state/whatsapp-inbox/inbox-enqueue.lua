-- Queues the WhatsApp messages whose wamid was not seen before and records each wamid as seen, atomically
-- (spec §5, §9): two instances receiving the same redelivery at once queue it once.
--
-- KEYS[1]     stream of jobs (the consumer group ARGV[1] is created with it)
-- KEYS[2..n]  one "seen" key per message, in the order of the messages
-- ARGV[1]     consumer group name
-- ARGV[2]     how long a wamid is remembered, ms
-- ARGV[3..]   the encoded messages, in the order of KEYS[2..n]
--
-- Reply: one integer per message: 1 queued now, 0 seen before (a redelivery, or repeated within this call).

-- The group must exist before the first entry, so that it hands out every entry ever added (start id 0).
-- BUSYGROUP (it exists already) is the usual answer and is ignored.
redis.pcall('XGROUP', 'CREATE', KEYS[1], ARGV[1], '0', 'MKSTREAM')

local reply = {}
for i = 2, #KEYS do
  if redis.call('SET', KEYS[i], '1', 'NX', 'PX', ARGV[2]) then
    redis.call('XADD', KEYS[1], '*', 'message', ARGV[i + 1])
    reply[i - 1] = 1
  else
    reply[i - 1] = 0
  end
end
return reply
