import { z } from 'zod';
import { ERROR_CODES } from '../domain/errors.ts';

/** The one error body every endpoint answers with (shown in the OpenAPI document). */
export const errorBody = z
  .object({
    error: z.object({
      code: z
        .enum([
          ...ERROR_CODES,
          'unauthorized',
          'forbidden',
          'not_found',
          'too_large',
          'rate_limited',
          'storage_unavailable',
          'internal',
        ])
        .describe('stable error code'),
      message: z.string().describe('what went wrong and how to fix it'),
      path: z
        .array(z.union([z.string(), z.number()]))
        .optional()
        .describe('path of the offending field'),
    }),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBody>;
export type ApiErrorCode = ErrorBody['error']['code'];

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly path?: (string | number)[],
  ) {
    super(message);
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.path ? { path: this.path } : {}) } };
  }
}

/**
 * The error answers any route may give: 409 a state that refuses the request (a conflict, a
 * cycle, a withdrawal the payer holds), 413 a body over its limit, 429 over the rate limit.
 */
export const errorResponses = {
  400: errorBody,
  401: errorBody,
  403: errorBody,
  404: errorBody,
  409: errorBody,
  413: errorBody,
  422: errorBody,
  429: errorBody,
} as const;
