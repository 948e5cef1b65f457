// npm run bench:memory: store and recall throughput of the sqlite and postgres memory backends at 10k and 100k entries.
// Runs against dist/ (npm run build first; the npm script does). Not a test: numbers depend on the machine.
//   BENCH_SIZES=10000,100000   entry counts (default both)
//   BENCH_CONCURRENCY=16       stores in flight at once (the gateway stores from concurrent requests)
//   BENCH_RECALLS=500          recall queries per size
//   BENCH_DATABASE_URL         PostgreSQL (default $DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test);
//                              a private schema is created and dropped.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { SqliteMemory } from '../dist/src/memory/sqlite-memory.js';
import { PostgresMemory } from '../dist/src/memory/postgres-memory.js';

const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const RECALLS = Number(process.env.BENCH_RECALLS ?? 500);
const DATABASE_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

// Deterministic text: a Zipf-ish vocabulary so that some words are common and most are rare, as in chat.
let seed = 42;
function random() {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
}
const VOCABULARY = Array.from({ length: 5_000 }, (_, i) => `w${i.toString(36)}${'aeiou'[i % 5]}`);
function word() {
  return VOCABULARY[Math.floor(VOCABULARY.length * random() ** 3)];
}
function sentence(words) {
  return Array.from({ length: words }, word).join(' ');
}

/** `i` spelled with letters only, so a miss query is one word that is in no entry. */
function lettersOf(i) {
  return i.toString(36).replace(/[0-9]/g, (d) => 'abcdefghij'[Number(d)]);
}

async function storeAll(memory, size) {
  let next = 0;
  const started = performance.now();
  async function worker() {
    while (next < size) {
      const i = next++;
      await memory.store(`webhook_msg_${i}`, sentence(8 + (i % 24)), i % 10 === 0 ? 'core' : 'conversation');
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return size / ((performance.now() - started) / 1000);
}

async function recallMany(memory, queries) {
  const latencies = [];
  const started = performance.now();
  for (const query of queries) {
    const t = performance.now();
    await memory.recall(query, 10);
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { perSecond: queries.length / seconds, p50Ms: at(0.5), p99Ms: at(0.99) };
}

async function bench(name, open, size) {
  const { memory, dispose } = await open();
  try {
    const storesPerSecond = await storeAll(memory, size);
    const words = await recallMany(memory, Array.from({ length: RECALLS }, () => sentence(3)));
    // No word matches: every query misses full-text search and takes the bounded substring scan.
    const misses = Array.from({ length: Math.max(10, RECALLS / 50) }, (_, i) => `qx${lettersOf(i)}z`);
    const fallback = await recallMany(memory, misses);
    return { backend: name, size, storesPerSecond, recall: words, fallbackRecall: fallback };
  } finally {
    await memory.close();
    await dispose();
  }
}

function openSqlite() {
  const dir = mkdtempSync(join(tmpdir(), 'clawgate-bench-memory-'));
  return {
    memory: new SqliteMemory({ path: join(dir, 'memory.db') }),
    dispose: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function openPostgres() {
  const schema = `clawgate_bench_${process.pid}_${Date.now()}`;
  const memory = await PostgresMemory.connect({ connectionString: DATABASE_URL, schema, poolSize: CONCURRENCY });
  return {
    memory,
    dispose: async () => {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

async function postgresReachable() {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const results = [];
const withPostgres = await postgresReachable();
if (!withPostgres) console.warn('postgres: no server reachable, skipped (set BENCH_DATABASE_URL)');
for (const size of SIZES) {
  results.push(await bench('sqlite', async () => openSqlite(), size));
  if (withPostgres) results.push(await bench('postgres', openPostgres, size));
}

const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
console.log(`memory benchmark: concurrency ${CONCURRENCY}, ${RECALLS} recalls of 3 words, limit 10`);
console.log(
  ['backend ', 'entries', 'stores/s', 'recalls/s', 'recall p50 ms', 'recall p99 ms', 'fallback recalls/s'].join('  '),
);
for (const r of results) {
  console.log(
    [
      r.backend.padEnd(8),
      String(r.size).padStart(7),
      fmt(r.storesPerSecond).padStart(8),
      fmt(r.recall.perSecond).padStart(9),
      fmt(r.recall.p50Ms).padStart(13),
      fmt(r.recall.p99Ms).padStart(13),
      fmt(r.fallbackRecall.perSecond).padStart(18),
    ].join('  '),
  );
}
mkdirSync('.bench-out', { recursive: true });
writeFileSync('.bench-out/memory.json', `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
