import { describe, expect, it } from 'vitest';
import { awardKeyOf } from './award-key.ts';

describe('awardKeyOf', () => {
  it('is the plain key for ids without / or \\', () => {
    expect(awardKeyOf('O1', undefined, 'L1', 'direct')).toBe('order:O1/L1/direct');
    expect(awardKeyOf(null, '2026-03', 'L1', 'team')).toBe('period:2026-03/L1/team');
  });

  it('keeps apart awards whose ids only differ in where a / falls', () => {
    const a = awardKeyOf('A/B', null, 'C', 'r');
    const b = awardKeyOf('A', null, 'B/C', 'r');
    expect(a).toBe('order:A\\/B/C/r');
    expect(b).toBe('order:A/B\\/C/r');
    expect(a).not.toBe(b);
    expect(awardKeyOf('A\\', null, '/C', 'r')).not.toBe(awardKeyOf('A', null, '\\/C', 'r'));
  });
});
