import type { FastifyInstance } from 'fastify';
import { errorSchemaProblem, itemResultProblems } from './errors.ts';
import { APPLIED_EVENTS, changedTables, type StateDigest } from './state.ts';

/** One request as the fuzzer sends it: raw enough to carry anything (any bytes, any content type). */
export interface RawRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** Sent as is: a string or bytes (already serialised), or nothing. */
  readonly payload?: string | Buffer;
}

export interface ProbeResult {
  readonly status: number;
  readonly text: string;
  /** Everything wrong with the answer: a 5xx, a body outside the error schema, a write on a refusal. */
  readonly problems: string[];
}

/** Tables a refusal may still write: a refused event is recorded with its error (that is the point; GET /v1/events/rejected). */
const REFUSAL_LOG = ['rejected_events'];

/** Whether every item of a batch answer was refused or a duplicate (nothing applied). */
function nothingApplied(status: number, text: string): boolean {
  if (status !== 200) return false;
  try {
    const results = (JSON.parse(text) as { results?: { status: string }[] }).results;
    return Array.isArray(results) && results.every((r) => r.status !== 'accepted');
  } catch {
    return false;
  }
}

/** What letting time pass writes: its log entry, the tenant's position, settlements and their notifications. */
const TIME_PASSING = ['events', 'tenants', 'postings', 'awards', 'balances', 'withdrawals', 'outbox', 'webhook_deliveries'];

const TIMEOUT_MS = 30_000;

/**
 * Sends a request and checks the answer against what hostile input must get: never a 5xx (nor a
 * hang), a 4xx always in the one error schema with a stable code, item refusals with stable codes,
 * and no write at all when the request was refused (state digests before and after).
 */
export class Prober {
  private last: StateDigest | null = null;
  constructor(
    private readonly app: FastifyInstance,
    private readonly digest: () => Promise<StateDigest>,
  ) {}

  async probe(request: RawRequest): Promise<ProbeResult> {
    const before = (this.last ??= await this.digest());
    let timer: NodeJS.Timeout | undefined;
    const response = await Promise.race([
      this.app.inject({
        method: request.method,
        url: request.url,
        headers: request.headers ?? {},
        ...(request.payload !== undefined ? { payload: request.payload } : {}),
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    const status = response.statusCode;
    const text = response.body;
    const problems: string[] = [];
    if (status >= 500) problems.push(`HTTP ${status}: ${text.slice(0, 300)}`);
    const schema = errorSchemaProblem(status, response.headers['content-type'] as string | undefined, text);
    if (schema) problems.push(`HTTP ${status} ${schema}: ${text.slice(0, 300)}`);
    if (status === 200 && String(response.headers['content-type']).startsWith('application/json')) {
      try {
        problems.push(...itemResultProblems(JSON.parse(text)));
      } catch {
        problems.push('a 200 JSON answer that is not JSON');
      }
    }
    const after = await this.digest();
    this.last = after;
    const refused = status >= 400;
    if (refused || nothingApplied(status, text)) {
      const changed = changedTables(before, after).filter((table) => !REFUSAL_LOG.includes(table));
      // Time passing (due settlements, period closes) is no write of the refused request: allowed
      // as long as no event was applied; `verify` checks at the end that its effects equal a replay.
      const timePassed = changed.includes('events') && !changed.includes(APPLIED_EVENTS);
      if (timePassed) changed.splice(0, changed.length, ...changed.filter((table) => !TIME_PASSING.includes(table)));
      if (changed.length > 0)
        problems.push(`${refused ? `HTTP ${status}` : 'nothing applied'} but tables changed: ${changed.join(', ')}`);
    }
    return { status, text, problems };
  }
}
