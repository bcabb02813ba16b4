import type { Scenario } from '../../src/scenario/load.ts';
import type { ScenarioResult } from '../../src/scenario/run.ts';
import { createTenant, type ApiClient, type TenantHandle, type TestApp } from './app.ts';

/** One per-item answer of POST /v1/events. */
export type ItemReply =
  | { status: 'accepted'; seq: number }
  | { status: 'duplicate' }
  | { status: 'rejected'; error: { code: string; message: string; path?: (string | number)[] } };

export interface ScenarioOverApi extends TenantHandle {
  /** Per-event answers, in the scenario's event order. */
  readonly items: ItemReply[];
  /** The outcome read back over HTTP, in the shape of runScenario(...).result. */
  readonly result: ScenarioResult;
}

export interface SendOptions {
  /** Events per POST /v1/events (default: all at once, up to the API's limit of 1000). */
  readonly batchSize?: number;
}

/**
 * Runs a scenario through the HTTP API: creates a tenant with its zone, currency and plan,
 * imports its starting network, sends its events in order (in batches) and reads the outcome back.
 */
export async function runScenarioOverApi(
  test: TestApp,
  tenantId: string,
  scenario: Scenario,
  options: SendOptions = {},
): Promise<ScenarioOverApi> {
  const handle = await createTenant(test, {
    id: tenantId,
    name: scenario.name,
    timezone: scenario.timezone,
    currency: scenario.currency,
    plan: scenario.plan,
  });
  if (scenario.members.length > 0) {
    const imported = await handle.admin.ok(handle.admin.post('/v1/network/import', { members: scenario.members }));
    if (imported.members !== scenario.members.length)
      throw new Error(`imported ${imported.members} of ${scenario.members.length} members`);
  }
  const items = await sendEvents(handle.admin, scenario.events, options);
  const result = await readResult(handle.admin, items);
  return { ...handle, items, result };
}

/** Sends events through POST /v1/events in order, `batchSize` at a time; answers one reply per event. */
export async function sendEvents(client: ApiClient, events: readonly unknown[], options: SendOptions = {}): Promise<ItemReply[]> {
  const size = Math.min(options.batchSize ?? 1000, 1000);
  const replies: ItemReply[] = [];
  for (let start = 0; start < events.length; start += size) {
    const batch = events.slice(start, start + size);
    const body = await client.ok<{ results: ItemReply[] }>(client.post('/v1/events', { events: batch }));
    if (body.results.length !== batch.length) throw new Error(`sent ${batch.length} events, got ${body.results.length} results`);
    replies.push(...body.results);
  }
  return replies;
}

/** The rejected items of per-event replies, as ScenarioResult['errors'] (event = index). */
export function errorsOf(items: readonly ItemReply[]): ScenarioResult['errors'] {
  const errors: ScenarioResult['errors'] = [];
  items.forEach((item, event) => {
    if (item.status !== 'rejected') return;
    const { code, message, path } = item.error;
    errors.push({
      event,
      code: code as ScenarioResult['errors'][number]['code'],
      message,
      ...(path && path.length > 0 ? { path } : {}),
    });
  });
  return errors;
}

/**
 * Reads a tenant's awards, balances, levels and withdrawals over HTTP (GET /v1/awards,
 * /v1/balances, /v1/members, /v1/withdrawals), plus the errors of `items`, as a ScenarioResult.
 */
export async function readResult(client: ApiClient, items: readonly ItemReply[]): Promise<ScenarioResult> {
  const [awards, balances, members, withdrawals] = await Promise.all([
    client.ok<{
      awards: {
        to: string;
        order: string | null;
        period: string | null;
        rule: string;
        amount: string;
        status: 'pending' | 'settled';
      }[];
    }>(client.get('/v1/awards', { limit: 5000 })),
    client.ok<{ balances: { member: string; pending: string; available: string }[] }>(
      client.get('/v1/balances', { limit: 10000 }),
    ),
    client.ok<{ members: { id: string; role: string; level: number | null }[] }>(client.get('/v1/members', { limit: 200 })),
    client.ok<{ withdrawals: { withdrawal: string; amount: string; tax: string; net: string; status: string }[] }>(
      client.get('/v1/withdrawals', { limit: 10000 }),
    ),
  ]);
  if (awards.awards.length >= 5000 || members.members.length >= 200)
    throw new Error('readResult reads at most 4999 awards and 199 members');
  const levels: ScenarioResult['levels'] = {};
  for (const member of members.members) {
    if (member.role !== 'customer') levels[member.id] = member.level!;
  }
  return {
    awards: awards.awards.map((a) => ({
      to: a.to,
      ...(a.order !== null ? { order: a.order } : { period: a.period! }),
      rule: a.rule,
      amount: a.amount,
      status: a.status,
    })),
    balances: Object.fromEntries(balances.balances.map((b) => [b.member, { pending: b.pending, available: b.available }])),
    levels,
    // Withdrawals given back (rejected, failed) are not accepted ones (as in summarize).
    withdrawals: withdrawals.withdrawals
      .filter((w) => w.status !== 'rejected' && w.status !== 'failed')
      .map((w) => ({ withdrawal: w.withdrawal, amount: w.amount, tax: w.tax, net: w.net })),
    errors: errorsOf(items),
  };
}

/** A result in a canonical order (awards, withdrawals and errors sorted; record keys sorted), for toEqual. */
export function canonical(result: ScenarioResult): ScenarioResult {
  const key = (a: ScenarioResult['awards'][number]) => `${a.to}\u0000${a.order ?? ''}\u0000${a.period ?? ''}\u0000${a.rule}`;
  const sortRecord = <T>(record: Record<string, T>) =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    awards: [...result.awards].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)),
    balances: sortRecord(result.balances),
    levels: sortRecord(result.levels),
    withdrawals: [...result.withdrawals].sort((a, b) => (a.withdrawal < b.withdrawal ? -1 : a.withdrawal > b.withdrawal ? 1 : 0)),
    errors: [...result.errors].sort((a, b) => a.event - b.event),
  };
}
