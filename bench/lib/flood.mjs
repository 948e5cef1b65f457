// Flood of forged client addresses (issue 7, "floods and bounds"): with trust_forwarded_headers = true every request
// claims a new X-Forwarded-For address, so each one is a new key for the rate limiters, the lockout table and (with
// unique idempotency keys) the idempotency table. Shows the RSS staying flat once those tables are full, while a
// real client polling /health keeps being answered.
import { setTimeout as sleep } from 'node:timers/promises';
import { get, rssMb, runLoad } from './processes.mjs';
import { TOKEN, startClawgate, writeClawgateConfig } from './servers.mjs';

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** Polls GET /health every 100 ms until stopped; answers how many were answered 200 and the latencies. */
function probeHealth(url) {
  let stopped = false;
  const latencies = [];
  let failures = 0;
  const done = (async () => {
    while (!stopped) {
      const { status, ms } = await get(`${url}/health`, 5_000);
      if (status === 200) latencies.push(ms);
      else failures++;
      await sleep(100);
    }
  })();
  return async () => {
    stopped = true;
    await done;
    latencies.sort((a, b) => a - b);
    return {
      answered: latencies.length,
      failures,
      p50: latencies[Math.floor(latencies.length / 2)],
      p99: latencies[Math.floor(latencies.length * 0.99)],
      max: latencies[latencies.length - 1],
    };
  };
}

/** The gateway's V8 heap in use, from its own metrics (nodejs_heap_size_used_bytes). */
async function heapUsedMb(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^zeroclaw_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? NaN) / 2 ** 20;
}

export async function runFlood({ llm, requests, connections, nodeFlags = [] }) {
  console.log(`\n## Flood: ${requests} forged client addresses per phase (trust_forwarded_headers = true, table maxima 10000)`);
  // Prometheus on, so the gateway's own heap figure (after its last GC) can be read beside the RSS.
  const { configPath } = writeClawgateConfig(llm.url, { trustForwarded: true, memory: 'none', prometheus: true });
  const gateway = await startClawgate(configPath, { nodeFlags, name: 'clawgate (flood)' });
  const phases = [
    {
      name: 'POST /webhook without a token (401): a rate-limiter key each',
      load: { method: 'POST', path: '/webhook', headers: { 'content-type': 'application/json' }, body: '{"message":"x"}' },
      forgeClientIps: true,
    },
    {
      name: 'POST /pair with a wrong code (403/429): a pair-limiter key and a lockout record each',
      load: { method: 'POST', path: '/pair', headers: { 'x-pairing-code': '000000' } },
      forgeClientIps: true,
    },
    {
      name: 'POST /webhook authenticated, a new idempotency key each (200): an idempotency record each',
      load: {
        method: 'POST',
        path: '/webhook',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{"message":"x"}',
      },
      forgeClientIps: true,
      uniqueIdempotencyKeys: true,
    },
  ];
  const results = { idleRssMb: 0, phases: [] };
  try {
    await sleep(500);
    results.idleRssMb = rssMb(gateway.pid);
    console.log(`   RSS idle: ${fmt(results.idleRssMb, 1)} MB`);
    for (const phase of phases) {
      // Two halves, each of new addresses: once the tables are full, the second half must not grow the RSS.
      const halves = [];
      const stopProbe = probeHealth(gateway.url);
      for (let half = 0; half < 2; half++) {
        const started = performance.now();
        const result = await runLoad({
          url: `${gateway.url}${phase.load.path}`,
          method: phase.load.method,
          headers: phase.load.headers,
          body: phase.load.body,
          connections,
          amount: Math.ceil(requests / 2),
          forgeClientIps: phase.forgeClientIps,
          uniqueIdempotencyKeys: phase.uniqueIdempotencyKeys ?? false,
          // The second half continues the address sequence instead of repeating the first half's addresses.
          addressOffset: half * Math.ceil(requests / 2),
        });
        halves.push({
          seconds: (performance.now() - started) / 1000,
          rps: result.rps,
          statuses: result.statuses,
          rssMb: rssMb(gateway.pid),
          heapMb: await heapUsedMb(gateway.url),
        });
      }
      const probe = await stopProbe();
      results.phases.push({ name: phase.name, halves, probe });
      const statuses = {};
      for (const h of halves) for (const [code, n] of Object.entries(h.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
      console.log(`   ${phase.name}`);
      console.log(
        `     ${requests} requests, ${fmt(halves.reduce((a, h) => a + h.seconds, 0), 1)} s ${JSON.stringify(statuses)}; ` +
          `after half 1: RSS ${fmt(halves[0].rssMb, 1)} MB, heap used ${fmt(halves[0].heapMb, 1)} MB; ` +
          `after half 2: RSS ${fmt(halves[1].rssMb, 1)} MB, heap used ${fmt(halves[1].heapMb, 1)} MB`,
      );
      console.log(
        `     real client polling /health meanwhile: ${probe.answered} answered, ${probe.failures} failed, ` +
          `p50 ${fmt(probe.p50, 1)} ms, p99 ${fmt(probe.p99, 1)} ms, max ${fmt(probe.max, 1)} ms`,
      );
    }
  } finally {
    await gateway.stop();
  }
  return results;
}
