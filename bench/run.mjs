// npm run bench: clawgate against a raw node:http baseline doing the same work by hand (issue 7), on this machine.
// Each server runs in its own process, the load generator (autocannon) in another, and runs alternate between the
// servers so that background noise hits both alike. Prints req/s, p50/p99 and clawgate/baseline beside each goal.
// Runs against dist/ (the npm script builds first). Traffic goes to 127.0.0.1 only and every run is bounded.
// Figures: median of the rounds; the ratio is the median of per-round ratios (runs of one round are adjacent in
// time, so drift in the machine's load mostly cancels); CPU us/req is the server's CPU time per answered request.
//
//   node bench/run.mjs [--duration 5] [--rounds 2] [--connections 32] [--warmup 2] [--startup-trials 9]
//                      [--flood 100000] [--only health,webhook,401,429,redis,startup,flood]
//                      [--cpu-prof DIR]   (every server runs under node --cpu-prof; profiles land in DIR)
//                      [--json FILE]      (all figures as JSON)
//                      [--pin]            (taskset: servers on core 0, load generator and helpers on core 1)
//   BENCH_CLI=/path/to/dist/bundle/main.js benchmarks another build of clawgate (an older commit's worktree).
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuMs, freePort, pinCores, rssMb, runLoad, startRedis, waitFor200 } from './lib/processes.mjs';
import { TOKEN, startBaseline, startClawgate, startFakeLlm, writeClawgateConfig } from './lib/servers.mjs';
import { runFlood } from './lib/flood.mjs';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '32' },
    warmup: { type: 'string', default: '2' },
    'startup-trials': { type: 'string', default: '9' },
    flood: { type: 'string', default: '100000' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
    json: { type: 'string' },
    pin: { type: 'boolean', default: false },
  },
});
const DURATION = Number(args.duration);
const ROUNDS = Number(args.rounds);
const CONNECTIONS = Number(args.connections);
const WARMUP = Number(args.warmup);
const STARTUP_TRIALS = Number(args['startup-trials']);
const FLOOD = Number(args.flood);
const ONLY = args.only ? new Set(args.only.split(',')) : null;
const CLAWGATE_FLAGS = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', args['cpu-prof']] : [];
/** High enough never to reject in a run, so the sliding window does its bookkeeping without refusing. */
const UNLIMITED_BUT_COUNTED = 100_000_000;

const GOALS = { health: 0.9, rejection: 0.85, webhook: 0.75, startup: 2.5, idleRssMb: 80 };

const authorized = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
const webhookBody = JSON.stringify({ message: 'hello from the bench' });

/**
 * Each server of a scenario: `kind` clawgate (with config settings) or baseline; `vs` names the server its
 * ratio is taken against; `goal: null` reports a ratio without holding it to the scenario's goal. Requests are
 * the same for every server of a scenario.
 */
const SCENARIOS = [
  {
    id: 'health',
    title: 'GET /health',
    request: { method: 'GET', path: '/health' },
    expect: 200,
    goal: GOALS.health,
    servers: [
      { label: 'clawgate', kind: 'clawgate', settings: {}, vs: 'baseline' },
      { label: 'baseline', kind: 'baseline', settings: {} },
    ],
  },
  {
    id: 'webhook',
    title: 'POST /webhook authenticated (200, instant LLM)',
    request: { method: 'POST', path: '/webhook', headers: authorized, body: webhookBody },
    expect: 200,
    goal: GOALS.webhook,
    // The goal compares the same work: the baseline stores nothing, so clawgate runs with memory none. The default
    // (sqlite auto-save: each message durably written and FTS5-indexed before the LLM call) is reported beside it.
    servers: [
      {
        label: 'clawgate (memory none)',
        kind: 'clawgate',
        settings: { webhookLimit: UNLIMITED_BUT_COUNTED, memory: 'none' },
        vs: 'baseline',
      },
      {
        label: 'clawgate (memory sqlite)',
        kind: 'clawgate',
        settings: { webhookLimit: UNLIMITED_BUT_COUNTED },
        vs: 'baseline',
        goal: null,
      },
      { label: 'baseline', kind: 'baseline', settings: { webhookLimit: UNLIMITED_BUT_COUNTED } },
    ],
  },
  {
    id: '401',
    title: 'POST /webhook wrong bearer (401)',
    request: {
      method: 'POST',
      path: '/webhook',
      headers: { ...authorized, authorization: `Bearer zc_${'0'.repeat(64)}` },
      body: webhookBody,
    },
    expect: 401,
    goal: GOALS.rejection,
    servers: [
      { label: 'clawgate', kind: 'clawgate', settings: { webhookLimit: UNLIMITED_BUT_COUNTED }, vs: 'baseline' },
      { label: 'baseline', kind: 'baseline', settings: { webhookLimit: UNLIMITED_BUT_COUNTED } },
    ],
  },
  {
    id: '429',
    title: 'POST /webhook rate-limited (429)',
    request: { method: 'POST', path: '/webhook', headers: authorized, body: webhookBody },
    expect: 429,
    goal: GOALS.rejection,
    // The warm-up spends the 5 admitted requests; every request after it is refused.
    servers: [
      { label: 'clawgate', kind: 'clawgate', settings: { webhookLimit: 5, memory: 'none' }, vs: 'baseline' },
      { label: 'baseline', kind: 'baseline', settings: { webhookLimit: 5 } },
    ],
  },
  {
    id: 'redis',
    title: 'POST /webhook authenticated, [state] redis vs memory (memory none)',
    request: { method: 'POST', path: '/webhook', headers: authorized, body: webhookBody },
    expect: 200,
    goal: null,
    needsRedis: true,
    servers: [
      {
        label: 'clawgate (state redis)',
        kind: 'clawgate',
        settings: { webhookLimit: UNLIMITED_BUT_COUNTED, memory: 'none', redis: true },
        vs: 'clawgate (state memory)',
      },
      { label: 'clawgate (state memory)', kind: 'clawgate', settings: { webhookLimit: UNLIMITED_BUT_COUNTED, memory: 'none' } },
    ],
  },
];

