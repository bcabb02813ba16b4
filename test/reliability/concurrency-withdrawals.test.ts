import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from '../../src/money/money.ts';
import { Random } from '../../src/sim/random.ts';
import type { Sql } from '../../src/store/sql.ts';
import { createSchema, type TestSchema } from '../nats/support/postgres.ts';
import { createTenantOver, Http } from '../nats/support/server.ts';
import { atOnce, startInstance, type Instance } from './concurrency-support.ts';
import { recordConcurrency } from './concurrency-figures.ts';

/** Withdrawals withhold 劳务报酬 tax; `available` goes down by the gross either way. */
const PLAN = {
  freezeDays: 7,
  minWithdrawal: '1.00',
  tax: 'cn-labor',
  templates: [{ id: 'direct', template: 'multi-level', params: { rates: ['10%'], base: 'paid' } }],
};

interface Deployment {
  readonly label: string;
  readonly sql: () => Sql;
  start(): Promise<Instance[]>;
  cleanup(): Promise<void>;
}

const deployments: Deployment[] = [
  (() => {
    let db: TestSchema;
    return {
      label: 'PostgreSQL, 2 instances',
      sql: () => db.sql,
      async start() {
        db = await createSchema('wd');
        return [await startInstance('a', { databaseUrl: db.url }), await startInstance('b', { databaseUrl: db.url })];
      },
      cleanup: () => db?.drop() ?? Promise.resolve(),
    };
  })(),
  (() => {
    let sql: Sql;
    return {
      label: 'PGlite, 2 Services on one database',
      sql: () => sql,
      async start() {
        const first = await startInstance('a');
        sql = first.sql;
        return [first, await startInstance('b', { sql })];
      },
      cleanup: async () => undefined,
    };
  })(),
];

const fen = (amount: string): bigint => parseMoney(amount, 2)!;

type Reply = { status: number; body: { status?: string; error?: { code: string; message: string } } };

