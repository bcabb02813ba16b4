import { WebhookDispatcher } from '../service/webhooks.ts';
import type { Starter } from './start.ts';

/** Delivers the outbox to webhooks (always on; every FENYONG_WEBHOOK_SECONDS, default 1 s). */
export const startWebhooks: Starter = async ({ config, service, log }) => {
  const dispatcher = new WebhookDispatcher(service.sql, {
    intervalMs: config.webhookIntervalMs ?? 1000,
    // Another instance may have added the tenant's first webhook: its events need outbox rows here too.
    beforePass: () => service.loadNotifying(),
    onError: (error) => log(`webhooks: ${String(error)}`),
  });
  dispatcher.start();
  return () => dispatcher.stop();
};
