import { describe, expect, it } from 'vitest';
import { MemberIndex } from './member-index.ts';

describe('MemberIndex', () => {
  it('finds every member it was given, through growth, and no other', () => {
    const index = new MemberIndex<{ id: string }>();
    const members: { id: string }[] = [];
    for (let n = 0; n < 5000; n++) {
      const member = { id: n % 3 === 0 ? `u${n}` : `member-${n * 7919}-é` };
      expect(index.get(member.id)).toBeUndefined();
      members.push(member);
      index.add(member);
    }
    expect(index.size).toBe(5000);
    for (const member of members) expect(index.get(member.id)).toBe(member);
    // Equal content, another string: found; a near miss: not.
    expect(index.get(['u', '3'].join(''))).toBe(members[3]);
    expect(index.get('u1')).toBeUndefined();
    expect(index.get('')).toBeUndefined();
  });
});
