import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.ts';

/** At most `max` requests per `windowMs` for one API key (or, without a valid key, one address). */
export interface RateLimitOptions {
  readonly max: number;
  readonly windowMs: number;
}

export type Limiter = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * The per-key rate limit (@fastify/rate-limit, in memory: per instance). Counted after the key is
 * checked, so that a client is limited by its key's id however many addresses it uses; requests
 * without a valid key (a shop's signed webhook, the platform token, wrong keys) count against their
 * address, so that guessing keys is limited too. Over the limit: 429 in the error schema, with
 * Retry-After. Null (no limit) when `max` is 0.
 */
export async function rateLimiter(app: FastifyInstance, options: RateLimitOptions | undefined): Promise<Limiter | null> {
  if (!options || options.max <= 0) return null;
  await app.register(fastifyRateLimit, { global: false });
  const seconds = options.windowMs / 1000;
  const limiter = app.rateLimit({
    max: options.max,
    timeWindow: options.windowMs,
    keyGenerator: (request) =>
      request.apiKey ? `key:${request.apiKey.id}` : request.memberToken ? `token:${request.memberToken.id}` : `ip:${request.ip}`,
    errorResponseBuilder: (request, context) =>
      new ApiError(
        429,
        'rate_limited',
        `too many requests: at most ${options.max} in ${seconds} s for ${request.apiKey ? 'this key' : request.memberToken ? 'this member token' : 'this address'}; retry in ${context.after}`,
      ),
  });
  return async (request, reply) => {
    await limiter.call(app, request, reply);
  };
}
