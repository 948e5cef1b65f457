// node bench/profile.mjs: a differential CPU profile of clawgate against the baseline, per request.
// Runs each server alone under `node --cpu-prof` for the same fixed number of requests of one scenario, then prints
// self time in microseconds per request by package and by function, clawgate beside the baseline, largest
// difference first: what clawgate spends that the baseline does not. Runs against dist/ (npm run build first).
// Sampled wall time, not CPU time: a syscall such as writev also counts the time the process waited in it.
//
//   node bench/profile.mjs [--scenario webhook|401|health] [--requests 40000] [--memory none|sqlite] [--top 40]
//                          [--filter text]   (only functions whose name or file contains text)
//                          [--keep DIR]      (keep the .cpuprofile files in DIR)
//                          [--gc]            (instead: young-GC figures from --trace-gc-nvp: how many scavenges, the
//                                             bytes each promotes to the old generation and the pause per request;
//                                             objects that outlive their request show up as promoted bytes)
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readCpuProfile } from './lib/cpu-profile.mjs';
import { runLoad } from './lib/processes.mjs';
import { TOKEN, startBaseline, startClawgate, startFakeLlm, writeClawgateConfig } from './lib/servers.mjs';

const { values: args } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'webhook' },
    requests: { type: 'string', default: '40000' },
    memory: { type: 'string', default: 'none' },
    top: { type: 'string', default: '40' },
    filter: { type: 'string' },
    keep: { type: 'string' },
    gc: { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(args.requests);
const UNLIMITED_BUT_COUNTED = 100_000_000;

const bearer = args.scenario === '401' ? `zc_${'0'.repeat(64)}` : TOKEN;
const request =
  args.scenario === 'health'
    ? { method: 'GET', path: '/health' }
    : {
        method: 'POST',
        path: '/webhook',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'hello from the bench' }),
      };

/** Starts clawgate (with the chosen memory backend) or the baseline, under `nodeFlags`. */
function startServer(kind, llm, nodeFlags) {
  if (kind === 'baseline') return startBaseline(llm.url, { webhookLimit: UNLIMITED_BUT_COUNTED, nodeFlags });
  const { configPath } = writeClawgateConfig(llm.url, { webhookLimit: UNLIMITED_BUT_COUNTED, memory: args.memory });
  return startClawgate(configPath, { nodeFlags });
}

const load = (proc, amount) => runLoad({ url: `${proc.url}${request.path}`, ...request, connections: 32, amount });

/** Runs one server under --cpu-prof for REQUESTS requests; answers its profile file and the status counts. */
async function profileServer(kind, llm, dir) {
  const proc = await startServer(kind, llm, ['--cpu-prof', '--cpu-prof-dir', dir]);
  let result;
  try {
    result = await load(proc, REQUESTS);
  } finally {
    await proc.stop(); // the profile is written as the process exits
  }
  const [file] = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`${kind} wrote no profile`);
  return { file: join(dir, file), statuses: result.statuses };
}

/** Self time per request (us) by package and by "function file:line", idle excluded. */
function summarise(file) {
  const perRequest = (map) => new Map([...map].filter(([name]) => name !== '(idle)').map(([name, us]) => [name, us / REQUESTS]));
  const { byPackage, byFunction, busyUs } = readCpuProfile(file);
  return { busy: busyUs / REQUESTS, byPackage: perRequest(byPackage), byFunction: perRequest(byFunction) };
}

function compare(title, ours, theirs, top, filter) {
  const names = [...new Set([...ours.keys(), ...theirs.keys()])].filter((n) => filter === undefined || n.includes(filter));
  const rows = names
    .map((name) => [name, ours.get(name) ?? 0, theirs.get(name) ?? 0])
    .sort((a, b) => b[1] - b[2] - (a[1] - a[2]));
  console.log(`\n${title}\n  clawgate baseline  (us per request)`);
  for (const [name, a, b] of rows.slice(0, top)) console.log(`${a.toFixed(2).padStart(10)}${b.toFixed(2).padStart(9)}  ${name}`);
}

/** Runs one server with --trace-gc-nvp for REQUESTS requests (after 5,000 untimed) and sums its scavenges. */
async function gcFigures(kind, llm) {
  const proc = await startServer(kind, llm, ['--trace-gc', '--trace-gc-nvp']);
  let trace = '';
  try {
    await load(proc, 5_000);
    proc.child.stdout.on('data', (chunk) => (trace += chunk));
    await load(proc, REQUESTS);
  } finally {
    await proc.stop();
  }
  const scavenges = trace.split('\n').filter((line) => line.includes('gc=s '));
  const sum = (field) => scavenges.reduce((total, line) => total + Number(new RegExp(`[ ,]${field}=([\\d.]+)`).exec(line)?.[1] ?? 0), 0);
  const count = Math.max(1, scavenges.length);
  console.log(
    `${kind.padEnd(9)} scavenges ${String(scavenges.length).padStart(4)}, promoted ${(sum('promoted') / count / 1024).toFixed(0).padStart(5)} KB each,` +
      ` pause ${((sum('pause') * 1000) / REQUESTS).toFixed(2)} us per request`,
  );
}

if (args.gc) {
  const llm = await startFakeLlm();
  try {
    for (const kind of ['baseline', 'clawgate']) await gcFigures(kind, llm);
  } finally {
    await llm.stop();
  }
  process.exit(0);
}

const root = args.keep ?? mkdtempSync(join(tmpdir(), 'clawgate-profile-'));
const llm = await startFakeLlm();
try {
  const runs = {};
  for (const kind of ['baseline', 'clawgate']) {
    const dir = mkdtempSync(join(root, `${kind}-`));
    runs[kind] = await profileServer(kind, llm, dir);
    console.log(`${kind}: ${REQUESTS} requests, answers ${JSON.stringify(runs[kind].statuses)}`);
  }
  const ours = summarise(runs.clawgate.file);
  const theirs = summarise(runs.baseline.file);
  console.log(`\nbusy (sampled, not idle) us per request: clawgate ${ours.busy.toFixed(1)}, baseline ${theirs.busy.toFixed(1)}` +
    ` (${args.scenario}${args.scenario === 'webhook' ? `, memory ${args.memory}` : ''}; startup included in both)`);
  compare('by package', ours.byPackage, theirs.byPackage, 15);
  compare('by function', ours.byFunction, theirs.byFunction, Number(args.top), args.filter);
  if (args.keep) console.log(`\nprofiles kept in ${root}`);
} finally {
  await llm.stop();
  if (!args.keep) rmSync(root, { recursive: true, force: true });
}
