// parseWebhookBody: Content-Type application/json and an object with a string `message` (spec §3 step 4).
import { z } from 'zod';
import { GatewayError } from './errors.js';

const webhookBodySchema = z.object({ message: z.string() });

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

/** The message of a webhook body, or GatewayError INVALID_JSON_BODY; parser details never reach the client. */
export function parseWebhookBody(contentType: string | undefined, body: unknown): string {
  if (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType.trim()) || !Buffer.isBuffer(body)) {
    throw new GatewayError('INVALID_JSON_BODY');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new GatewayError('INVALID_JSON_BODY');
  }
  // The usual body checked by hand (an own string `message` on a plain object); anything else is zod's to judge.
  if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.hasOwn(parsed, 'message')) {
    const message: unknown = (parsed as { message: unknown }).message;
    if (typeof message === 'string') return message;
  }
  const result = webhookBodySchema.safeParse(parsed);
  if (!result.success) throw new GatewayError('INVALID_JSON_BODY');
  return result.data.message;
}
