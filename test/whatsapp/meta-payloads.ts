// Webhook bodies shaped like Meta's (wire-formats §4.3), Meta's JSON escaping, X-Hub-Signature-256, and a polling wait.
import { createHmac } from 'node:crypto';

export const APP_SECRET = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
export const VERIFY_TOKEN = 'my-verify-token-7f3a';
export const PHONE_NUMBER_ID = '106540352242922';
export const WABA_ID = '102290129340398';
export const ALLOWED_USER = '16505551234';
export const OTHER_USER = '14155550000';
export const BSUID = 'US.13491208655302741918';

let counter = 0;
/** A fresh wamid in Meta's style. */
export function wamid(label = 'msg'): string {
  counter += 1;
  return `wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQz${label}${String(counter).padStart(4, '0')}AA==`;
}

export type MetaMessage = Record<string, unknown> & { id: string; type: string };

/** One `value.messages[]` entry from `from` (digits), with the type-specific object. */
export function message(type: string, content: Record<string, unknown>, options: { from?: string | null; id?: string; fromUserId?: string } = {}): MetaMessage {
  const from = options.from === undefined ? ALLOWED_USER : options.from;
  return {
    ...(from !== null ? { from } : {}),
    ...(options.fromUserId !== undefined ? { from_user_id: options.fromUserId } : {}),
    id: options.id ?? wamid(type),
    timestamp: '1749416383',
    type,
    ...content,
  };
}

export const text = (body: string, options: Parameters<typeof message>[2] = {}) => message('text', { text: { body } }, options);

/** One `changes[]` item under field `messages`. */
export function change(value: { messages?: unknown[]; statuses?: unknown[]; contacts?: unknown[] }): Record<string, unknown> {
  return {
    field: 'messages',
    value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550783881', phone_number_id: PHONE_NUMBER_ID },
      ...value,
    },
  };
}

/** A whole webhook body: one entry per array of changes. */
export function webhook(...entries: Array<Array<Record<string, unknown>>>): Record<string, unknown> {
  return { object: 'whatsapp_business_account', entry: entries.map((changes) => ({ id: WABA_ID, changes })) };
}

/** The common case: one entry, one change, these messages, with a contacts block for the sender. */
export function messagesBody(...messages: MetaMessage[]): Record<string, unknown> {
  return webhook([
    change({
      contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: ALLOWED_USER }],
      messages,
    }),
  ]);
}

/** A delivery/read receipt for a message we sent. */
export function status(state: 'sent' | 'delivered' | 'read' | 'failed', errors?: unknown[]): Record<string, unknown> {
  return {
    id: wamid('out'),
    status: state,
    timestamp: '1749416400',
    recipient_id: ALLOWED_USER,
    ...(errors ? { errors } : { pricing: { billable: true, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' } }),
  };
}

/** JSON as Meta serialises it: every non-ASCII character escaped as \uXXXX (and "/" as "\/"). */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `sha256=<hex HMAC-SHA256 of the bytes>`, as Meta signs with the app secret. */
export function sign(raw: string | Buffer, secret = APP_SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
}

/** Polls `check` until it answers true, or fails after `timeoutMs` with `what`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
