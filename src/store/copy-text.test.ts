import { describe, expect, it } from 'vitest';
import { Random } from '../sim/random.ts';
import { copyLine, CopyWriter, isoInstant } from './copy-text.ts';

describe('isoInstant', () => {
  it('is toISOString, across hours, in any order, and at the edges', () => {
    const random = new Random(3);
    const edges = [
      0,
      1,
      59_999,
      3_599_999,
      3_600_000,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      253_402_300_800_000,
      -1,
      1.5,
      -86_400_000,
    ];
    const near = Date.UTC(2026, 2, 1);
    const samples = [
      ...edges,
      ...Array.from({ length: 50_000 }, () =>
        random.chance(0.5) ? near + random.int(0, 86_400_000 * 3) : random.int(0, 253_402_300_799_999),
      ),
    ];
    for (const ms of samples) expect(isoInstant(ms), String(ms)).toBe(new Date(ms).toISOString());
  });
});

describe('CopyWriter', () => {
  const alphabet = [
    'a',
    'Z',
    '0',
    ' ',
    '\\',
    '\t',
    '\n',
    '\r',
    'N',
    'é',
    '名',
    '字',
    '😀',
    '\ud800',
    '\udc00',
    '\u0001',
    '\u007f',
    '\u0080',
    '\u07ff',
    '\u0800',
    '\uffff',
  ];

  it('writes what copyLine makes, as UTF-8, across pieces', () => {
    const random = new Random(9);
    const writer = new CopyWriter();
    let expected = '';
    for (let row = 0; row < 20_000; row++) {
      const text = Array.from({ length: random.int(0, row % 100 === 0 ? 40_000 : 30) }, () => random.pick(alphabet)).join('');
      const int = random.pick([
        0,
        7,
        -7,
        10,
        99,
        100,
        123_456_789,
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
        random.int(-1e9, 1e9),
      ]);
      const amount = random.pick([0n, -1n, 10n ** 15n, 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, BigInt(random.int(-1e9, 1e9))]);
      const optional = random.pick([null, undefined, text]);
      writer.text(text).tab().int(int).tab().amount(amount).tab().nullable(optional).end();
      expected += copyLine([text, int, amount, optional]);
    }
    const pieces = writer.finish();
    expect(pieces.length).toBeGreaterThan(1);
    expect(Buffer.concat(pieces).equals(Buffer.from(expected))).toBe(true);
  });
});