const wanted = (id) => ONLY === null || ONLY.has(id);
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

async function startServer(server, llm, redis) {
  if (server.kind === 'baseline') {
    return startBaseline(llm.url, { webhookLimit: server.settings.webhookLimit ?? 60, nodeFlags: CLAWGATE_FLAGS });
  }
  const { configPath } = writeClawgateConfig(llm.url, {
    ...server.settings,
    ...(server.settings.redis ? { redisUrl: redis.url } : {}),
  });
  return startClawgate(configPath, { nodeFlags: CLAWGATE_FLAGS, name: server.label });
}

async function runScenario(scenario, llm, redis) {
  console.log(`\n## ${scenario.title}`);
  const running = [];
  try {
    for (const server of scenario.servers) running.push({ server, proc: await startServer(server, llm, redis), runs: [] });
    const load = (proc, duration) =>
      runLoad({
        url: `${proc.url}${scenario.request.path}`,
        method: scenario.request.method,
        headers: scenario.request.headers,
        body: scenario.request.body,
        connections: CONNECTIONS,
        duration,
      });
    for (const entry of running) await load(entry.proc, WARMUP);
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate, and rotate who goes first, so drift in the machine's load hits every server alike.
      const order = running.map((_, i) => running[(i + round) % running.length]);
      for (const entry of order) {
        const cpuBefore = cpuMs(entry.proc.pid);
        const result = await load(entry.proc, DURATION);
        result.cpuUsPerRequest = ((cpuMs(entry.proc.pid) - cpuBefore) * 1000) / result.total;
        const unexpected = Object.entries(result.statuses).filter(([code]) => Number(code) !== scenario.expect);
        if (unexpected.length > 0 || result.errors > 0) {
          console.log(`   ! ${entry.server.label}: unexpected answers ${JSON.stringify(result.statuses)} errors=${result.errors}`);
        }
        entry.runs.push(result);
      }
    }
    for (const entry of running) entry.rssAfterMb = rssMb(entry.proc.pid);
  } finally {
    await Promise.all(running.map((entry) => entry.proc.stop()));
  }

  const rows = running.map(({ server, runs, rssAfterMb }) => ({
    label: server.label,
    vs: server.vs,
    goal: server.goal === undefined ? scenario.goal : server.goal,
    runs,
    rps: median(runs.map((r) => r.rps)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuUs: median(runs.map((r) => r.cpuUsPerRequest)),
    rssAfterMb,
  }));
  for (const row of rows) {
    const reference = rows.find((r) => r.label === row.vs);
    if (reference === undefined) continue;
    // Runs of the same round sit next to each other in time: their ratio cancels most of the machine's drift.
    row.ratio = median(row.runs.map((run, i) => run.rps / reference.runs[i].rps));
    row.cpuRatio = reference.cpuUs / row.cpuUs;
    row.pass = row.goal === null ? undefined : row.ratio >= row.goal;
  }
  console.log(`   ${pad('server', 28)}${lpad('req/s', 9)}${lpad('p50 ms', 8)}${lpad('p99 ms', 8)}${lpad('CPU us/req', 11)}${lpad('RSS MB', 8)}  ratio   goal`);
  for (const row of rows) {
    const ratio = row.ratio === undefined ? '' : `${fmt(row.ratio, 2)} vs ${row.vs}`;
    const goal = row.ratio === undefined ? '' : row.goal === null ? '(reported)' : `>= ${row.goal} ${row.pass ? 'ok' : 'MISSED'}`;
    console.log(
      `   ${pad(row.label, 28)}${lpad(fmt(row.rps), 9)}${lpad(fmt(row.p50, 1), 8)}${lpad(fmt(row.p99, 1), 8)}${lpad(fmt(row.cpuUs), 11)}${lpad(fmt(row.rssAfterMb), 8)}  ${ratio}  ${goal}`,
    );
    console.log(`     runs: ${row.runs.map((r) => Math.round(r.rps)).join(', ')} req/s` +
      (row.cpuRatio === undefined ? '' : `; CPU per request ratio ${fmt(row.cpuRatio, 2)}`));
  }
  return { id: scenario.id, title: scenario.title, goal: scenario.goal, rows };
}

