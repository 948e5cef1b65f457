// Generators of malformed HTTP requests for the fuzz suite: raw bytes on purpose, so nothing a client library would
// refuse to send is out of reach (invalid UTF-8, control characters, duplicate and huge headers, lying lengths).
import { createHmac } from 'node:crypto';
import type { Rng } from './prng.js';

/** What a case may use to get past the gateway's first checks, so deeper code is reached too. */
export interface FuzzSecrets {
  token: string;
  webhookSecret: string;
  appSecret: string;
  verifyToken: string;
}

export interface FuzzCase {
  /** Short human description (kinds of mutation applied). */
  description: string;
  /** The method as sent (for HEAD, the answer has no body); '?' when the request line is not HTTP. */
  method: string;
  /** The path of the request line without its query; '?' when there is none. */
  path: string;
  /** The bytes written to the socket. */
  raw: Buffer;
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'SEARCH', 'LINK', 'CONNECT'];
const PATHS = [
  '/health',
  '/ready',
  '/metrics',
  '/pair',
  '/webhook',
  '/whatsapp',
  '/admin/pairing-code',
  '/admin/tokens',
  '/admin/tokens/abcdef12',
  '/',
  '/nope',
  '/webhook/',
  '//webhook',
  '/WEBHOOK',
  '/webhook?x=1&x=2',
  '/health?__proto__[polluted]=1',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/%ff%fe',
  '/webhook%00',
  '*',
  'http://127.0.0.1/health',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/JSON',
  'application/json; charset=utf-16',
  'application/jsonx',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
  ';;;',
  'application/json, text/plain',
];

/** JSON-ish bodies: valid, truncated, deeply nested, wrong types, prototype keys, invalid UTF-8. */
function jsonBody(rng: Rng): { text: Buffer; kind: string } {
  const message = rng.pick(['hi', '', 'ünïcödé ✓', 'a'.repeat(rng.int(2_000)), '\u0000\u0001', '{"nested":true}']);
  const choices: Array<() => { text: Buffer; kind: string }> = [
    () => ({ text: Buffer.from(JSON.stringify({ message })), kind: 'valid' }),
    () => {
      const full = JSON.stringify({ message, extra: { a: [1, 2, 3] } });
      return { text: Buffer.from(full.slice(0, rng.int(full.length))), kind: 'truncated' };
    },
    () => {
      const depth = rng.pick([100, 5_000, 30_000]);
      const open = rng.chance(0.5) ? '[' : '{"a":';
      const close = open === '[' ? ']' : '}';
      return { text: Buffer.from(open.repeat(depth) + '1' + close.repeat(rng.chance(0.5) ? depth : rng.int(depth))), kind: `nested ${depth}` };
    },
    () => ({
      text: Buffer.from(JSON.stringify({ message: rng.pick([42, -1e308, true, null, [1], { a: 1 }, 1e400]) })),
      kind: 'wrong type',
    }),
    () => ({ text: Buffer.from(rng.pick(['null', '[]', '"message"', '42', 'true', '{}', ''])), kind: 'not an object' }),
    () => ({
      text: Buffer.from(
        rng.pick([
          '{"__proto__":{"message":"polluted"}}',
          '{"__proto__":{"polluted":true},"message":"x"}',
          '{"constructor":{"prototype":{"polluted":true}},"message":"x"}',
          '{"message":"x","__proto__":null}',
          '{"message":"a","message":"b"}',
          '{"message":{"toString":"x"}}',
        ]),
      ),
      kind: 'prototype keys',
    }),
    () => {
      const bad = Buffer.concat([Buffer.from('{"message":"'), rng.bytes(1 + rng.int(64)), Buffer.from('"}')]);
      return { text: bad, kind: 'invalid utf-8' };
    },
    () => ({ text: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify({ message }))]), kind: 'bom' }),
    () => ({ text: Buffer.from(JSON.stringify({ message: 'x'.repeat(70_000) })), kind: 'over 64 KiB' }),
    () => ({ text: rng.bytes(rng.int(4_096)), kind: 'random bytes' }),
    () => ({
      text: Buffer.from(JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: [{ value: { messages: [{ from: rng.pick(['123', '', 'x']), id: 'wamid.' + rng.int(1e9), type: rng.pick(['text', 'image', 'zzz']), text: { body: message } }] } }] }] })),
      kind: 'whatsapp-like',
    }),
  ];
  return rng.pick(choices)();
}