describe.each(deployments)('withdrawals racing for one balance: $label', (deployment) => {
  let instances: Instance[] = [];
  let clients: Http[] = [];
  let members = 0;

  beforeAll(async () => {
    instances = await deployment.start();
    const admin = await createTenantOver(instances[0]!.url, 'wd', PLAN);
    clients = instances.map((instance) => new Http(instance.url, admin.key));
    await clients[0]!.ok('POST', '/v1/events', {
      type: 'member.joined',
      at: new Date().toISOString(),
      id: 'root',
      member: { id: 'ROOT', role: 'leader', level: 1, parent: null },
    });
  });

  afterAll(async () => {
    for (const instance of [...instances].reverse()) await instance.close().catch(() => undefined);
    await deployment.cleanup();
  });

  /** A new member with `amount` available (a manual bonus), sent through the first instance. */
  async function fundedMember(amount: string): Promise<string> {
    const member = `M${++members}`;
    await clients[0]!.ok('POST', '/v1/events', {
      type: 'member.joined',
      id: `join-${member}`,
      at: new Date().toISOString(),
      member: { id: member, role: 'leader', level: 1, parent: 'ROOT' },
    });
    await clients[0]!.ok('POST', '/v1/adjustments', {
      adjustment: `fund-${member}`,
      member,
      amount,
      reason: 'funds for the race',
    });
    return member;
  }

  async function available(member: string): Promise<string> {
    const reply = await clients[1]!.ok<{ balances: { available: string }[] }>('GET', `/v1/balances?member=${member}`);
    return reply.balances[0]!.available;
  }

  /** Sends the withdrawals at once, alternating instances, without `at` (the server stamps it). */
  async function race(member: string, amounts: readonly string[]): Promise<Reply[]> {
    return atOnce(
      amounts.map(
        (amount, i) => () =>
          clients[i % clients.length]!.request<Reply['body']>('POST', '/v1/withdrawals', {
            withdrawal: `${member}-w${i}`,
            member,
            amount,
          }),
      ),
    );
  }

  /** The lowest `available` the member's postings ever reached, in log order. */
  async function lowestAvailable(member: string): Promise<bigint> {
    const rows = (
      await deployment.sql().query<{ low: string | null }>(
        `select min(running)::text as low from (
         select sum(amount) over (order by event_seq, journal, line) as running
           from postings where tenant_id = 'wd' and account = 'available' and member = $1) r`,
        [member],
      )
    ).rows;
    return BigInt(rows[0]!.low ?? '0');
  }

  /** Every reply is 200 accepted or 422 insufficient_funds; the accepted ones add up to what left `available`. */
  async function expectCovered(
    member: string,
    before: string,
    amounts: readonly string[],
    replies: readonly Reply[],
  ): Promise<bigint> {
    const refusals = replies.filter((r) => r.status !== 200);
    expect(refusals.map((r) => [r.status, r.body.error?.code])).toEqual(refusals.map(() => [422, 'insufficient_funds']));
    const withdrawn = amounts.filter((_, i) => replies[i]!.status === 200).reduce((sum, amount) => sum + fen(amount), 0n);
    expect(withdrawn).toBeLessThanOrEqual(fen(before));
    expect(await available(member)).toBe(formatMoney(fen(before) - withdrawn, 2));
    expect(await lowestAvailable(member)).toBeGreaterThanOrEqual(0n);
    const stored = (
      await deployment
        .sql()
        .query<{ n: string; total: string | null }>(
          `select count(*)::text as n, sum(amount)::text as total from withdrawals where tenant_id = 'wd' and member = $1`,
          [member],
        )
    ).rows[0]!;
    expect(Number(stored.n)).toBe(replies.filter((r) => r.status === 200).length);
    expect(BigInt(stored.total ?? '0')).toBe(withdrawn);
    return withdrawn;
  }

  it('when the balance cannot cover both, exactly one of two passes and the other is insufficient_funds', async () => {
    let refused = 0;
    for (let round = 0; round < 8; round++) {
      const member = await fundedMember('100.00');
      const replies = await race(member, ['60.00', '60.00']);
      expect(replies.map((r) => r.status).sort()).toEqual([200, 422]);
      await expectCovered(member, '100.00', ['60.00', '60.00'], replies);
      refused += 1;
    }
    record('withdrawals-a-two', {
      case: '2 × 60.00 on 100.00, 8 rounds',
      attempts: 16,
      accepted: 8,
      refused,
      withdrawn: '8 × 60.00',
      available: '100.00',
      after: '40.00',
    });
  });

  it('when the balance covers both, both pass', async () => {
    for (let round = 0; round < 4; round++) {
      const member = await fundedMember('100.00');
      const replies = await race(member, ['50.00', '50.00']);
      expect(replies.map((r) => [r.status, r.body.status])).toEqual([
        [200, 'accepted'],
        [200, 'accepted'],
      ]);
      expect(await expectCovered(member, '100.00', ['50.00', '50.00'], replies)).toBe(10_000n);
    }
    record('withdrawals-b-both', {
      case: '2 × 50.00 on 100.00, 4 rounds',
      attempts: 8,
      accepted: 8,
      refused: 0,
      withdrawn: '4 × 100.00',
      available: '100.00',
      after: '0.00',
    });
  });

  it('the same withdrawal sent to both instances at once is withdrawn once; the other copy is a duplicate', async () => {
    for (let round = 0; round < 4; round++) {
      const member = await fundedMember('100.00');
      const request = { withdrawal: `${member}-once`, member, amount: '70.00' };
      const replies = await atOnce(
        clients.map((client) => () => client.request<Reply['body']>('POST', '/v1/withdrawals', request)),
      );
      expect(replies.map((r) => [r.status, r.body.status]).sort()).toEqual([
        [200, 'accepted'],
        [200, 'duplicate'],
      ]);
      expect(await available(member)).toBe('30.00');
    }
    record('withdrawals-d-same', {
      case: 'one withdrawal of 70.00 sent to both instances, 4 rounds',
      attempts: 8,
      accepted: 4,
      refused: 0,
      withdrawn: '4 × 70.00 (4 duplicates)',
      available: '100.00',
      after: '30.00',
    });
  });

  it('the same manual bonus sent to both instances at once is posted once', async () => {
    for (let round = 0; round < 3; round++) {
      const member = await fundedMember('10.00');
      const bonus = { adjustment: `${member}-bonus`, member, amount: '25.00', reason: 'campaign bonus' };
      const replies = await atOnce(
        clients.map((client) => () => client.request<Reply['body']>('POST', '/v1/adjustments', bonus)),
      );
      expect(replies.map((r) => [r.status, r.body.status]).sort()).toEqual([
        [200, 'accepted'],
        [200, 'duplicate'],
      ]);
      expect(await available(member)).toBe('35.00');
    }
  });

  it('many withdrawals hammering one member never withdraw more than was available', async () => {
    const random = new Random(8);
    let attempts = 0;
    let accepted = 0;
    let withdrawnTotal = 0n;
    for (let round = 0; round < 4; round++) {
      const member = await fundedMember('500.00');
      const amounts = Array.from({ length: 30 }, () => `${random.int(5, 60)}.${String(random.int(0, 99)).padStart(2, '0')}`);
      const replies = await race(member, amounts);
      withdrawnTotal += await expectCovered(member, '500.00', amounts, replies);
      attempts += amounts.length;
      accepted += replies.filter((r) => r.status === 200).length;
    }
    const verify = await clients[0]!.ok<{ ok: boolean; checks: { ok: boolean }[] }>('GET', '/v1/verify');
    expect(verify.checks.filter((c) => !c.ok)).toEqual([]);
    record('withdrawals-c-hammer', {
      case: '30 at once (5.00–60.99), 4 rounds',
      attempts,
      accepted,
      refused: attempts - accepted,
      withdrawn: formatMoney(withdrawnTotal, 2),
      available: '4 × 500.00',
      after: formatMoney(200_000n - withdrawnTotal, 2),
    });
  });

  function record(key: string, figures: Record<string, string | number>): void {
    recordConcurrency(`${key}-${deployment.label.includes('PGlite') ? 'pglite' : 'postgres'}`, {
      backend: deployment.label,
      ...figures,
    });
  }
});
