import { z } from 'zod';
import { ERROR_CODES, type EngineError } from '../domain/errors.ts';

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

/**
 * The HTTP status of every error code: one status per code, on every route (docs/integration.md,
 * "Errors and HTTP statuses", shows the same table; test/api/errors.test.ts holds the routes to
 * it). An integrator can tell the status from the code and the code from what went wrong:
 *
 * - 400 `invalid`: the request itself is wrong: its shape, a field's format or range, or a value
 *   a rule refuses for what it is (a role that does not fit, a plan with refuse findings). Schema
 *   errors always answered 400; fix the request before sending it again.
 * - 401 `unauthorized`, 403 `forbidden`: no valid credential; a credential whose scope does not allow it.
 * - 404 `not_found`: the URL names nothing: no such member, withdrawal, batch, key, webhook,
 *   mapping or tenant in the path, award in /v1/awards/explain's query, or no such route. Only the
 *   URL: an unknown id in the body is 422 with the code of what it names (engineRefusal).
 * - 409 `conflict`, `cycle`: the request clashes with what exists: an id already used for other
 *   content, a region another member holds, a withdrawal already past that step or held by the
 *   payer, the last admin key, a move that would make a member its own ancestor. Sent again
 *   unchanged it fails the same until that state changes.
 * - 413 `too_large`: a body over its size limit, or a simulation over its limits.
 * - 422 `unknown_member`, `unknown_order`, `unknown_withdrawal`, `refund_exceeds_paid`,
 *   `below_minimum`, `insufficient_funds`, `limit_exceeded`: the request is well formed but the
 *   body names something the tenant does not know, or an amount the order, the ledger or the plan
 *   does not allow.
 * - 429 `rate_limited`: over the rate limit (Retry-After).
 * - 500 `internal`: a fault of fenyong; nothing was applied.
 * - 503 `storage_unavailable`: the database cannot be reached; nothing was applied (Retry-After).
 *
 * HTTP's own statuses for three refusals made before any route runs keep their code
 * (TRANSPORT_STATUSES): 414 `too_large`, 415 `invalid`, 507 `storage_unavailable`.
 */
export const STATUS_OF_CODE = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  cycle: 409,
  too_large: 413,
  unknown_member: 422,
  unknown_order: 422,
  unknown_withdrawal: 422,
  refund_exceeds_paid: 422,
  below_minimum: 422,
  insufficient_funds: 422,
  limit_exceeded: 422,
  rate_limited: 429,
  internal: 500,
  storage_unavailable: 503,
} as const satisfies Record<ApiErrorCode, number>;

/** The HTTP status every route answers `code` with (STATUS_OF_CODE). */
export function statusOf(code: ApiErrorCode): number {
  return STATUS_OF_CODE[code];
}

/**
 * The longest path parameter the router takes (its default is 100): ids are up to 128 characters,
 * each up to 12 bytes percent-encoded. A longer one is `414 too_large` (TRANSPORT_STATUSES).
 */
export const MAX_PARAM_LENGTH = 2048;

/** The answer to a path parameter longer than MAX_PARAM_LENGTH (414). */
export const PARAM_TOO_LONG: ErrorBody = { error: { code: 'too_large', message: 'a path parameter is too long' } };

/** The answer to a request no route takes (404): its method and path, the path cut to 200 characters. */
export function noRoute(method: string, url: string): ErrorBody {
  return { error: { code: 'not_found', message: `no route ${method} ${url.split('?')[0]!.slice(0, 200)}` } };
}

/**
 * Refusals answered before any route runs, with the status HTTP has for them rather than their
 * code's (a proxy or an HTTP library knows these); the code stays the same.
 */
export const TRANSPORT_STATUSES = [
  { status: 414, code: 'too_large', when: 'a path parameter longer than the router takes (routes with one)' },
  { status: 415, code: 'invalid', when: 'a body sent with another content type than the route reads, JSON (routes taking one)' },
  { status: 507, code: 'storage_unavailable', when: "the database's disk has less free space than its reserve" },
] as const satisfies readonly { status: number; code: ApiErrorCode; when: string }[];

export class ApiError extends Error {
  /** Prefer `ApiError.of(code, …)`: the status then follows the code (STATUS_OF_CODE). */
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly path?: (string | number)[],
  ) {
    super(message);
  }

  /** An error answered with its code's status (STATUS_OF_CODE). */
  static of(code: ApiErrorCode, message: string, path?: readonly (string | number)[]): ApiError {
    return new ApiError(statusOf(code), code, message, path ? [...path] : undefined);
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.path ? { path: this.path } : {}) } };
  }
}

/**
 * An engine refusal as an HTTP error, by STATUS_OF_CODE. `inUrl` names the event fields the route
 * filled from its URL (`member` for /v1/members/:id/move): an unknown reference there means the
 * URL names nothing, 404 `not_found`; an unknown reference in the body stays 422 with its own code.
 */
export function engineRefusal(error: EngineError, inUrl: readonly string[] = []): ApiError {
  const { code, message, path } = error;
  if (code.startsWith('unknown_') && path?.length === 1 && inUrl.includes(String(path[0])))
    return ApiError.of('not_found', message);
  return ApiError.of(code, message, path);
}

/** What each error status of the table means, for the OpenAPI document. */
const MEANING: Readonly<Record<number, string>> = {
  400: 'the request is not valid (its shape, a field, a value a rule refuses for what it is)',
  401: 'no valid API key, member token or signature',
  403: "the credential's scope does not allow this",
  404: 'the URL names nothing (a member, withdrawal, batch, key, webhook, mapping, tenant or award); an unknown id in the body is 422',
  409: 'the request clashes with what exists (an id used for other content, a holder, a status, a loop in the network)',
  413: 'a body over its size limit, or a simulation over its limits',
  422: 'the body names something unknown, or an amount the order, ledger or plan does not allow',
  429: 'over the rate limit; retry after Retry-After',
  500: 'a fault of fenyong; nothing was applied',
  503: 'the database cannot be reached; nothing was applied, retry after Retry-After',
};

/** Every status an error is answered with. */
type ErrorStatus = (typeof STATUS_OF_CODE)[ApiErrorCode] | (typeof TRANSPORT_STATUSES)[number]['status'];

/** One OpenAPI response per status: its meaning and the codes it carries, from STATUS_OF_CODE and TRANSPORT_STATUSES. */
function describedResponses(): Record<ErrorStatus, typeof errorBody> {
  const codes = new Map<number, string[]>();
  for (const [code, status] of Object.entries(STATUS_OF_CODE)) codes.set(status, [...(codes.get(status) ?? []), code]);
  const responses: Record<number, typeof errorBody> = {};
  for (const [status, of] of [...codes].sort(([a], [b]) => a - b))
    responses[status] = errorBody.describe(`${of.join(', ')}: ${MEANING[status] ?? ''}`);
  for (const { status, code, when } of TRANSPORT_STATUSES) responses[status] = errorBody.describe(`${code}: ${when}`);
  return responses as Record<ErrorStatus, typeof errorBody>;
}

/**
 * The error answers any route may give, each status with the codes it carries (STATUS_OF_CODE,
 * one status per code) and the transport refusals (TRANSPORT_STATUSES).
 */
export const errorResponses = describedResponses();