function idempotencyKey(rng: Rng): string {
  return rng.pick([
    'key-1',
    '"quoted"',
    '""',
    '   ',
    'k'.repeat(256),
    'k'.repeat(5_000),
    'tab\there',
    'del\u007f',
    'c1\u0085',
    'ünï',
    String(rng.int(1e9)),
  ]);
}

function forwardedFor(rng: Rng): string {
  return rng.pick([
    `10.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}`,
    `::ffff:1.2.3.${rng.int(256)}`,
    '[::1]:80',
    'not-an-ip, also-not',
    '999.999.999.999',
    `${rng.int(256)}.${rng.int(256)}.0.1, 127.0.0.1`,
    Array.from({ length: 500 }, () => `10.0.0.${rng.int(256)}`).join(', '),
    'fe80::1%eth0',
    '',
  ]);
}

/** A structured request with some of its parts broken. */
function structured(rng: Rng, secrets: FuzzSecrets): FuzzCase {
  const method = rng.chance(0.6) ? rng.pick(['GET', 'POST']) : rng.pick(METHODS);
  let path = rng.pick(PATHS);
  const notes: string[] = [];
  if (path.startsWith('/whatsapp') && rng.chance(0.6)) {
    const params = [
      rng.chance(0.8) ? `hub.mode=${rng.pick(['subscribe', 'unsubscribe', ''])}` : '',
      rng.chance(0.8) ? `hub.verify_token=${encodeURIComponent(rng.chance(0.5) ? secrets.verifyToken : 'wrong')}` : '',
      rng.chance(0.8) ? `hub.challenge=${rng.pick(['12345', '', '%ff', '<script>', 'x'.repeat(3_000)])}` : '',
      rng.chance(0.2) ? 'hub.mode=subscribe&hub.mode=subscribe' : '',
    ].filter(Boolean);
    path += `?${params.join('&')}`;
  }
  if (rng.chance(0.05)) {
    path = '/' + 'p'.repeat(rng.pick([1_000, 9_000]));
    notes.push('long path');
  }

  const headers: Array<[string, string | Buffer]> = [['Host', rng.chance(0.95) ? '127.0.0.1' : '']];
  const body = method === 'GET' || method === 'HEAD' ? (rng.chance(0.1) ? jsonBody(rng) : null) : rng.chance(0.9) ? jsonBody(rng) : null;
  if (body) notes.push(`body: ${body.kind}`);

  if (rng.chance(0.8)) headers.push(['Content-Type', rng.chance(0.6) ? 'application/json' : rng.pick(CONTENT_TYPES)]);
  if (rng.chance(0.7)) {
    headers.push([
      'Authorization',
      rng.pick([`Bearer ${secrets.token}`, `Bearer ${secrets.token}`, 'Bearer zc_' + '0'.repeat(64), 'Bearer', 'Basic dXNlcjpwYXNz', `bearer   ${secrets.token}  `, 'Bearer ' + 'x'.repeat(3_000)]),
    ]);
  }
  if (rng.chance(0.6)) headers.push(['X-Webhook-Secret', rng.chance(0.6) ? secrets.webhookSecret : rng.pick(['wrong', '', ` ${secrets.webhookSecret} `])]);
  if (rng.chance(0.4)) {
    headers.push(['X-Idempotency-Key', idempotencyKey(rng)]);
    notes.push('idempotency key');
  }
  if (rng.chance(0.3)) headers.push(['X-Forwarded-For', forwardedFor(rng)]);
  if (rng.chance(0.1)) headers.push(['X-Real-IP', forwardedFor(rng)]);
  if (rng.chance(0.3)) headers.push(['X-Pairing-Code', rng.pick(['000000', '', '12345678', 'abcdef', ' 000001 '])]);
  if (rng.chance(0.3) && body) {
    const signature = createHmac('sha256', secrets.appSecret).update(body.text).digest('hex');
    headers.push([
      'X-Hub-Signature-256',
      rng.pick([`sha256=${signature}`, `sha256=${signature}`, `sha256=${signature.toUpperCase()}`, `sha1=${signature}`, 'sha256=zz', `sha256=${signature.slice(2)}`, '']),
    ]);
  }
  if (rng.chance(0.1)) headers.push(['X-Clawgate-Admin-Key', rng.pick(['', 'x'.repeat(64)])]);
  if (rng.chance(0.15)) {
    // Duplicate headers: the same name twice with different values.
    const [name, value] = rng.pick(headers.length > 1 ? headers.slice(1) : headers);
    headers.push([name, rng.chance(0.5) ? value : 'other']);
    notes.push(`duplicate ${name}`);
  }
  if (rng.chance(0.05)) {
    headers.push(['X-Huge', 'h'.repeat(rng.pick([8_000, 17_000, 40_000]))]);
    notes.push('huge header');
  }
  if (rng.chance(0.05)) {
    headers.push(['X-Bytes', rng.bytes(1 + rng.int(50))]);
    notes.push('raw bytes in a header value');
  }
  if (rng.chance(0.03)) headers.push(['Expect', '100-continue']);

  let bodyBytes = body?.text ?? Buffer.alloc(0);
  const chunked = body !== null && rng.chance(0.1);
  if (chunked) {
    headers.push(['Transfer-Encoding', rng.chance(0.9) ? 'chunked' : 'gzip, chunked']);
    const chunks: Buffer[] = [];
    for (let at = 0; at < bodyBytes.length; ) {
      const size = 1 + rng.int(4_096);
      const part = bodyBytes.subarray(at, at + size);
      chunks.push(Buffer.from(`${part.length.toString(16)}\r\n`), part, Buffer.from('\r\n'));
      at += size;
    }
    chunks.push(Buffer.from(rng.chance(0.9) ? '0\r\n\r\n' : 'zz\r\n\r\n'));
    bodyBytes = Buffer.concat(chunks);
    notes.push('chunked');
  } else if (body !== null || rng.chance(0.2)) {
    const length = bodyBytes.length;
    const lie = rng.chance(0.05) ? rng.pick([length + 10, Math.max(0, length - 5), -1]) : length;
    headers.push(['Content-Length', lie === -1 ? 'abc' : String(lie)]);
    if (lie !== length) notes.push(`content-length ${lie} for ${length} bytes`);
    if (rng.chance(0.03)) {
      headers.push(['Content-Length', String(length + 1)]);
      notes.push('two content-lengths');
    }
  }
  if (rng.chance(0.7)) headers.push(['Connection', 'close']);

  const head = Buffer.concat([
    Buffer.from(`${method} ${path} HTTP/1.1\r\n`, 'latin1'),
    ...headers.map(([name, value]) => Buffer.concat([Buffer.from(`${name}: `), Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'), Buffer.from('\r\n')])),
    Buffer.from('\r\n'),
  ]);
  return {
    description: `${method} ${path.slice(0, 80)} [${notes.join('; ')}]`,
    method,
    path: path.split('?')[0] as string,
    raw: Buffer.concat([head, bodyBytes]),
  };
}

/** Bytes that are hardly HTTP at all. */
function garbage(rng: Rng): FuzzCase {
  const kind = rng.int(4);
  if (kind === 0) return { description: 'random bytes', method: '?', path: '?', raw: rng.bytes(1 + rng.int(3_000)) };
  if (kind === 1) {
    return { description: 'method then random bytes', method: '?', path: '?', raw: Buffer.concat([Buffer.from(`${rng.pick(METHODS)} /`), rng.bytes(1 + rng.int(500))]) };
  }
  if (kind === 2) {
    const line = rng.pick(['GET /health HTTP/9.9', 'GET /health', 'GET  /health  HTTP/1.1', 'GET /health HTTP/1.1 extra', 'GET\t/health\tHTTP/1.1', 'G\u0000T /health HTTP/1.1']);
    // Node's parser is lenient with some of these: if it answers, it is /health's answer or a 400.
    return { description: `bad request line ${JSON.stringify(line)}`, method: 'GET', path: '/health', raw: Buffer.from(`${line}\r\nHost: x\r\nConnection: close\r\n\r\n`, 'latin1') };
  }
  const header = rng.pick(['X-A:b', 'X A: b', ': novalue', 'X-A: b\rX-B: c', 'X-Ü: b', 'X-A:\u0000b', ' X-Folded: b']);
  return {
    description: `bad header line ${JSON.stringify(header)}`,
    method: 'GET',
    path: '/health',
    raw: Buffer.from(`GET /health HTTP/1.1\r\nHost: x\r\n${header}\r\nConnection: close\r\n\r\n`, 'latin1'),
  };
}

export function generateCase(rng: Rng, secrets: FuzzSecrets): FuzzCase {
  return rng.chance(0.85) ? structured(rng, secrets) : garbage(rng);
}
