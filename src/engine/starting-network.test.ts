import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.ts';
import type { MemberInput } from '../domain/types.ts';
import { Engine } from './engine.ts';

const plan = { templates: [{ id: 'ml', template: 'multi-level', params: { rates: ['10%'] } }] };

/** The error code and message Engine.create throws, or null. */
function refusal(config: { members?: unknown[]; parsedMembers?: MemberInput[] }): { code: string; message: string } | null {
  try {
    Engine.create({ timezone: 'Asia/Shanghai', currency: 'CNY', plan, ...config });
    return null;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { code: error.error.code, message: error.error.message };
  }
}

/** Starting networks already parsed skip zod, not the network's own rules. */
describe('Engine.create with parsedMembers', () => {
  const cases: { name: string; members: MemberInput[] }[] = [
    {
      name: 'valid',
      members: [
        { id: 'A', role: 'agency', level: 1 },
        { id: 'c', role: 'customer', parent: 'A' },
      ],
    },
    {
      name: 'listed twice',
      members: [
        { id: 'A', role: 'agency' },
        { id: 'A', role: 'leader' },
      ],
    },
    { name: 'unknown parent', members: [{ id: 'A', role: 'agency', parent: 'X' }] },
    {
      name: 'customer parent',
      members: [
        { id: 'c', role: 'customer' },
        { id: 'A', role: 'agency', parent: 'c' },
      ],
    },
    { name: 'customer with a level', members: [{ id: 'c', role: 'customer', level: 2 }] },
    {
      name: 'cycle',
      members: [
        { id: 'A', role: 'agency', parent: 'B' },
        { id: 'B', role: 'agency', parent: 'A' },
      ],
    },
  ];

  for (const { name, members } of cases) {
    it(`refuses as members does: ${name}`, () => {
      const expected = refusal({ members });
      expect(expected === null).toBe(name === 'valid');
      expect(refusal({ parsedMembers: members })).toEqual(expected);
    });
  }

  it('builds the same network', () => {
    const members: MemberInput[] = [
      { id: 'c', role: 'customer', parent: 'A' },
      { id: 'A', role: 'agency', level: 2 },
    ];
    const parsed = Engine.create({ timezone: 'Asia/Shanghai', currency: 'CNY', plan, parsedMembers: members });
    expect(parsed.state.network.get('c')!.parent!.id).toBe('A');
    expect(parsed.state.network.get('A')!.level).toBe(2);
  });
});
