import { describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.ts';
import { serverInstant } from './server-time.ts';

/** A tenant whose clock stands at 10:00 with one withdrawal (09:00) and one adjustment (10:00). */
function tenant(): Engine {
  const engine = Engine.create({ timezone: 'Asia/Shanghai', currency: 'CNY', plan: { templates: [] } });
  const apply = (event: Record<string, unknown>) => expect(engine.apply(event).status).toBe('applied');
  apply({ type: 'member.joined', at: '2031-01-01T08:00:00.000Z', member: { id: 'L1', role: 'leader', level: 1, parent: null } });
  apply({
    type: 'adjustment.posted',
    at: '2031-01-01T08:30:00.000Z',
    adjustment: 'A0',
    member: 'L1',
    amount: '100.00',
    reason: 'funds',
  });
  apply({ type: 'withdrawal.requested', at: '2031-01-01T09:00:00.000Z', withdrawal: 'W1', member: 'L1', amount: '10.00' });
  apply({
    type: 'adjustment.posted',
    at: '2031-01-01T10:00:00.000Z',
    adjustment: 'A1',
    member: 'L1',
    amount: '5.00',
    reason: 'bonus',
  });
  return engine;
}

describe('the instant of an event stamped by the server', () => {
  it('is the tenant clock when the stamp is earlier (the request waited behind later events)', () => {
    const event = {
      type: 'withdrawal.requested',
      at: '2031-01-01T09:59:59.999Z',
      withdrawal: 'W2',
      member: 'L1',
      amount: '1.00',
    };
    expect(serverInstant(event, tenant().state)).toEqual({ ...event, at: '2031-01-01T10:00:00.000Z' });
  });

  it('is the stamp itself when it is at or after the clock', () => {
    const event = { type: 'tick', at: '2031-01-01T11:00:00.000Z' };
    expect(serverInstant(event, tenant().state)).toBe(event);
  });

  it('is the first instant for a repeat of an accepted withdrawal or adjustment, so a retry reads as a duplicate', () => {
    const engine = tenant();
    const retry = {
      type: 'withdrawal.requested',
      at: '2031-01-01T12:00:00.000Z',
      withdrawal: 'W1',
      member: 'L1',
      amount: '10.00',
    };
    const again = serverInstant(retry, engine.state);
    expect(again).toEqual({ ...retry, at: '2031-01-01T09:00:00.000Z' });
    expect(engine.apply(again).status).not.toBe('applied');
    const bonus = {
      type: 'adjustment.posted',
      at: '2031-01-01T12:00:00.000Z',
      adjustment: 'A1',
      member: 'L1',
      amount: '5.00',
      reason: 'bonus',
    };
    expect(engine.apply(serverInstant(bonus, engine.state)).status).toBe('duplicate');
  });

  it('leaves anything without a text instant as it is', () => {
    const state = tenant().state;
    for (const item of [null, 'text', 42, { type: 'tick' }, { type: 'tick', at: 7 }])
      expect(serverInstant(item, state)).toBe(item);
  });
});
