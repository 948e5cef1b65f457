// Fake Meta Graph API (real node:http on port 0): records sends, answers like Meta, can fail with Meta's error body.
import {
  startFakeVendorServer,
  type FakeHandler,
  type FakeReply,
  type FakeVendorServer,
  type RecordedRequest,
} from './fake-vendor-server.js';

export type { FakeHandler, FakeReply, RecordedRequest };

export interface FakeGraphServer extends FakeVendorServer {
  /** The access token the default handler accepts (others get Meta's 401, code 190). */
  readonly accessToken: string;
  /** Every accepted-or-not send request to `/{version}/{phone_number_id}/messages`, as `{to, recipient, body}`. */
  sends(): SentText[];
  /** Answers the next `replies.length` sends with these replies in order, then goes back to the default. */
  replyInOrder(replies: FakeReply[]): void;
}

export interface SentText {
  path: string;
  to: string | undefined;
  recipient: string | undefined;
  body: string | undefined;
}

let traceCounter = 0;

/**
 * Meta's Graph API error reply: `{"error":{message,type,code,error_subcode,error_data,fbtrace_id}}`
 * (Graph API error-handling guide; whatsapp-api-js `ServerErrorResponse`).
 */
export function graphError(
  status: number,
  code: number,
  message: string,
  options: { subcode?: number; type?: string; details?: string; headers?: Record<string, string> } = {},
): FakeReply {
  traceCounter += 1;
  return {
    status,
    body: {
      error: {
        message,
        type: options.type ?? 'OAuthException',
        code,
        ...(options.subcode !== undefined ? { error_subcode: options.subcode } : {}),
        error_data: { messaging_product: 'whatsapp', details: options.details ?? message },
        fbtrace_id: `AbCdEfGh${traceCounter}`,
      },
    },
    ...(options.headers ? { headers: options.headers } : {}),
  };
}

/** Meta's usual failures, as the Graph API sends them. */
export const GRAPH_ERRORS = {
  throughput: () => graphError(429, 130429, '(#130429) Rate limit hit', { details: 'Cloud API message throughput has been reached.' }),
  serverError: () => graphError(500, 131000, '(#131000) Something went wrong', { details: 'Something went wrong' }),
  windowClosed: () =>
    graphError(400, 131047, '(#131047) Re-engagement message', {
      details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
    }),
  invalidParameter: () => graphError(400, 100, '(#100) Invalid parameter'),
  expiredToken: () => graphError(401, 190, 'Error validating access token: Session has expired.', { subcode: 463 }),
} as const;

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

function textOf(body: unknown): string | undefined {
  const text = field(body, 'text');
  const value = field(text, 'body');
  return typeof value === 'string' ? value : undefined;
}

/** `[/prefix]/v23.0/<phone_number_id>/messages`. */
const MESSAGES_PATH = /\/v\d+\.\d+\/[^/]+\/messages$/;

export async function startFakeGraphServer(options: { accessToken?: string } = {}): Promise<FakeGraphServer> {
  const accessToken = options.accessToken ?? 'EAAG-test-access-token';
  let outCounter = 0;
  const queued: FakeReply[] = [];

  /** Meta's success answer, after the checks Meta makes on every send. */
  const graphDefault: FakeHandler = (req) => {
    if (req.method !== 'POST' || !MESSAGES_PATH.test(req.path.split('?')[0] ?? '')) {
      return graphError(400, 100, `Unsupported post request. Object with ID does not exist: ${req.path}`, { type: 'GraphMethodException', subcode: 33 });
    }
    if (req.headers['authorization'] !== `Bearer ${accessToken}`) return GRAPH_ERRORS.expiredToken();
    const to = field(req.body, 'to');
    const recipient = field(req.body, 'recipient');
    const body = textOf(req.body);
    if (field(req.body, 'messaging_product') !== 'whatsapp') {
      return graphError(400, 100, '(#100) The parameter messaging_product is required.');
    }
    if (typeof to !== 'string' && typeof recipient !== 'string') return graphError(400, 100, '(#100) The parameter to is required.');
    if (body === undefined || body.length === 0 || body.length > 4096) {
      return graphError(400, 100, '(#100) Param text[\'body\'] must be between 1 and 4096 characters long.');
    }
    outCounter += 1;
    const input = typeof to === 'string' ? to : (recipient as string);
    return {
      body: {
        messaging_product: 'whatsapp',
        contacts: [typeof to === 'string' ? { input, wa_id: to } : { input, user_id: recipient }],
        messages: [{ id: `wamid.OUT${String(outCounter).padStart(6, '0')}` }],
      },
    };
  };

  const handler: FakeHandler = (req) => {
    const next = queued.shift();
    return next ?? graphDefault(req);
  };

  const server = await startFakeVendorServer({ pathPrefix: '', defaultHandler: handler });
  return {
    ...server,
    accessToken,
    sends() {
      return server.requests
        .filter((req) => req.method === 'POST' && req.path.endsWith('/messages'))
        .map((req) => {
          const to = field(req.body, 'to');
          const recipient = field(req.body, 'recipient');
          return {
            path: req.path,
            to: typeof to === 'string' ? to : undefined,
            recipient: typeof recipient === 'string' ? recipient : undefined,
            body: textOf(req.body),
          };
        });
    },
    replyInOrder(replies) {
      queued.push(...replies);
    },
    reset() {
      queued.length = 0;
      server.reset();
    },
  };
}
