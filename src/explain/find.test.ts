import { describe, expect, it } from 'vitest';
import { parseAwardSelector } from './find.ts';

describe('parseAwardSelector', () => {
  it('takes the member first and the rule last, so that an order id may hold colons', () => {
    expect(parseAwardSelector('L2:O1:direct')).toEqual({ to: 'L2', subject: 'O1', rule: 'direct' });
    expect(parseAwardSelector('L2:shop:O:1:direct')).toEqual({ to: 'L2', subject: 'shop:O:1', rule: 'direct' });
    expect(parseAwardSelector('D:2026-03:team')).toEqual({ to: 'D', subject: '2026-03', rule: 'team' });
  });

  it('answers null without three non-empty parts', () => {
    for (const selector of ['garbage', 'L2:O1', '::', 'L2::direct', ':O1:direct', 'L2:O1:'])
      expect(parseAwardSelector(selector)).toBeNull();
  });
});
