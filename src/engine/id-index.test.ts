import { describe, expect, it } from 'vitest';
import { IdIndex } from './id-index.ts';

describe('IdIndex', () => {
  it('finds every id it was given, through growth, and no other', () => {
    const ids: string[] = [];
    const index = new IdIndex({ idOf: (number) => ids[number]! });
    for (let n = 0; n < 5000; n++) {
      const id = n % 3 === 0 ? `o${n}` : `order-${n * 7919}-é`;
      expect(index.get(id)).toBe(-1);
      ids.push(id);
      index.add(id, n);
    }
    expect(index.size).toBe(5000);
    ids.forEach((id, n) => expect(index.get(id)).toBe(n));
    // Equal content, another string: found; a near miss: not.
    expect(index.get(['o', '3'].join(''))).toBe(3);
    expect(index.get('o1')).toBe(-1);
    expect(index.get('')).toBe(-1);
  });

  it('places an id by its own hash when another id was the last one looked up and missed', () => {
    const ids: string[] = [];
    const index = new IdIndex({ idOf: (number) => ids[number]! });
    for (let n = 0; n < 3000; n++) {
      const id = `o${n}`;
      expect(index.get(`never-${n}`)).toBe(-1);
      if (n % 2 === 0) expect(index.get(id)).toBe(-1); // half of them looked up first, half not
      ids.push(id);
      index.add(id, n);
    }
    ids.forEach((id, n) => expect(index.get(id)).toBe(n));
    expect(index.get('never-7')).toBe(-1);
  });
});
