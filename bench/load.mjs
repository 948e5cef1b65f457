// One autocannon run, in its own process so the load generator never shares a process with a server under test.
// Usage: node bench/load.mjs '<json options>'; prints one JSON line with the result.
//   options: url, method, headers, body, connections, duration (s), amount (requests; wins over duration),
//            forgeClientIps (each request a new X-Forwarded-For address, from addressOffset on),
//            uniqueIdempotencyKeys (each request a new X-Idempotency-Key).
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2] ?? '{}');

let counter = options.addressOffset ?? 0;
/** The IPv4 address number `n`: 10.x.y.z then 11.x.y.z ... (forged; never contacted). */
function address(n) {
  return `${10 + Math.floor(n / 16_777_216)}.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

const perRequest = options.forgeClientIps || options.uniqueIdempotencyKeys;
const request = {
  method: options.method ?? 'GET',
  ...(options.headers ? { headers: options.headers } : {}),
  ...(options.body !== undefined ? { body: options.body } : {}),
  ...(perRequest
    ? {
        setupRequest(req) {
          const n = counter++;
          const headers = { ...req.headers };
          if (options.forgeClientIps) headers['x-forwarded-for'] = address(n);
          if (options.uniqueIdempotencyKeys) headers['x-idempotency-key'] = `bench-${process.pid}-${n}`;
          return { ...req, headers };
        },
      }
    : {}),
};

const result = await autocannon({
  url: options.url,
  connections: options.connections ?? 32,
  pipelining: 1,
  ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 5 }),
  requests: [request],
});

const statuses = {};
for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = Number(stat.count);
process.stdout.write(
  `${JSON.stringify({
    rps: result.requests.average,
    total: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
  })}\n`,
);
