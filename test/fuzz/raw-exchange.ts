// One request over a raw socket and the answer as bytes: status, headers and body, or what went wrong (no answer,
// no end). Enough HTTP/1.1 parsing for the gateway's answers: Content-Length, chunked, HEAD, 100 Continue.
import { createConnection } from 'node:net';

export interface RawAnswer {
  /** null when the connection closed before a status line arrived. */
  status: number | null;
  headers: Record<string, string>;
  body: Buffer;
  /** True when neither a complete answer nor a close came within the time limit. */
  timedOut: boolean;
}

interface Parsed {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  complete: boolean;
}

function parse(data: Buffer, method: string): Parsed | null {
  let offset = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', offset);
    if (end === -1) return null;
    const lines = data.subarray(offset, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? NaN);
    if (!Number.isInteger(status)) return { status: NaN, headers: {}, body: data.subarray(offset), complete: true };
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const rest = data.subarray(end + 4);
    if (status === 100) {
      offset = end + 4;
      continue;
    }
    if (method === 'HEAD' || status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0), complete: true };
    const length = headers['content-length'];
    if (length !== undefined) {
      const n = Number(length);
      return { status, headers, body: rest.subarray(0, n), complete: rest.length >= n };
    }
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const chunks: Buffer[] = [];
      let at = 0;
      for (;;) {
        const lineEnd = rest.indexOf('\r\n', at);
        if (lineEnd === -1) return { status, headers, body: Buffer.concat(chunks), complete: false };
        const size = parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
        if (size === 0) return { status, headers, body: Buffer.concat(chunks), complete: true };
        if (rest.length < lineEnd + 2 + size + 2) return { status, headers, body: Buffer.concat(chunks), complete: false };
        chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
      }
    }
    return { status, headers, body: rest, complete: false };
  }
}

/** Writes `raw` to host:port and reads one answer (complete, or everything until the server closes). */
export function exchange(host: string, port: number, raw: Buffer, method: string, timeoutMs: number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    let data = Buffer.alloc(0);
    let settled = false;
    const finish = (timedOut: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const parsed = parse(data, method);
      if (parsed === null) return resolve({ status: null, headers: {}, body: data, timedOut });
      resolve({ status: parsed.status, headers: parsed.headers, body: parsed.body, timedOut: timedOut && !parsed.complete });
    };
    const timer = setTimeout(() => finish(true), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (parse(data, method)?.complete) finish(false);
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('connect', () => socket.write(raw, () => undefined));
  });
}
