// GET /whatsapp: Meta's verification handshake; POST /whatsapp: signature, parse, persist to the inbox, then ack (spec §5).
// Loaded by whatsapp.ts only when the channel is configured.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { WhatsAppChannel } from '../../channels/whatsapp/create-whatsapp-channel.js';
import type { InboundMessage } from '../../channels/whatsapp/inbox.js';
import { messageTypeLabel, parseWhatsAppPayload } from '../../channels/whatsapp/payload.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { verifyHubSignature } from '../../security/signatures.js';
import { hexDigestsEqual, sha256Hex } from '../../security/tokens.js';
import { GatewayError } from '../errors.js';
import { headerValue } from '../request-context.js';

export interface WhatsAppWebhookDeps {
  channel: WhatsAppChannel;
  metrics: Metrics;
  logger: Logger;
}

/** fastify's query parser gives a string per name, or an array when the name repeats. */
const querySchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

export function registerWhatsAppWebhookRoutes(app: FastifyInstance, deps: WhatsAppWebhookDeps): void {
  const { channel, metrics, logger } = deps;
  // Hashed once: the comparison then runs over two equal-length digests, in constant time.
  const verifyTokenHash =
    channel.verifyToken !== undefined && channel.verifyToken !== '' ? sha256Hex(channel.verifyToken) : null;

  // Never log request.url here: its query string holds the verify token (the server logs routes only).
  app.get('/whatsapp', async (request, reply) => {
    const query = querySchema.safeParse(request.query);
    const param = (name: string): string | undefined => (query.success ? first(query.data[name]) : undefined);
    const token = param('hub.verify_token');
    const tokenMatches = verifyTokenHash !== null && token !== undefined && hexDigestsEqual(sha256Hex(token), verifyTokenHash);
    if (param('hub.mode') !== 'subscribe' || !tokenMatches) {
      logger.warn({ route: '/whatsapp' }, 'WhatsApp verification refused: wrong mode or verify token');
      throw new GatewayError('WHATSAPP_FORBIDDEN_TEXT');
    }
    const challenge = param('hub.challenge');
    if (challenge === undefined) throw new GatewayError('WHATSAPP_MISSING_CHALLENGE_TEXT');
    logger.info({ route: '/whatsapp' }, 'WhatsApp webhook verified by Meta');
    return reply.type('text/plain; charset=utf-8').send(challenge);
  });

  app.post('/whatsapp', async (request) => {
    if (channel.appSecret === undefined) throw new GatewayError('WHATSAPP_APP_SECRET_REQUIRED');
    // The HMAC is over the exact bytes Meta sent (it escapes non-ASCII as \uXXXX): never over re-serialised JSON.
    const raw = rawBody(request);
    if (!verifyHubSignature(raw, headerValue(request, 'x-hub-signature-256'), channel.appSecret)) {
      logger.warn({ route: '/whatsapp', bytes: raw.length }, 'WhatsApp delivery refused: invalid signature');
      throw new GatewayError('INVALID_SIGNATURE');
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8')) as unknown;
    } catch {
      throw new GatewayError('INVALID_JSON_PAYLOAD');
    }

    const delivery = parseWhatsAppPayload(json);
    if (!delivery.recognised) logger.warn({ route: '/whatsapp' }, 'WhatsApp delivery is not a whatsapp_business_account webhook: ignored');
    if (delivery.skipped > 0) logger.warn({ skipped: delivery.skipped }, 'WhatsApp delivery: messages without a usable id or sender skipped');
    if (delivery.errorCodes.length > 0) logger.warn({ metaCodes: delivery.errorCodes }, 'WhatsApp delivery reports errors');

    const receivedAtMs = Date.now();
    const forLlm: InboundMessage[] = [];
    for (const message of delivery.messages) {
      if (message.text === null) continue;
      const { text, ...rest } = message;
      forLlm.push({ ...rest, text, receivedAtMs });
    }
    let duplicates = new Set<string>();
    if (forLlm.length > 0) {
      try {
        // Durable before the 200: from here on a crash cannot lose these messages (spec §5).
        const result = await channel.inbox.enqueue(forLlm);
        duplicates = new Set(result.duplicates);
        if (result.queued.length > 0) channel.worker?.wake();
        if (result.duplicates.length > 0) logger.info({ wamids: result.duplicates }, 'WhatsApp redelivery: already queued or answered');
      } catch (err) {
        // Not acknowledged, so Meta delivers it again later.
        logger.error({ err: err instanceof Error ? err.message : String(err) }, 'WhatsApp inbox refused the delivery');
        throw new GatewayError('STATE_UNAVAILABLE');
      }
    }
    for (const message of delivery.messages) {
      if (!duplicates.has(message.wamid)) metrics.whatsappMessagesIn.inc({ type: messageTypeLabel(message.type) });
    }
    if (delivery.statuses > 0) metrics.whatsappMessagesIn.inc({ type: 'status' }, delivery.statuses);
    return { status: 'ok' };
  });
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The body as the catch-all buffer parser read it; empty when the request had none. */
function rawBody(request: FastifyRequest): Buffer {
  return Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
}
