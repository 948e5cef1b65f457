// The baseline of `npm run bench`: a minimal raw node:http server doing the gateway's work by hand, nothing more.
//   GET /health    the same JSON shape as clawgate's snapshot
//   POST /webhook  sliding-window rate limit per peer address, bearer token checked by its SHA-256 hash,
//                  body read (64 KiB cap) and parsed, one call to the LLM over a pooled undici client, JSON answer
// Answers carry the same bodies and RateLimit headers as clawgate's, so both write the same bytes.
// Settings come from the environment (the bench sets them): PORT, LLM_URL (base URL ending in /v1), API_KEY, MODEL,
// TOKEN_HASHES (comma-separated SHA-256 hex), WEBHOOK_LIMIT (per minute, 0 = unlimited), MAX_KEYS.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { Pool } from 'undici';
// Only the answer texts, so both servers send the same bytes (a plain object module: no other imports).
import { ERRORS } from '../dist/src/gateway/errors.js';

const env = process.env;
const LLM = new URL(env.LLM_URL ?? 'http://127.0.0.1:1/v1');
const LLM_PATH = `${LLM.pathname.replace(/\/+$/, '')}/chat/completions`;
const API_KEY = env.API_KEY ?? '';
const MODEL = env.MODEL ?? 'bench-model';
const TOKEN_HASHES = new Set((env.TOKEN_HASHES ?? '').split(',').filter(Boolean));
const LIMIT = Number(env.WEBHOOK_LIMIT ?? 60);
const MAX_KEYS = Number(env.MAX_KEYS ?? 10_000);
const WINDOW_MS = 60_000;
const MAX_BODY = 65_536;
const BEARER = /^Bearer +(\S+) *$/i;
const JSON_TYPE = /^application\/json\s*(;|$)/i;
const startedAt = Date.now();

const pool = new Pool(LLM.origin, { connections: 64, keepAliveTimeout: 30_000 });

/** Sliding-window log per key, least recently seen first (Map order), bounded to MAX_KEYS. */
const windows = new Map();
/** Counts a request for `key` when it fits: answers [allowed, remaining, secondsUntilTheOldestLeaves]. */
function hit(key, now) {
  let stamps = windows.get(key);
  if (stamps === undefined) {
    if (windows.size >= MAX_KEYS) windows.delete(windows.keys().next().value);
    stamps = [];
  } else {
    windows.delete(key);
  }
  windows.set(key, stamps);
  let expired = 0;
  while (expired < stamps.length && stamps[expired] <= now - WINDOW_MS) expired++;
  if (expired > 0) stamps.splice(0, expired);
  const allowed = stamps.length < LIMIT;
  if (allowed) stamps.push(now);
  const reset = Math.min(60, Math.max(1, Math.ceil((stamps[0] + WINDOW_MS - now) / 1000)));
  return [allowed, Math.max(0, LIMIT - stamps.length), reset];
}

function send(res, status, body, headers = {}) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

function health() {
  const now = Date.now();
  const components = { gateway: 'ok', channels: 'ok', scheduler: 'ok', memory: 'ok', state: 'ok' };
  const details = {};
  for (const name of Object.keys(components)) details[name] = { updated_at: new Date(now).toISOString(), restart_count: 0 };
  return {
    status: 'ok',
    paired: TOKEN_HASHES.size > 0,
    runtime: { components, uptime_secs: Math.floor((now - startedAt) / 1000), pid: process.pid, details },
  };
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function webhook(req, res) {
  let headers = {};
  if (LIMIT > 0) {
    const [allowed, remaining, reset] = hit(req.socket.remoteAddress ?? 'unknown', Date.now());
    headers = { 'ratelimit-policy': `"webhook";q=${LIMIT};w=60`, ratelimit: `"webhook";r=${remaining};t=${reset}` };
    if (!allowed) {
      req.resume();
      return send(res, 429, { error: ERRORS.WEBHOOK_RATE_LIMITED.error, retry_after: reset }, { ...headers, 'retry-after': String(reset) });
    }
  }
  const match = BEARER.exec(req.headers.authorization ?? '');
  if (match === null || !TOKEN_HASHES.has(createHash('sha256').update(match[1]).digest('hex'))) {
    req.resume();
    return send(res, 401, { error: ERRORS.UNAUTHORIZED_BEARER.error }, headers);
  }
  const raw = await readBody(req);
  if (raw === null) return send(res, 413, { error: ERRORS.PAYLOAD_TOO_LARGE.error });
  let message;
  try {
    if (!JSON_TYPE.test(req.headers['content-type'] ?? '')) throw new Error('content type');
    message = JSON.parse(raw.toString('utf8')).message;
    if (typeof message !== 'string') throw new Error('message');
  } catch {
    return send(res, 400, { error: ERRORS.INVALID_JSON_BODY.error }, headers);
  }
  try {
    const upstream = await pool.request({
      path: LLM_PATH,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: message }], temperature: 0.7 }),
    });
    const completion = await upstream.body.json();
    if (upstream.statusCode !== 200) throw new Error(`LLM answered ${upstream.statusCode}`);
    send(res, 200, { response: completion.choices[0].message.content, model: MODEL }, headers);
  } catch {
    send(res, 500, { error: ERRORS.LLM_FAILED.error }, headers);
  }
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/health' && req.method === 'GET') return send(res, 200, health());
  if (path === '/webhook' && req.method === 'POST') return void webhook(req, res);
  req.resume();
  send(res, 404, { error: ERRORS.NOT_FOUND.error });
});
server.keepAliveTimeout = 5_000;
server.listen(Number(env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`baseline listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void pool.close().then(() => process.exit(0)));
});
