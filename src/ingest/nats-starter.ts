import type { Starter } from '../server/start.ts';
import { NatsIngest } from './nats.ts';

/** The server part consuming NATS JetStream, on when NATS_URL is set. */
export const startNats: Starter = async ({ config, service, log }) => {
  if (!config.natsUrl) return async () => undefined;
  const ingest = await NatsIngest.start(service, { url: config.natsUrl, ...config.nats }, log);
  return () => ingest.stop();
};
