import { table } from '../../../bench/support/report.ts';

/**
 * What the fuzz and security suites found in src/ and how each was fixed: kept with the tests
 * that would fail again if a fix were undone, and written into RELIABILITY.md with their figures.
 */
export interface Finding {
  readonly found: string;
  readonly effect: string;
  readonly fix: string;
}

export const FUZZ_FINDINGS: readonly Finding[] = [
  {
    found: 'NUL (`\\u0000`) in a query parameter, path or JSON field; a lone UTF-16 surrogate in a JSON field',
    effect:
      'PostgreSQL refuses the text (`invalid byte sequence`, `unsupported Unicode escape`): HTTP 500; over NATS the transaction failed and the message was redelivered forever, blocking the tenant',
    fix: '`src/service/storable.ts`: refused as `invalid` before any query — a `preValidation` hook for every request (`src/api/app.ts`), per item in `Service.applyItems`, the shop webhook body (`routes/mappings.ts`), a NATS message whole (`ingest/nats-payload.ts`)',
  },
  {
    found: 'JSON nested 5,000–100,000 levels deep',
    effect:
      'answered 4xx, but only because each path happened to stop early; any recursive step on the way (JSON.stringify of a NATS rejection, validators, jsonb) is a stack overflow waiting',
    fix: 'guarded: nesting deeper than 64 levels refused as `invalid` at the same places (an iterative check)',
  },
  {
    found: 'instants outside four-digit years (`0000-01`, `+275760-09-13T00:00:00Z`, `-271821-…`)',
    effect:
      'their ISO text is no PostgreSQL timestamp: HTTP 500 on reports, statements, member views, plans; an event with one failed its transaction (NATS: endless redelivery)',
    fix: '`src/domain/instants.ts`: instants between 1970 and 9000 only, checked in the event and plan schemas (`schema/primitives.ts`), report windows (`statements/calendar.ts`, `routes/reports.ts`), `asOf`, `effectiveFrom`, estimates',
  },
  {
    found: 'amounts beyond bigint (`"99999999999999999999.99"`, adjustments of −10^22 fen) and quantities up to 2^53',
    effect: '`value … is out of range for type bigint`: HTTP 500; over NATS a poison message',
    fix: '`schema/primitives.ts`: one amount at most 10^15 minor units (DOMAIN.md needs 10^13 exact), counts and quantities at most 1,000,000, refused as `invalid`',
  },
  {
    found: 'paths the router cannot decode (`%zz`, `%C0%AF`), ids over 100 characters in a path, unknown routes',
    effect:
      "Fastify's own bodies (`{statusCode, error, message}`), not the error schema; member ids of 101–128 characters (valid) could not be addressed at all (414)",
    fix: '`src/api/app.ts`: `frameworkErrors` and a not-found handler answer the error schema; `maxParamLength` 2048',
  },
  {
    found: 'a JSON object with 50,000 keys, or 1 MB strings, sent to routes that take a few fields',
    effect: 'about a second of CPU per request on any route (the 8 MB body limit applied everywhere)',
    fix: 'body limits per route (`src/api/app.ts`): 64 KB unless the route needs more (see Security)',
  },
];

export const SECURITY_FINDINGS: readonly Finding[] = [
  {
    found: 'request logging (`FENYONG_LOG=1`) wrote each request URL',
    effect: 'member ids in paths (shops use phone numbers as ids) and query values (searches) reached the logs',
    fix: 'requests are logged by method and route pattern only (`/v1/members/:id/payee`), with redaction of headers, query and body as a second guard',
  },
  {
    found: 'no rate limit',
    effect: 'one key (or anyone guessing keys) could take the whole server',
    fix: '`@fastify/rate-limit` 11.2.0 per key id (per address without a valid key, wrong keys counted), `FENYONG_RATE_LIMIT` / `FENYONG_RATE_LIMIT_WINDOW_SECONDS`, 429 `rate_limited` with Retry-After',
  },
  {
    found: 'an unknown or revoked key id returned before any comparison',
    effect: 'a timing difference between "no such key" and "wrong secret"',
    fix: '`src/service/keys.ts`: the same `timingSafeEqual` against a hash no secret has',
  },
  {
    found: 'one 8 MB body limit for every route, including unauthenticated shop webhooks (read before the signature check)',
    effect: 'large bodies accepted where a few fields are expected',
    fix: "per-route limits: 8 MB batches, 1 MB plans / tenants / simulations / shop webhooks, 2 MB payout batches, 256 KB estimates, 32 MB result files, 64 KB the rest; 413 names the route's limit",
  },
];

export function findingsTable(findings: readonly Finding[]): string {
  return table(
    ['found', 'effect', 'fix'],
    findings.map((f) => [f.found, f.effect, f.fix]),
  );
}
