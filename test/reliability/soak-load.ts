import type { JetStreamClient } from '@nats-io/jetstream';
import { parseMoney } from '../../src/money/money.ts';
import { Random } from '../../src/sim/random.ts';
import { Latencies } from './soak-stats.ts';
import { ShopStream } from './soak-shop.ts';

/** What an answer was: fine, a business refusal the caller expects (its code), or an error. */
type Verdict = { kind: 'ok' } | { kind: 'business'; code: string } | { kind: 'error'; detail: string };

/** Codes a withdrawal may be refused with in the soak (the driver asks for more than there is, on purpose). */
const WITHDRAWAL_REFUSALS = new Set(['insufficient_funds', 'below_minimum']);

export interface SoakTenant {
  readonly id: string;
  readonly stream: ShopStream;
  readonly adminKey: string;
  readonly ingestKey: string;
  readonly readKey: string;
}

/**
 * The soak's load: paced loops (each waits out the rest of its interval after a request, so the
 * rate is steady while the server keeps up and closed-loop when it does not), every request timed
 * per kind and judged. A gate pauses them all and waits for what is in flight.
 */
export class Load {
  readonly latencies = new Map<string, Latencies>();
  readonly business = new Map<string, number>();
  readonly errors: string[] = [];
  errorCount = 0;
  eventsAccepted = new Map<string, number>();
  natsEvents = 0;
  natsBlindWithdrawals = 0;
  private stopped = false;
  private paused: Promise<void> | null = null;
  private resume: (() => void) | null = null;
  private inFlight = 0;
  private idle: (() => void) | null = null;
  private readonly loops: Promise<void>[] = [];

  constructor(readonly url: string) {}

