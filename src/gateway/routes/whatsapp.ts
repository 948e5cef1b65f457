// /whatsapp (spec §5): the webhook routes of a configured channel, or two routes that answer 404 without one.
import type { FastifyInstance } from 'fastify';
import type { WhatsAppChannel } from '../../channels/whatsapp/create-whatsapp-channel.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { GatewayError } from '../errors.js';

export interface WhatsAppRouteDeps {
  /** Null when `[channels_config.whatsapp]` is not configured: both methods answer 404. */
  channel: WhatsAppChannel | null;
  metrics: Metrics;
  logger: Logger;
}

/**
 * The webhook routes (payload schemas, signature checks) are imported only for a configured channel: a gateway
 * without WhatsApp saves ~20 ms of startup.
 */
export async function registerWhatsAppRoutes(app: FastifyInstance, deps: WhatsAppRouteDeps): Promise<void> {
  const { channel } = deps;
  if (channel === null) {
    app.get('/whatsapp', async () => {
      throw new GatewayError('WHATSAPP_NOT_CONFIGURED_TEXT');
    });
    app.post('/whatsapp', async () => {
      throw new GatewayError('WHATSAPP_NOT_CONFIGURED');
    });
    return;
  }
  const { registerWhatsAppWebhookRoutes } = await import('./whatsapp-webhook.js');
  registerWhatsAppWebhookRoutes(app, { ...deps, channel });
}
