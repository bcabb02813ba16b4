import { describe, expect, it } from 'vitest';
import { Random } from '../sim/random.ts';
import { unstorableInput } from './storable.ts';

const STRINGS = ['ok', '', '名字', 'a\u0000b', '\ud800', 'x\udc00', '😀', '\ud83d\ude00\ud800'];

function value(random: Random, depth: number): unknown {
  const kind = depth > 6 ? random.int(0, 3) : random.int(0, 6);
  if (kind === 0) return random.pick(STRINGS);
  if (kind === 1) return random.int(-5, 5);
  if (kind === 2) return random.pick([null, true, undefined]);
  if (kind === 3) return 'plain text';
  if (kind === 4) return Array.from({ length: random.int(0, 4) }, () => value(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = random.int(0, 4); i > 0; i--)
    object[random.chance(0.1) ? random.pick(STRINGS) : `k${i}`] = value(random, depth + 1);
  return object;
}

function nested(levels: number): unknown {
  let node: unknown = 'leaf';
  for (let i = 0; i < levels; i++) node = i % 2 ? [node] : { child: node };
  return node;
}

describe('unstorableInput', () => {
  it('finds what a walk keeping paths finds, with its path, and nothing in clean values', () => {
    const random = new Random(21);
    let found = 0;
    for (let i = 0; i < 20_000; i++) {
      const input = value(random, 0);
      const error = unstorableInput(input, 5);
      if (error) found += 1;
      // The reference: the iterative walk with paths on its own (unstorableInput with nothing to skip).
      expect(error === null, JSON.stringify(input)).toBe(!mentionsUnstorable(input, 0, 5));
    }
    expect(found).toBeGreaterThan(1000);
  });

  it('refuses nesting deeper than the limit, and takes nesting up to it', () => {
    expect(unstorableInput(nested(63))).toBeNull();
    expect(unstorableInput(nested(64))).toBeNull();
    expect(unstorableInput(nested(65))?.message).toMatch(/nested more than 64 levels/);
    expect(unstorableInput(nested(100_000))?.path?.length).toBe(8);
  });
});

/** Straightforward recursion over own keys: whether anything in `node` cannot be stored. */
function mentionsUnstorable(node: unknown, depth: number, maxDepth: number): boolean {
  // eslint-disable-next-line no-control-regex -- NUL is exactly what is looked for
  if (typeof node === 'string') return /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(node);
  if (node === null || typeof node !== 'object') return false;
  if (depth >= maxDepth) return true;
  return Object.entries(node).some(
    ([key, child]) => mentionsUnstorable(key, 0, maxDepth) || mentionsUnstorable(child, depth + 1, maxDepth),
  );
}
