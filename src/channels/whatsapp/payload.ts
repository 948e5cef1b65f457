// zod schema of Meta's webhook body (wire-formats §4.3): parse, never cast; what each message gives the LLM.
import { z } from 'zod';
import type { ReplyAddress } from './inbox.js';

// Meta adds fields over time: every object keeps unknown keys out of the way (zod strips them) instead of failing.

const mediaSchema = z.object({ caption: z.string().optional() });

const interactiveSchema = z.object({
  type: z.string(),
  button_reply: z.object({ id: z.string().optional(), title: z.string() }).optional(),
  list_reply: z.object({ id: z.string().optional(), title: z.string(), description: z.string().optional() }).optional(),
});

/** One entry of `value.messages[]`. The type-specific objects are optional: only the one named by `type` is read. */
const messageSchema = z.object({
  id: z.string().min(1),
  /** The sender's phone number (digits); omitted when the user adopted a username and hid it (2026). */
  from: z.string().optional(),
  /** The business-scoped user id (BSUID, e.g. `US.13491208655302741918`), present since 2026. */
  from_user_id: z.string().optional(),
  timestamp: z.string().optional(),
  type: z.string().min(1),
  text: z.object({ body: z.string() }).optional(),
  interactive: interactiveSchema.optional(),
  button: z.object({ text: z.string(), payload: z.string().optional() }).optional(),
  image: mediaSchema.optional(),
  video: mediaSchema.optional(),
  document: mediaSchema.optional(),
});

const contactSchema = z.object({
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
});

const statusSchema = z.object({
  id: z.string(),
  status: z.string(),
  errors: z.array(z.object({ code: z.number(), title: z.string().optional() })).optional(),
});

const valueSchema = z.object({
  metadata: z.object({ phone_number_id: z.string() }).optional(),
  contacts: z.array(z.unknown()).optional(),
  // Each message and status is parsed on its own: one odd entry must not hide the others.
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.object({ code: z.number(), title: z.string().optional() })).optional(),
});

const changeSchema = z.object({ field: z.string().optional(), value: z.unknown() });

const webhookSchema = z.object({
  object: z.string(),
  entry: z.array(z.object({ id: z.string().optional(), changes: z.array(z.unknown()).optional() })),
});

/** Meta's message types (wire-formats §4.3): anything else is counted as `other`, keeping the metric's labels bounded. */
const KNOWN_MESSAGE_TYPES: ReadonlySet<string> = new Set([
  'text', 'interactive', 'button', 'image', 'video', 'document', 'audio', 'sticker', 'location', 'reaction',
  'contacts', 'order', 'system', 'request_welcome', 'unsupported', 'unknown',
]);

/** The `whatsapp_messages_in_total{type}` label of a message type. */
export function messageTypeLabel(type: string): string {
  return KNOWN_MESSAGE_TYPES.has(type) ? type : 'other';
}

/** One inbound message as delivered, before the route stamps it and queues it. */
export interface DeliveredMessage {
  wamid: string;
  /** Meta's type: the `whatsapp_messages_in_total{type}` label. */
  type: string;
  /** `+<digits>` when Meta sent the phone number, else the BSUID. */
  sender: string;
  replyTo: ReplyAddress;
  /** What the LLM is given, or null for types that are only acknowledged and counted (audio, sticker, ...). */
  text: string | null;
  timestamp: string;
  phoneNumberId: string;
}

/** A delivery's messages (in payload order) and the other things it carried. */
export interface WhatsAppDelivery {
  /** False when the JSON is not a WhatsApp Business Account webhook at all (nothing to do, still acknowledged). */
  recognised: boolean;
  messages: DeliveredMessage[];
  /** Outbound status updates (`value.statuses[]`): counted, never answered. */
  statuses: number;
  /** Failed-delivery and webhook-level errors Meta reported, by Meta code (logged by the route). */
  errorCodes: number[];
  /** Messages that could not be used: malformed, or with no sender to answer. */
  skipped: number;
}

