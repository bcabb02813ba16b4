import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Network, type Member } from '../engine/network.ts';
import { directoryOf, type KeysetPage, type MemberDirectory } from './member-directory.ts';
import { SortedIds } from './sorted-ids.ts';

const T = (n: number): number => Date.UTC(2026, 2, 1) + n * 3_600_000;

/** Every page from the first cursor to the last, concatenated. */
function allPages<T>(load: (after: string | null) => KeysetPage<T>, key: (item: T) => string): T[] {
  const items: T[] = [];
  for (let after: string | null = null, guard = 0; guard < 10_000; guard++) {
    const page = load(after);
    items.push(...page.items);
    if (page.next === null) return items;
    expect(page.next).toBe(key(page.items[page.items.length - 1]!));
    after = page.next;
  }
  throw new Error('the pages never ended');
}

/** Members below `member` now, by walking the tree (what the directory spares every request). */
function walkedTeamSize(member: Member): number {
  return (member.children ?? []).reduce((sum, child) => sum + 1 + walkedTeamSize(child), 0);
}

describe('SortedIds', () => {
  it('finds the ids starting with a prefix, in code-unit order, page by page after a cursor', () => {
    const ids = new SortedIds(['L2', 'L10', 'C1', 'L1', 'L11', 'A1']);
    expect(ids.page('L1', null, 10)).toEqual(['L1', 'L10', 'L11']);
    expect(ids.page('L1', 'L1', 10)).toEqual(['L10', 'L11']);
    expect(ids.page('L', null, 2)).toEqual(['L1', 'L10']);
    expect(ids.page('L', 'L10', 2)).toEqual(['L11', 'L2']);
    expect(ids.page('', null, 10, 4)).toEqual(['L11', 'L2']);
    expect(ids.count('L1')).toBe(3);
    expect(ids.count('X')).toBe(0);
  });

  it('sees ids added after it was built, before and after they are folded into the main run', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-c]{1,4}$/), { maxLength: 6000 }),
        fc.stringMatching(/^[a-c]{0,2}$/),
        (all, prefix) => {
          const ids = new SortedIds(all.slice(0, all.length >> 1));
          for (const id of all.slice(all.length >> 1)) ids.add(id);
          const expected = all.filter((id) => id.startsWith(prefix)).sort();
          expect(ids.count(prefix)).toBe(expected.length);
          expect(ids.page(prefix, null, 100_000)).toEqual(expected);
          expect(ids.page(prefix, expected[2] ?? null, 3)).toEqual(
            expected.length > 2 ? expected.slice(3, 6) : expected.slice(0, 3),
          );
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('MemberDirectory', () => {
  /** A root with 250 direct customers, a leader under it with two of its own. */
  function wide(): Network {
    const network = new Network();
    const root = network.add('R', 'branch', 1, null, T(0));
    const leader = network.add('L', 'leader', 1, root, T(0));
    for (let i = 0; i < 250; i++) network.add(`c${String(i).padStart(3, '0')}`, 'customer', 0, root, T(1));
    network.add('x1', 'customer', 0, leader, T(1));
    network.add('x2', 'customer', 0, leader, T(1));
    return network;
  }

  it('pages through a wide downline in id order with a cursor, the total known at once', () => {
    const network = wide();
    const directory = directoryOf(network);
    const first = directory.children(network.get('R')!, null, 100);
    expect(first.total).toBe(251);
    // Code-unit order: upper case before lower case.
    expect(first.items.map((m) => m.id)).toEqual([
      'L',
      ...Array.from({ length: 99 }, (_, i) => `c${String(i).padStart(3, '0')}`),
    ]);
    const ids = allPages(
      (after) => directory.children(network.get('R')!, after, 100),
      (m) => m.id,
    ).map((m) => m.id);
    expect(ids).toHaveLength(251);
    expect(ids[250]).toBe('c249');
    expect([...ids].sort()).toEqual(ids);
  });

  it('counts the team below a member without walking it, and follows joins and moves after it was built', () => {
    const network = wide();
    const directory = directoryOf(network);
    expect(directory.teamSize(network.get('R')!)).toBe(253);
    expect(directory.teamSize(network.get('L')!)).toBe(2);
    const z = network.add('Z', 'branch', 1, null, T(2));
    network.add('x3', 'customer', 0, network.get('L')!, T(2));
    network.move(network.get('L')!, z, T(3));
    expect(directory.teamSize(network.get('R')!)).toBe(250);
    expect(directory.teamSize(z)).toBe(4);
    expect(directory.teamSize(network.get('L')!)).toBe(3);
  });

  it('finds new members by prefix as soon as they join', () => {
    const network = wide();
    const directory = directoryOf(network);
    expect(directory.search('x', null, 10).items).toEqual(['x1', 'x2']);
    network.add('x0', 'customer', 0, network.get('L')!, T(2));
    const found = directory.search('x', null, 2);
    expect(found).toEqual({ items: ['x0', 'x1'], total: 3, next: 'x1' });
    expect(directory.search('x', 'x1', 2)).toEqual({ items: ['x2'], total: 3, next: null });
  });

  it('gives the downline as of an instant, including members that have moved away since', () => {
    const network = wide();
    network.move(network.get('x1')!, network.get('R')!, T(5)); // before the directory exists
    const directory = directoryOf(network);
    network.move(network.get('x2')!, network.get('R')!, T(6)); // after
    const leaderAt = (n: number) =>
      allPages(
        (after) => directory.childrenAt(network.get('L')!, T(n), after, 1),
        (id) => id,
      );
    expect(leaderAt(4)).toEqual(['x1', 'x2']);
    expect(leaderAt(5)).toEqual(['x2']);
    expect(leaderAt(6)).toEqual([]);
    expect(directory.childrenAt(network.get('R')!, T(0), null, 10)).toEqual({ items: ['L'], total: 1, next: null });
  });

  it('agrees with walking the network after any sequence of joins and moves, before and after it was built', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { minLength: 1, maxLength: 120 }),
        fc.nat(),
        (steps, buildAt) => {
          const network = new Network();
          const ids: string[] = [];
          let directory: MemberDirectory | null = null;
          steps.forEach(([a, b, join], step) => {
            if (step === buildAt % steps.length) {
              directory = directoryOf(network);
              // Sort every list now, so that later joins and moves must keep them in order.
              for (const id of ids) directory.children(network.get(id)!, null, 1);
            }
            const parent = ids.length ? network.get(ids[a % ids.length]!)! : null;
            if (join || ids.length < 2) {
              ids.push(`m${step}`);
              network.add(`m${step}`, 'leader', 1, parent, T(step));
            } else {
              const member = network.get(ids[b % ids.length]!)!;
              if (parent && !network.isAncestorOrSelf(member, parent)) network.move(member, parent, T(step));
            }
          });
          const built = directory ?? directoryOf(network);
          for (const id of ids) {
            const member = network.get(id)!;
            expect(built.teamSize(member)).toBe(walkedTeamSize(member));
            const now = (member.children ?? []).map((child) => child.id).sort();
            expect(
              allPages(
                (after) => built.children(member, after, 2),
                (m) => m.id,
              ).map((m) => m.id),
            ).toEqual(now);
            for (const n of [0, steps.length >> 1, steps.length]) {
              const expected = network.childrenAt(id, T(n)).sort();
              const page = built.childrenAt(member, T(n), null, 3);
              expect(page.total).toBe(expected.length);
              expect(
                allPages(
                  (after) => built.childrenAt(member, T(n), after, 3),
                  (x) => x,
                ),
              ).toEqual(expected);
            }
          }
          expect(built.search('m', null, 1000).items).toEqual([...ids].sort());
        },
      ),
      { numRuns: 80 },
    );
  });
});
