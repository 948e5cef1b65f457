// Seeded fuzzing (issue 7): thousands of malformed requests to every route of the built gateway over real sockets.
// Every answer must be documented (a row of ERRORS, or the route's 200/500), never a crash, hang or stack trace,
// and the heap stays bounded. Failing cases are printed with their seed and index: add them to regressions.json
// (they run first, every time). Explore with FUZZ_SEED=<n> or FUZZ_SEED=random, FUZZ_CASES=<n>; replay one case
// with FUZZ_SEED=<seed> FUZZ_ONLY=<index>; FUZZ_REPORT=<file> writes every failure as JSON.
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../fakes/openai-server.js';
import { cleanEnv, spawnGateway, type GatewayProcess } from '../helpers/gateway-process.js';
import { makeTempDir } from '../helpers/start-gateway.js';
import { checkAnswer } from './answer-check.js';
import { generateCase, type FuzzSecrets } from './malformed-requests.js';
import { caseSeed, createRng } from './prng.js';
import { exchange } from './raw-exchange.js';

const DEFAULT_SEED = 7_2026;
const SEED = process.env.FUZZ_SEED === 'random' ? randomInt(2 ** 31) : Number(process.env.FUZZ_SEED ?? DEFAULT_SEED);
const CASES = Number(process.env.FUZZ_CASES ?? 3_000);
const ONLY = process.env.FUZZ_ONLY === undefined ? undefined : Number(process.env.FUZZ_ONLY);
const CONCURRENCY = 16;
/** request_timeout_secs of the gateway: a request that lies about its length is answered 408 after it. */
const REQUEST_TIMEOUT_SECS = 2;
const ANSWER_TIMEOUT_MS = 10_000;
/** The heap of the gateway after all cases, as its own metrics report it. */
const MAX_HEAP_BYTES = 256 * 1024 * 1024;

interface Regression {
  seed: number;
  case: number;
  note: string;
}
const REGRESSIONS: Regression[] = JSON.parse(readFileSync(new URL('./regressions.json', import.meta.url), 'utf8')) as Regression[];

const secrets: FuzzSecrets = {
  token: `zc_${randomBytes(32).toString('hex')}`,
  webhookSecret: `whsec-${randomBytes(8).toString('hex')}`,
  appSecret: `app-${randomBytes(8).toString('hex')}`,
  verifyToken: `verify-${randomBytes(8).toString('hex')}`,
};

let llm: FakeOpenAiServer;
let graph: Server;
let graphRequests = 0;
let gw: GatewayProcess;
let exitedEarly: number | string | undefined;

beforeAll(async () => {
  llm = await startFakeOpenAiServer();
  graph = createServer((req, res) => {
    graphRequests++;
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"messages":[{"id":"wamid.x"}]}');
  });
  await new Promise<void>((resolve) => graph.listen(0, '127.0.0.1', resolve));
  const dir = makeTempDir();
  const configPath = join(dir, 'config.toml');
  writeFileSync(
    configPath,
    stringify({
      default_provider: `custom:${llm.baseUrl}`,
      api_key: 'sk-fuzz',
      reliability: { provider_retries: 0 },
      gateway: {
        paired_tokens: [createHash('sha256').update(secrets.token).digest('hex')],
        trust_forwarded_headers: true,
        webhook_rate_limit_per_minute: 2_000,
        pair_rate_limit_per_minute: 2_000,
        request_timeout_secs: REQUEST_TIMEOUT_SECS,
      },
      channels_config: {
        webhook: { secret: secrets.webhookSecret },
        whatsapp: {
          access_token: 'EAAG-fuzz',
          phone_number_id: '1234567890',
          verify_token: secrets.verifyToken,
          app_secret: secrets.appSecret,
          // Nobody is answered: accepted deliveries are queued and dropped, no reply leaves the machine.
          allowed_numbers: [],
          graph_api_base_url: `http://127.0.0.1:${(graph.address() as AddressInfo).port}`,
        },
      },
      observability: { backend: 'prometheus' },
    }),
    { mode: 0o600 },
  );
  gw = await spawnGateway(['gateway', '--config', configPath, '--port', '0'], cleanEnv({ HOME: dir }));
  void gw.exited.then((code) => (exitedEarly = code));
});