  /** Starts a loop calling `step` every `intervalMs`. */
  every(intervalMs: number, step: () => Promise<void>): void {
    this.loops.push(
      (async () => {
        while (!this.stopped) {
          if (this.paused) await this.paused;
          if (this.stopped) break;
          const started = Date.now();
          this.inFlight += 1;
          try {
            await step();
          } catch (error) {
            this.error(`loop: ${String(error)}`);
          } finally {
            this.inFlight -= 1;
            if (this.inFlight === 0) this.idle?.();
          }
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started))));
        }
      })(),
    );
  }

  /** Holds every loop before its next step and waits until nothing is in flight. */
  async pause(): Promise<void> {
    this.paused = new Promise((resolve) => (this.resume = resolve));
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    this.idle = null;
  }

  unpause(): void {
    this.paused = null;
    this.resume?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unpause();
    await Promise.all(this.loops);
  }

  /** Sends a request, times it under `kind` and judges the answer. */
  async call<T>(
    kind: string,
    method: 'GET' | 'POST',
    path: string,
    key: string,
    body: unknown,
    judge: (status: number, body: T) => Verdict,
  ): Promise<T | null> {
    const started = performance.now();
    let status = 0;
    let parsed: T | null = null;
    try {
      const response = await fetch(`${this.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      status = response.status;
      const text = await response.text();
      parsed = (text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T;
    } catch (error) {
      this.timed(kind, started);
      this.error(`${kind}: ${String(error)}`);
      return null;
    }
    this.timed(kind, started);
    const verdict = judge(status, parsed as T);
    if (verdict.kind === 'business')
      this.business.set(`${kind}: ${verdict.code}`, (this.business.get(`${kind}: ${verdict.code}`) ?? 0) + 1);
    if (verdict.kind === 'error') this.error(`${kind}: HTTP ${status} ${verdict.detail} ${JSON.stringify(parsed).slice(0, 300)}`);
    return parsed;
  }

  timed(kind: string, startedAt: number): void {
    const latencies = this.latencies.get(kind) ?? new Latencies();
    this.latencies.set(kind, latencies);
    latencies.add(performance.now() - startedAt);
  }

  error(detail: string): void {
    this.errorCount += 1;
    if (this.errors.length < 20) this.errors.push(detail);
  }

  accepted(tenant: string, count: number): void {
    this.eventsAccepted.set(tenant, (this.eventsAccepted.get(tenant) ?? 0) + count);
  }
}

type Results = { results: { status: string; error?: { code: string; message: string } }[] };

/** Every event of a batch must be accepted (the stream is valid and in time order). */
const allAccepted =
  (load: Load, tenant: string) =>
  (status: number, body: Results): Verdict => {
    if (status !== 200) return { kind: 'error', detail: 'events refused' };
    const refused = body.results.filter((r) => r.status !== 'accepted');
    load.accepted(tenant, body.results.length - refused.length);
    return refused.length === 0
      ? { kind: 'ok' }
      : { kind: 'error', detail: `${refused.length} events not accepted: ${JSON.stringify(refused[0])}` };
  };

const okOnly = (status: number): Verdict => (status === 200 ? { kind: 'ok' } : { kind: 'error', detail: 'unexpected status' });

/** HTTP batches of `size` events every `intervalMs`. */
export function batches(load: Load, tenant: SoakTenant, size: number, intervalMs: number): void {
  load.every(intervalMs, async () => {
    const events = Array.from({ length: size }, () => tenant.stream.next());
    await load.call<Results>(
      'POST /v1/events (batch)',
      'POST',
      '/v1/events',
      tenant.adminKey,
      { events },
      allAccepted(load, tenant.id),
    );
  });
}

/** One event per request every `intervalMs`. */
export function singles(load: Load, tenant: SoakTenant, intervalMs: number): void {
  load.every(intervalMs, async () => {
    await load.call<Results>(
      'POST /v1/events (one)',
      'POST',
      '/v1/events',
      tenant.adminKey,
      tenant.stream.next(),
      allAccepted(load, tenant.id),
    );
  });
}

/** NATS messages of 1–8 events every `intervalMs`, one in ten with a withdrawal the member may not cover. */
export function natsMessages(
  load: Load,
  js: JetStreamClient,
  subject: string,
  tenant: SoakTenant,
  intervalMs: number,
  seed: number,
): void {
  const random = new Random(seed);
  load.every(intervalMs, async () => {
    const events = Array.from({ length: random.int(1, 8) }, () =>
      random.chance(0.1) ? tenant.stream.blindWithdrawal() : tenant.stream.next(),
    );
    load.natsBlindWithdrawals += events.filter((e) => e.type === 'withdrawal.requested').length;
    const started = performance.now();
    try {
      await js.publish(subject, JSON.stringify(events.length === 1 ? events[0] : events));
      load.natsEvents += events.length;
    } catch (error) {
      load.error(`NATS publish: ${String(error)}`);
    }
    load.timed('NATS publish (ack)', started);
  });
}

/**
 * A withdrawal every `intervalMs` (no `at`: the server stamps it): a leader's balance is read,
 * then mostly a part of what is available is withdrawn, sometimes more than there is.
 */
export function withdrawals(load: Load, tenant: SoakTenant, intervalMs: number, seed: number): void {
  const random = new Random(seed);
  let n = 0;
  load.every(intervalMs, async () => {
    const member = ShopStream.leader(random.int(0, ShopStream.firstLeaders - 1));
    const read = await load.call<{ balances: { available: string }[] }>(
      'GET /v1/balances',
      'GET',
      `/v1/balances?member=${member}`,
      tenant.readKey,
      undefined,
      okOnly,
    );
    const available = Number(parseMoney(read?.balances?.[0]?.available ?? '0', 2) ?? 0n); // fen, only to pick an amount
    const fen = available >= 100 && random.chance(0.85) ? random.int(100, Math.min(available, 20_000)) : available + 1000;
    const amount = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
    await load.call<{ error?: { code: string } }>(
      'POST /v1/withdrawals',
      'POST',
      '/v1/withdrawals',
      tenant.ingestKey,
      { withdrawal: `${tenant.id}-w${++n}`, member, amount },
      (status, body) => {
        if (status === 200) {
          load.accepted(tenant.id, 1);
          return { kind: 'ok' };
        }
        const code = body?.error?.code ?? '';
        return status === 422 && WITHDRAWAL_REFUSALS.has(code)
          ? { kind: 'business', code }
          : { kind: 'error', detail: 'withdrawal refused' };
      },
    );
  });
}

/** Reads every `intervalMs`, one of: member search, a member's awards, a statement, an estimate. */
export function reads(load: Load, tenants: readonly SoakTenant[], intervalMs: number, seed: number): void {
  const random = new Random(seed);
  load.every(intervalMs, async () => {
    const tenant = random.pick(tenants);
    const member = ShopStream.leader(random.int(0, ShopStream.firstLeaders - 1));
    const choice = random.int(0, 3);
    if (choice === 0) await load.call('GET /v1/members', 'GET', `/v1/members?limit=50&q=L0`, tenant.readKey, undefined, okOnly);
    if (choice === 1)
      await load.call('GET /v1/awards', 'GET', `/v1/awards?member=${member}&limit=100`, tenant.readKey, undefined, okOnly);
    if (choice === 2)
      await load.call(
        'GET /v1/statements/:member',
        'GET',
        `/v1/statements/${member}?month=${tenant.stream.month}&format=json`,
        tenant.readKey,
        undefined,
        okOnly,
      );
    if (choice === 3) {
      const body = {
        referrer: member,
        buyer: `C${random.int(0, 2999)}`,
        lines: [{ sku: 'sku-1', qty: 1, price: `${random.int(10, 300)}.00` }],
      };
      await load.call('POST /v1/estimate', 'POST', '/v1/estimate', tenant.readKey, body, okOnly);
    }
  });
}