/**
 * Turns the JSON of a POST /whatsapp into the messages to count and queue, in the order Meta sent them
 * (`entry[]`, then `changes[]`, then `messages[]`). Never throws: anything unexpected is skipped and counted.
 */
export function parseWhatsAppPayload(json: unknown): WhatsAppDelivery {
  const delivery: WhatsAppDelivery = { recognised: false, messages: [], statuses: 0, errorCodes: [], skipped: 0 };
  const webhook = webhookSchema.safeParse(json);
  if (!webhook.success || webhook.data.object !== 'whatsapp_business_account') return delivery;
  delivery.recognised = true;

  for (const entry of webhook.data.entry) {
    for (const rawChange of entry.changes ?? []) {
      const change = changeSchema.safeParse(rawChange);
      // Only the `messages` field carries messages and statuses; account/template updates are not ours.
      if (!change.success || (change.data.field !== undefined && change.data.field !== 'messages')) continue;
      const value = valueSchema.safeParse(change.data.value);
      if (!value.success) {
        delivery.skipped += 1;
        continue;
      }
      collectValue(value.data, delivery);
    }
  }
  return delivery;
}

function collectValue(value: z.infer<typeof valueSchema>, delivery: WhatsAppDelivery): void {
  const phoneNumberId = value.metadata?.phone_number_id ?? '';
  const contacts = (value.contacts ?? []).flatMap((raw) => {
    const contact = contactSchema.safeParse(raw);
    return contact.success ? [contact.data] : [];
  });
  for (const error of value.errors ?? []) delivery.errorCodes.push(error.code);

  for (const raw of value.messages ?? []) {
    const message = messageSchema.safeParse(raw);
    const address = message.success ? senderOf(message.data, contacts) : null;
    if (!message.success || address === null) {
      delivery.skipped += 1;
      continue;
    }
    delivery.messages.push({
      wamid: message.data.id,
      type: message.data.type,
      ...address,
      text: textOf(message.data),
      timestamp: message.data.timestamp ?? '',
      phoneNumberId,
    });
  }

  for (const raw of value.statuses ?? []) {
    delivery.statuses += 1;
    const status = statusSchema.safeParse(raw);
    if (status.success) for (const error of status.data.errors ?? []) delivery.errorCodes.push(error.code);
  }
}

/**
 * Who sent the message and where the answer goes: the phone number when Meta gave one (`from`), else the
 * business-scoped user id (`from_user_id`); a value with a single contact lends its `wa_id` / `user_id` to a
 * message that carries neither. Null when there is nobody to answer.
 */
function senderOf(
  message: z.infer<typeof messageSchema>,
  contacts: Array<z.infer<typeof contactSchema>>,
): { sender: string; replyTo: ReplyAddress } | null {
  const only = contacts.length === 1 ? contacts[0] : undefined;
  const digits = normalisePhoneDigits(message.from ?? only?.wa_id ?? '');
  if (digits !== '') return { sender: `+${digits}`, replyTo: { kind: 'phone', digits } };
  const userId = (message.from_user_id ?? only?.user_id ?? '').trim();
  if (userId !== '') return { sender: userId, replyTo: { kind: 'bsuid', userId } };
  return null;
}

/** The digits of a phone number as written anywhere (`+1 (650) 555-1234` → `16505551234`). */
export function normalisePhoneDigits(value: string): string {
  return value.replace(/\D/g, '');
}

/** spec §5: text as is; button/list titles and template button texts; media captions. Blank counts as nothing. */
function textOf(message: z.infer<typeof messageSchema>): string | null {
  let text: string | undefined;
  switch (message.type) {
    case 'text':
      text = message.text?.body;
      break;
    case 'interactive':
      text = message.interactive?.button_reply?.title ?? message.interactive?.list_reply?.title;
      break;
    case 'button':
      text = message.button?.text;
      break;
    case 'image':
    case 'video':
    case 'document':
      text = message[message.type]?.caption;
      break;
    default:
      text = undefined;
  }
  return text !== undefined && text.trim() !== '' ? text : null;
}
