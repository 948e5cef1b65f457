// Is an answer documented? Its status and body must be a row of ERRORS (the one error table) or the documented
// success of its route; no answer may carry a stack trace or internal paths.
import { ERRORS, type ErrorRow } from '../../src/gateway/errors.js';
import type { FuzzCase } from './malformed-requests.js';
import type { RawAnswer } from './raw-exchange.js';

const ROWS: ErrorRow[] = Object.values(ERRORS);
const LEAKS = [/\n\s+at\s/, /node:internal/, /\/dist\//, /\/src\//, /file:\/\//, /FST_ERR/, /ERR_[A-Z_]+/, /"statusCode"/];

function errorMatches(row: ErrorRow, message: string): boolean {
  if (row.error === null) return false;
  if (!row.error.includes('{retry_after}')) return row.error === message;
  const [before, after] = row.error.split('{retry_after}') as [string, string];
  return message.startsWith(before) && message.endsWith(after) && /^\d+$/.test(message.slice(before.length, message.length - after.length));
}

/** The documented 200 of each route: a predicate over the parsed answer. */
function isDocumentedSuccess(testCase: FuzzCase, answer: RawAnswer, json: unknown): boolean {
  const { method } = testCase;
  // An absolute-form request target (`GET http://host/health`) names the same route as its path (RFC 9112 §3.2.2).
  const path = testCase.path.replace(/^https?:\/\/[^/]*/i, '');
  const object = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : undefined;
  if (method === 'HEAD') return ['/health', '/ready', '/metrics', '/whatsapp'].includes(path) && answer.body.length === 0;
  if (method === 'GET' && path === '/health') return object?.['status'] === 'ok';
  if (method === 'GET' && path === '/ready') return object?.['status'] === 'ready';
  if (method === 'GET' && path === '/metrics') return /^text\/plain/.test(answer.headers['content-type'] ?? '');
  if (method === 'GET' && path === '/whatsapp') return /^text\/plain/.test(answer.headers['content-type'] ?? '');
  if (method === 'POST' && path === '/whatsapp') return object?.['status'] === 'ok';
  if (method === 'POST' && path === '/webhook') return typeof object?.['response'] === 'string' && typeof object['model'] === 'string';
  if (method === 'POST' && path === '/pair') return object?.['paired'] === true;
  return false;
}

/** Undefined when the answer is documented; otherwise what is wrong with it. */
export function checkAnswer(testCase: FuzzCase, answer: RawAnswer): string | undefined {
  if (answer.timedOut) return 'no answer and no close within the time limit (hang)';
  // CONNECT is not routed by an HTTP server: Node closes the socket, which is a refusal, not a hang.
  if (answer.status === null) return testCase.method === 'CONNECT' ? undefined : 'connection closed without an answer';
  const text = answer.body.toString('utf8');
  for (const leak of LEAKS) if (leak.test(text)) return `body leaks internals (${leak}): ${text.slice(0, 300)}`;
  const type = answer.headers['content-type'] ?? '';
  let json: unknown;
  if (/^application\/json/.test(type) && testCase.method !== 'HEAD') {
    try {
      json = JSON.parse(text);
    } catch {
      return `invalid JSON body: ${text.slice(0, 200)}`;
    }
  }
  if (answer.status === 200) return isDocumentedSuccess(testCase, answer, json) ? undefined : `undocumented 200: ${text.slice(0, 200)}`;
  const rows = ROWS.filter((row) => row.status === answer.status);
  if (rows.length === 0) return `status ${answer.status} is in no row of ERRORS: ${text.slice(0, 200)}`;
  if (answer.body.length === 0) {
    // An empty body: the 408 row, or any row's status to a HEAD request.
    return rows.some((row) => row.error === null) || testCase.method === 'HEAD' ? undefined : `empty body for ${answer.status}`;
  }
  const object = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : undefined;
  const message = object !== undefined ? object['error'] : /^text\/plain/.test(type) ? text : undefined;
  if (typeof message !== 'string') return `body is not an error row (${type}): ${text.slice(0, 200)}`;
  const row = rows.find((r) => errorMatches(r, message) && (r.text === true) === (object === undefined));
  if (row === undefined) return `${answer.status} ${JSON.stringify(message)} is not the text of a row of ERRORS with that status`;
  if (object !== undefined) {
    for (const [key, value] of Object.entries(object)) {
      if (key === 'error') continue;
      if (key === 'retry_after' && Number.isInteger(value)) continue;
      if (row.fields !== undefined && key in row.fields && row.fields[key] === value) continue;
      return `unexpected field ${key} in ${text.slice(0, 200)}`;
    }
  }
  return undefined;
}
