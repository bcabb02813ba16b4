import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from './app.ts';

export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawServerDefault extends never ? never : RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;
export type Register = (app: TypedApp, context: RouteContext) => void;

/** An instant given by the caller, or now. */
export const optionalAt = z.string().optional().describe('ISO 8601 instant; defaults to now');

export const moneyString = z.string().describe('decimal amount in the tenant currency, e.g. "119.80"');
