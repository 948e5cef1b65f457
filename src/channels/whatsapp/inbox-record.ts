// The stored form of inbox records (JSON text in SQLite or Redis): written by encode*, read back through zod, never cast.
import { z } from 'zod';
import type { InboundMessage, JobProgress } from './inbox.js';

const replyAddressSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('phone'), digits: z.string().regex(/^\d+$/) }),
  z.object({ kind: z.literal('bsuid'), userId: z.string().min(1) }),
]);

const inboundMessageSchema = z.object({
  wamid: z.string().min(1),
  sender: z.string().min(1),
  replyTo: replyAddressSchema,
  type: z.string().min(1),
  text: z.string().min(1),
  phoneNumberId: z.string(),
  timestamp: z.string(),
  receivedAtMs: z.number(),
}) satisfies z.ZodType<InboundMessage>;

const jobProgressSchema = z.object({
  reply: z.string(),
  chunksSent: z.number().int().min(0),
}) satisfies z.ZodType<JobProgress>;

/** Thrown when a stored record does not read back as one (a damaged file, or one written by a newer version). */
export class InboxRecordError extends Error {
  override name = 'InboxRecordError';
}

export function encodeInboundMessage(message: InboundMessage): string {
  return JSON.stringify(inboundMessageSchema.parse(message));
}

export function decodeInboundMessage(text: string): InboundMessage {
  return decode(inboundMessageSchema, text, 'message');
}

export function encodeJobProgress(progress: JobProgress): string {
  return JSON.stringify(jobProgressSchema.parse(progress));
}

export function decodeJobProgress(text: string): JobProgress {
  return decode(jobProgressSchema, text, 'progress');
}

function decode<T>(schema: z.ZodType<T>, text: string, what: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (err) {
    throw new InboxRecordError(`stored WhatsApp ${what} is not JSON`, { cause: err });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new InboxRecordError(`stored WhatsApp ${what} has an unexpected shape`, { cause: parsed.error });
  return parsed.data;
}
