import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from './engine.ts';
import { LONG_AGO, Network } from './network.ts';

const T = (n: number): number => Date.UTC(2026, 2, 1) + n * 3_600_000; // hour n of 2026-03-01 UTC

/** A small network: branch A ← leader B ← customer C, and branch Z on its own. */
function sample(): Network {
  const network = new Network();
  const a = network.add('A', 'branch', 2, null, T(0));
  const b = network.add('B', 'leader', 1, a, T(1));
  network.add('C', 'customer', 0, b, T(2));
  network.add('Z', 'branch', 1, null, T(0));
  return network;
}

/** DOMAIN.md, "The network": it changes over time and every order uses it as it was at payment. */
describe('Network as-of queries', () => {
  describe('placementAt', () => {
    it('knows nothing of a member before it joined', () => {
      const network = sample();
      expect(network.placementAt('C', T(2) - 1)).toBeUndefined();
      expect(network.placementAt('nobody', T(9))).toBeUndefined();
    });

    it('gives a member’s parent, role and level from the instant it joined', () => {
      const network = sample();
      expect(network.placementAt('C', T(2))).toMatchObject({ parent: 'B', role: 'customer', level: 0 });
      expect(network.placementAt('B', T(5))).toMatchObject({ parent: 'A', role: 'leader', level: 1 });
      expect(network.placementAt('A', T(5))).toMatchObject({ parent: null, role: 'branch', level: 2 });
    });

    it('sees the old parent before a move and the new one from the move’s instant on', () => {
      const network = sample();
      network.move(network.get('C')!, network.get('Z')!, T(5));
      expect(network.placementAt('C', T(5) - 1)?.parent).toBe('B');
      expect(network.placementAt('C', T(5))?.parent).toBe('Z');
      expect(network.placementAt('C', T(99))?.parent).toBe('Z');
    });

    it('sees a member made a root by a move with no parent', () => {
      const network = sample();
      network.move(network.get('B')!, null, T(4));
      expect(network.placementAt('B', T(3))?.parent).toBe('A');
      expect(network.placementAt('B', T(4))?.parent).toBeNull();
    });

    it('keeps every level a member had, each from the instant it was set', () => {
      const network = sample();
      const b = network.get('B')!;
      network.setLevel(b, 3, T(4));
      network.setLevel(b, 2, T(6));
      network.setLevel(b, 5, T(8));
      expect(network.placementAt('B', T(1))?.level).toBe(1);
      expect(network.placementAt('B', T(4) - 1)?.level).toBe(1);
      expect(network.placementAt('B', T(4))?.level).toBe(3);
      expect(network.placementAt('B', T(7))?.level).toBe(2);
      expect(network.placementAt('B', T(8))?.level).toBe(5);
      expect(b.level).toBe(5);
    });

    it('sees a customer as a customer before its promotion and as a distributor from it', () => {
      const network = sample();
      network.promote(network.get('C')!, 'leader', 2, T(5));
      expect(network.placementAt('C', T(5) - 1)).toMatchObject({ role: 'customer', level: 0, parent: 'B' });
      expect(network.placementAt('C', T(5))).toMatchObject({ role: 'leader', level: 2, parent: 'B' });
    });

    it('resolves several changes at one instant to the last of them', () => {
      const network = sample();
      const b = network.get('B')!;
      network.setLevel(b, 2, T(5));
      network.move(b, network.get('Z')!, T(5));
      network.setLevel(b, 4, T(5));
      expect(network.placementAt('B', T(5))).toMatchObject({ parent: 'Z', level: 4 });
      expect(network.placementAt('B', T(5) - 1)).toMatchObject({ parent: 'A', level: 1 });
    });

    it('interleaves moves and level changes without mixing them up', () => {
      const network = sample();
      const b = network.get('B')!;
      network.setLevel(b, 2, T(4));
      network.move(b, network.get('Z')!, T(6));
      network.setLevel(b, 3, T(8));
      network.move(b, network.get('A')!, T(10));
      expect(network.placementAt('B', T(3))).toMatchObject({ parent: 'A', level: 1 });
      expect(network.placementAt('B', T(5))).toMatchObject({ parent: 'A', level: 2 });
      expect(network.placementAt('B', T(7))).toMatchObject({ parent: 'Z', level: 2 });
      expect(network.placementAt('B', T(9))).toMatchObject({ parent: 'Z', level: 3 });
      expect(network.placementAt('B', T(11))).toMatchObject({ parent: 'A', level: 3 });
    });

    it('treats the starting network as placed long ago', () => {
      const network = new Network();
      network.add('S', 'agency', 1, null, LONG_AGO);
      expect(network.placementAt('S', Date.UTC(1970, 0, 1))).toMatchObject({ role: 'agency', level: 1 });
      network.setLevel(network.get('S')!, 2, T(0));
      expect(network.placementAt('S', T(0) - 1)?.level).toBe(1);
      expect(network.placementAt('S', LONG_AGO)?.level).toBe(1);
    });
  });

  describe('uplineAt', () => {
    it('lists the member itself, then its parents up to the root, with their roles and levels then', () => {
      const network = sample();
      expect(network.uplineAt('C', T(3))).toEqual([
        { id: 'C', role: 'customer', level: 0 },
        { id: 'B', role: 'leader', level: 1 },
        { id: 'A', role: 'branch', level: 2 },
      ]);
    });

    it('follows the parents each member had at the instant asked, before and after a move', () => {
      const network = sample();
      network.move(network.get('B')!, network.get('Z')!, T(5));
      expect(network.uplineAt('C', T(4)).map((link) => link.id)).toEqual(['C', 'B', 'A']);
      expect(network.uplineAt('C', T(5)).map((link) => link.id)).toEqual(['C', 'B', 'Z']);
    });

    it('prices the upline with the levels of the instant asked', () => {
      const network = sample();
      network.setLevel(network.get('A')!, 3, T(5));
      expect(network.uplineAt('C', T(4)).map((link) => link.level)).toEqual([0, 1, 2]);
      expect(network.uplineAt('C', T(5)).map((link) => link.level)).toEqual([0, 1, 3]);
    });

    it('is empty for a member not yet joined', () => {
      expect(sample().uplineAt('C', T(1))).toEqual([]);
    });
  });

  describe('childrenAt', () => {
    it('lists the direct downline of a member at an instant', () => {
      const network = sample();
      network.move(network.get('C')!, network.get('A')!, T(5));
      expect(network.childrenAt('A', T(4))).toEqual(['B']);
      expect(network.childrenAt('A', T(5)).sort()).toEqual(['B', 'C']);
      expect(network.childrenAt('B', T(5))).toEqual([]);
    });
  });

  describe('regionHolderAt', () => {
    it('knows no holder before a code was ever held', () => {
      const network = sample();
      network.setRegions(network.get('A')!, ['33'], T(3));
      expect(network.regionHolderAt('33', T(3) - 1)).toBeNull();
      expect(network.regionHolderAt('11', T(9))).toBeNull();
    });

    it('follows a code from holder to holder over time, including when nobody holds it', () => {
      const network = sample();
      network.setRegions(network.get('A')!, ['33', '3301'], T(3));
      network.setRegions(network.get('A')!, ['3301'], T(5)); // A gives 33 up
      network.setRegions(network.get('Z')!, ['33'], T(7)); // Z takes it
      expect(network.regionHolderAt('33', T(4))).toBe('A');
      expect(network.regionHolderAt('33', T(6))).toBeNull();
      expect(network.regionHolderAt('33', T(7))).toBe('Z');
      expect(network.regionHolderAt('3301', T(9))).toBe('A');
    });

    it('keeps a code held through a replacement that lists it again', () => {
      const network = sample();
      network.setRegions(network.get('A')!, ['33'], T(3));
      network.setRegions(network.get('A')!, ['33', '3301'], T(5));
      expect(network.regionHolderAt('33', T(5))).toBe('A');
      expect(network.holderOf('33')?.id).toBe('A');
    });

    it('records a member’s regions in its placement history', () => {
      const network = sample();
      network.setRegions(network.get('B')!, ['330106'], T(4));
      network.setRegions(network.get('B')!, [], T(6));
      expect(network.placementAt('B', T(3))?.regions).toEqual([]);
      expect(network.placementAt('B', T(5))?.regions).toEqual(['330106']);
      expect(network.placementAt('B', T(6))?.regions).toEqual([]);
    });
  });

  describe('now', () => {
    it('carries a member’s team sales to its new upline when it moves', () => {
      const network = sample();
      network.addSale(network.get('B')!, 1000n);
      expect(network.get('A')!.teamSales).toBe(1000n);
      network.move(network.get('B')!, network.get('Z')!, T(5));
      expect(network.get('A')!.teamSales).toBe(0n);
      expect(network.get('Z')!.teamSales).toBe(1000n);
      expect(network.get('B')!.teamSales).toBe(1000n);
      expect(network.get('B')!.personalSales).toBe(1000n);
    });

    it('restarts a customer’s binding age when it is moved', () => {
      const network = sample();
      network.move(network.get('C')!, network.get('Z')!, T(5));
      expect(network.get('C')!.boundAt).toBe(T(5));
    });

    it('knows who is an ancestor of whom, and builds the chain from a seller up', () => {
      const network = sample();
      expect(network.isAncestorOrSelf(network.get('A')!, network.get('C')!)).toBe(true);
      expect(network.isAncestorOrSelf(network.get('C')!, network.get('C')!)).toBe(true);
      expect(network.isAncestorOrSelf(network.get('C')!, network.get('A')!)).toBe(false);
      expect(network.chainOf(network.get('B')!)).toEqual([
        { id: 'B', level: 1, role: 'leader' },
        { id: 'A', level: 2, role: 'branch' },
      ]);
      expect(network.chainOf(null)).toEqual([]);
    });

    it('keeps one chain array for a seller while nothing on its chain changes, and makes a new one when something does', () => {
      const network = sample();
      const b = network.get('B')!;
      const first = network.chainOf(b);
      // A level changed off the chain (Z) changes the shape version, not B's chain: orders keep sharing it.
      network.setLevel(network.get('Z')!, 3, T(5));
      expect(network.chainOf(b)).toBe(first);
      // A level changed on it (A) makes a new chain; the old one, which earlier orders hold, stays as it was.
      network.setLevel(network.get('A')!, 3, T(6));
      const second = network.chainOf(b);
      expect(second).not.toBe(first);
      expect(second).toEqual([
        { id: 'B', level: 1, role: 'leader' },
        { id: 'A', level: 3, role: 'branch' },
      ]);
      expect(first[1]).toEqual({ id: 'A', level: 2, role: 'branch' });
      // So does a move of a member on it.
      network.move(b, network.get('Z')!, T(7));
      expect(network.chainOf(b).map((link) => link.id)).toEqual(['B', 'Z']);
    });

    it('numbers members in order of entry', () => {
      const network = sample();
      expect(['A', 'B', 'C', 'Z'].map((id) => network.get(id)!.entrySeq)).toEqual([0, 1, 2, 3]);
    });
  });

  describe('through engine events', () => {
    const at = (iso: string) => Date.parse(iso);
    let network: Network;
    beforeAll(() => {
      const engine = Engine.create({
        timezone: 'Asia/Shanghai',
        currency: 'CNY',
        plan: { templates: [{ id: 'ml', template: 'multi-level', params: { rates: ['10%'] } }] },
        members: [
          { id: 'A', role: 'branch', level: 1, regions: ['33'] },
          { id: 'B', role: 'leader', level: 1, parent: 'A' },
          { id: 'Z', role: 'branch', level: 1 },
          { id: 'C', role: 'customer', parent: 'B' },
        ],
      });
      const events = [
        { at: '2026-03-02T10:00:00+08:00', type: 'member.moved', member: 'B', parent: 'Z' },
        { at: '2026-03-03T10:00:00+08:00', type: 'member.level_set', member: 'B', level: 3 },
        { at: '2026-03-04T10:00:00+08:00', type: 'member.regions_set', member: 'A', regions: [] },
        { at: '2026-03-05T10:00:00+08:00', type: 'member.regions_set', member: 'B', regions: ['33', '3301'] },
        { at: '2026-03-06T10:00:00+08:00', type: 'member.joined', member: { id: 'N', role: 'leader', parent: 'B', level: 2 } },
        { at: '2026-03-07T10:00:00+08:00', type: 'member.promoted', member: 'C', role: 'agency', level: 2 },
      ];
      for (const event of events) expect(engine.apply(event).status).toBe('applied');
      network = engine.state.network;
    });

    it('answers with the starting network before the first event', () => {
      expect(network.uplineAt('C', at('2026-03-02T09:59:59+08:00')).map((link) => link.id)).toEqual(['C', 'B', 'A']);
      expect(network.regionHolderAt('33', at('2026-03-01T00:00:00+08:00'))).toBe('A');
    });

    it('follows member.moved, member.level_set and member.regions_set from their instants on', () => {
      expect(network.uplineAt('C', at('2026-03-02T10:00:00+08:00'))).toEqual([
        { id: 'C', role: 'customer', level: 0 },
        { id: 'B', role: 'leader', level: 1 },
        { id: 'Z', role: 'branch', level: 1 },
      ]);
      expect(network.placementAt('B', at('2026-03-03T09:59:59+08:00'))?.level).toBe(1);
      expect(network.placementAt('B', at('2026-03-03T10:00:00+08:00'))?.level).toBe(3);
      expect(network.regionHolderAt('33', at('2026-03-04T09:59:59+08:00'))).toBe('A');
      expect(network.regionHolderAt('33', at('2026-03-04T10:00:00+08:00'))).toBeNull();
      expect(network.regionHolderAt('33', at('2026-03-05T10:00:00+08:00'))).toBe('B');
      expect(network.regionHolderAt('3301', at('2026-03-05T09:00:00+08:00'))).toBeNull();
    });

    it('knows a member joined by event only from its join, and a promoted customer as a customer before', () => {
      expect(network.placementAt('N', at('2026-03-06T09:59:59+08:00'))).toBeUndefined();
      expect(network.placementAt('N', at('2026-03-06T10:00:00+08:00'))).toMatchObject({ parent: 'B', role: 'leader', level: 2 });
      expect(network.placementAt('C', at('2026-03-07T09:59:59+08:00'))).toMatchObject({ role: 'customer' });
      expect(network.placementAt('C', at('2026-03-07T10:00:00+08:00'))).toMatchObject({ role: 'agency', level: 2 });
    });
  });
});

describe('distributor children', () => {
  it('lists the distributors among a member’s children through joins, promotions and moves', () => {
    const network = sample();
    const a = network.get('A')!;
    const b = network.get('B')!;
    const z = network.get('Z')!;
    const d = network.add('D', 'customer', 0, a, T(4));
    const ids = (members: readonly (typeof a)[] | null) => (members ?? []).map((member) => member.id).sort();
    const listed = (member: typeof a) => ids(member.distributorChildren);
    const expected = (member: typeof a) => ids((member.children ?? []).filter((child) => child.isDistributor));
    expect([listed(a), listed(b)]).toEqual([expected(a), expected(b)]);
    network.promote(d, 'leader', 1, T(5));
    expect(listed(a)).toEqual(expected(a));
    expect(listed(a)).toContain('D');
    network.move(b, z, T(6));
    expect([listed(a), listed(z)]).toEqual([expected(a), expected(z)]);
    network.move(network.get('C')!, a, T(7));
    expect([listed(a), listed(b)]).toEqual([expected(a), expected(b)]);
  });
});
