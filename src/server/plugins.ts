import { startNats } from '../ingest/nats-starter.ts';
import type { Starter } from './start.ts';
import { startWebhooks } from './webhook-starter.ts';

/**
 * Optional server parts, each started with the server and stopped with it (NATS consumer,
 * webhook dispatcher, …). One line per part.
 */
export const starters: Starter[] = [startNats, startWebhooks];