/** Startup to the first 200 from /health, and RSS 1 s after it, for both servers (median of the trials). */
async function runStartup(llm) {
  console.log('\n## Startup to first /health and idle RSS');
  const { configPath } = writeClawgateConfig(llm.url, {});
  const trial = async (kind) => {
    const port = await freePort();
    const started = performance.now();
    const proc =
      kind === 'clawgate'
        ? startClawgate(configPath, { port, nodeFlags: CLAWGATE_FLAGS })
        : startBaseline(llm.url, { port });
    // Poll from spawn, not from the banner: the clock covers module loading, config, stores and listen.
    proc.catch(() => undefined);
    const ms = await waitFor200(`http://127.0.0.1:${port}/health`, started);
    const running = await proc;
    await sleep(1_000);
    const rss = rssMb(running.pid);
    await running.stop();
    return { ms, rss };
  };
  // One untimed start each: the first clawgate start creates its database; later starts are the usual case.
  await trial('clawgate');
  await trial('baseline');
  const results = { clawgate: [], baseline: [] };
  for (let i = 0; i < STARTUP_TRIALS; i++) {
    for (const kind of i % 2 === 0 ? ['clawgate', 'baseline'] : ['baseline', 'clawgate']) results[kind].push(await trial(kind));
  }
  const summary = {};
  for (const kind of ['clawgate', 'baseline']) {
    summary[kind] = { startupMs: median(results[kind].map((r) => r.ms)), idleRssMb: median(results[kind].map((r) => r.rss)) };
  }
  // Like the throughput ratios: the median of per-trial ratios, each trial's two starts adjacent in time.
  const ratio = median(results.clawgate.map((r, i) => r.ms / results.baseline[i].ms));
  console.log(`   ${pad('server', 28)}${lpad('startup ms', 11)}${lpad('idle RSS MB', 13)}`);
  for (const kind of ['clawgate', 'baseline']) {
    console.log(`   ${pad(kind, 28)}${lpad(fmt(summary[kind].startupMs), 11)}${lpad(fmt(summary[kind].idleRssMb, 1), 13)}`);
  }
  console.log(`   startup ratio ${fmt(ratio, 2)}x (goal <= ${GOALS.startup}x ${ratio <= GOALS.startup ? 'ok' : 'MISSED'}); ` +
    `idle RSS ${fmt(summary.clawgate.idleRssMb, 1)} MB (goal < ${GOALS.idleRssMb} MB ${summary.clawgate.idleRssMb < GOALS.idleRssMb ? 'ok' : 'MISSED'})`);
  return { ...summary, ratio, trials: results };
}

async function main() {
  const started = performance.now();
  if (process.env.BENCH_CLI) console.log(`clawgate under test: ${process.env.BENCH_CLI}`);
  console.log(`clawgate bench: node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB; ${CONNECTIONS} connections, warm-up ${WARMUP} s, ${ROUNDS} x ${DURATION} s per server, alternating`);
  if (args.pin) console.log(pinCores(0, 1) ? 'pinned: servers on core 0, load generator, fake LLM and Redis on core 1' : 'taskset unavailable: not pinned');
  const llm = await startFakeLlm();
  const redis = wanted('redis') ? await startRedis() : null;
  const report = { node: process.version, cores: cpus().length, scenarios: [], startup: null, flood: null };
  try {
    for (const scenario of SCENARIOS) {
      if (!wanted(scenario.id)) continue;
      if (scenario.needsRedis && redis === null) {
        console.log(`\n## ${scenario.title}\n   skipped: redis-server is not installed`);
        continue;
      }
      report.scenarios.push(await runScenario(scenario, llm, redis));
    }
    if (wanted('startup')) report.startup = await runStartup(llm);
    if (wanted('flood') && FLOOD > 0) report.flood = await runFlood({ llm, requests: FLOOD, connections: CONNECTIONS, nodeFlags: CLAWGATE_FLAGS });
  } finally {
    await llm.stop();
    await redis?.stop();
  }
  console.log(`\nbench finished in ${fmt((performance.now() - started) / 1000)} s`);
  if (args.json) writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
}

await main();
