import { describe, expect, it } from 'vitest';
import { Random } from '../sim/random.ts';
import { fingerprint } from './fingerprint.ts';

/**
 * The fingerprint as first written (a canonical copy, then JSON.stringify): stored event
 * identities hold its text, so every faster path must write the same bytes.
 */
function reference(value: unknown): string {
  return JSON.stringify(canonical(value));
}

function canonical(value: unknown): unknown {
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined && field !== null)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, field]) => [key, canonical(field)]);
    return Object.fromEntries(entries);
  }
  return value;
}

/** Keys that order differently by code unit, by number and by insertion. */
const KEYS = ['0', '1', '2', '10', '9', '01', '-1', '1.5', '4294967294', '4294967295', '99999999999', 'a', 'B', 'b', '_', 'Z9'];
const ODD_KEYS = ['é', '\u2028', '"q"', '\\', 'type', 'at', 'member', 'lines', ' ', ''];

function shape(next: () => number, depth: number): unknown {
  const pick = Math.floor(next() * (depth > 3 ? 8 : 11));
  const scalars: unknown[] = [null, undefined, 0, -0, 1.5, Number.NaN, 'x"é\u2028', true, -12n];
  if (pick < scalars.length) return scalars[pick];
  if (pick === 9) return Array.from({ length: Math.floor(next() * 4) }, () => shape(next, depth + 1));
  const object: Record<string, unknown> = {};
  const count = Math.floor(next() * 24);
  for (let i = 0; i < count; i++) {
    const keys = next() < 0.7 ? KEYS : ODD_KEYS;
    object[keys[Math.floor(next() * keys.length)]!] = shape(next, depth + 1);
  }
  return object;
}

describe('fingerprint', () => {
  it('writes the text of the canonical copy, byte for byte, whatever the shape', () => {
    const generator = new Random(20261128); // (seeded: a failure can be replayed)
    const next = () => generator.next();
    for (let i = 0; i < 5000; i++) {
      const value = shape(next, 0);
      expect(fingerprint(value)).toBe(reference(value));
    }
  });

  it('writes events as before', () => {
    const joined = {
      type: 'member.joined',
      at: 1_767_225_600_000,
      member: { id: 'm1', role: 'leader', level: 1, parent: null, regions: ['CN-31', 'CN-11'] },
    };
    expect(fingerprint(joined)).toBe(reference(joined));
    expect(fingerprint({ b: 1, a: { toJSON: () => 'j' } })).toBe(reference({ b: 1, a: { toJSON: () => 'j' } }));
    expect(fingerprint({ f: () => 1, s: Symbol('s') })).toBe(reference({ f: () => 1, s: Symbol('s') }));
  });
});