afterAll(async () => {
  if (exitedEarly === undefined) {
    gw.child.kill('SIGTERM');
    await gw.exited;
  }
  await llm.close();
  graph.closeAllConnections();
  await new Promise<void>((resolve) => graph.close(() => resolve()));
});

interface Failure {
  seed: number;
  index: number;
  description: string;
  problem: string;
  request: string;
}

async function heapUsedBytes(): Promise<number> {
  const text = await (await fetch(`${gw.url}/metrics`)).text();
  return Number(/^zeroclaw_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)?.[1] ?? NaN);
}

/** Runs the cases (seed, index) CONCURRENCY at a time; answers the failures. */
async function runCases(cases: Array<{ seed: number; index: number }>): Promise<Failure[]> {
  const { hostname, port } = new URL(gw.url);
  const failures: Failure[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cases.length && exitedEarly === undefined) {
      const { seed, index } = cases[next++] as { seed: number; index: number };
      const testCase = generateCase(createRng(caseSeed(seed, index)), secrets);
      const answer = await exchange(hostname, Number(port), testCase.raw, testCase.method, ANSWER_TIMEOUT_MS);
      const problem = exitedEarly !== undefined ? `the gateway exited (${exitedEarly})` : checkAnswer(testCase, answer);
      if (problem !== undefined) {
        failures.push({
          seed,
          index,
          description: testCase.description,
          problem,
          request: JSON.stringify(testCase.raw.subarray(0, 400).toString('latin1')),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return failures;
}

function report(failures: Failure[]): string {
  return failures
    .slice(0, 10)
    .map(
      (f) =>
        `seed ${f.seed} case ${f.index}: ${f.problem}\n  ${f.description}\n  request: ${f.request}\n` +
        `  replay: FUZZ_SEED=${f.seed} FUZZ_ONLY=${f.index} npx vitest run test/fuzz; keep it: add {"seed": ${f.seed}, "case": ${f.index}, "note": "..."} to test/fuzz/regressions.json`,
    )
    .join('\n');
}

describe(`fuzzing every route (seed ${SEED})`, () => {
  it('answers every kept regression case with a documented answer', async () => {
    const failures = await runCases(REGRESSIONS.map((r) => ({ seed: r.seed, index: r.case })));
    expect(failures, report(failures)).toEqual([]);
  });

  it(`answers ${ONLY === undefined ? CASES : 1} malformed requests with documented answers, without crashing, hanging or growing its heap`, async () => {
    console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    const indexes = ONLY === undefined ? Array.from({ length: CASES }, (_, i) => i) : [ONLY];
    const heap: number[] = [await heapUsedBytes()];
    const failures: Failure[] = [];
    for (let start = 0; start < indexes.length; start += 500) {
      failures.push(...(await runCases(indexes.slice(start, start + 500).map((index) => ({ seed: SEED, index })))));
      if (exitedEarly !== undefined) break;
      heap.push(await heapUsedBytes());
    }
    if (process.env.FUZZ_REPORT) writeFileSync(process.env.FUZZ_REPORT, JSON.stringify(failures, null, 2));
    expect(exitedEarly, `the gateway exited: ${gw.output().slice(-3_000)}`).toBeUndefined();
    expect(failures, `seed ${SEED}: ${failures.length} undocumented answers\n${report(failures)}`).toEqual([]);
    expect(Math.max(...heap)).toBeLessThan(MAX_HEAP_BYTES);
    // The gateway itself saw no unhandled error, and still serves.
    const unhandled = gw.output().split('\n').filter((line) => line.includes('"msg":"unhandled error"'));
    expect(unhandled, unhandled.slice(0, 5).join('\n')).toEqual([]);
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    expect(graphRequests).toBe(0);
    console.log(`fuzz heap used (MB) every 500 cases: ${heap.map((b) => (b / 2 ** 20).toFixed(1)).join(', ')}`);
  }, 120_000);
});
