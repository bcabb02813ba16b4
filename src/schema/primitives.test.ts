import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { INSTANT_RANGE_MESSAGE, supportedInstant } from '../domain/instants.ts';
import { Random } from '../sim/random.ts';
import { instantValue, plainInstant } from './primitives.ts';

/** What `instant` answered before plain date-times had their own path: luxon for every text. */
function byLuxon(value: string, zone: string): number | { refused: string } {
  const parsed = DateTime.fromISO(value, { zone, setZone: true });
  if (!parsed.isValid) return { refused: `"${value}" is not an ISO 8601 date-time (e.g. 2026-03-01T10:00:00+08:00)` };
  if (!supportedInstant(parsed.toMillis())) return { refused: `"${value}": ${INSTANT_RANGE_MESSAGE}` };
  return parsed.toMillis();
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

describe('instants in the plain ISO form', () => {
  it('are the instant luxon reads, for every fraction of a second', () => {
    for (let ms = 0; ms < 1000; ms++) {
      for (const fraction of [pad(ms, 3), String(ms / 1000).slice(2, 5) || '0']) {
        const text = `2026-03-01T10:00:00.${fraction}+08:00`;
        expect(plainInstant(text), text).toBe(byLuxon(text, 'UTC'));
      }
    }
  });

  it('are the instant luxon reads, or left to luxon, across dates, times and offsets', () => {
    const random = new Random(11);
    const zones = ['Asia/Shanghai', 'UTC', 'America/New_York'];
    let direct = 0;
    for (let i = 0; i < 20_000; i++) {
      const year = random.pick([1969, 1970, 1999, 2000, 2024, 2026, 2100, 8999, 9000]);
      const month = random.int(0, 13);
      const day = random.int(0, 32);
      const time = `${pad(random.int(0, 25))}:${pad(random.int(0, 60))}:${pad(random.int(0, 61))}`;
      const fraction = random.pick(['', '.5', '.25', '.999', '.1234']);
      const offset = random.pick(['Z', '+08:00', '-05:30', '+14:00', '-00:30', '+23:59', '+24:00', '+05:60', '']);
      const text = `${year}-${pad(month)}-${pad(day)}T${time}${fraction}${offset}`;
      const zone = random.pick(zones);
      const fast = plainInstant(text);
      if (fast !== null) {
        direct += 1;
        expect(fast, text).toBe(byLuxon(text, zone));
      }
      expect(instantValue(text, zone), text).toEqual(byLuxon(text, zone));
    }
    expect(direct).toBeGreaterThan(1000);
  });

  it('leaves every other form to luxon, with its answers', () => {
    const texts = [
      '2026-03-01',
      '2026-03-01T10:00',
      '2026-03-01T10:00:00',
      '2026-03-01t10:00:00z',
      '20260301T100000Z',
      '2026-02-29T00:00:00Z',
      '2024-02-29T00:00:00Z',
      '2026-03-01T24:00:00Z',
      '9000-01-01T00:00:00Z',
      '1969-12-31T23:59:59Z',
      'yesterday',
      '',
    ];
    for (const text of texts) expect(instantValue(text, 'Asia/Shanghai'), text).toEqual(byLuxon(text, 'Asia/Shanghai'));
  });

  it('reads a space for the T, or before the offset, as the T form (RFC 3339, YAML 1.1)', () => {
    for (const [spaced, plain] of [
      ['2026-03-01 10:00:00Z', '2026-03-01T10:00:00Z'],
      ['2026-03-01 10:00:00+08:00', '2026-03-01T10:00:00+08:00'],
      ['2026-03-01 10:00:00 +08:00', '2026-03-01T10:00:00+08:00'],
      ['2026-03-01T10:00:00.5 -05:00', '2026-03-01T10:00:00.5-05:00'],
      ['2026-03-01 10:00', '2026-03-01T10:00'],
    ])
      expect(instantValue(spaced!, 'Asia/Shanghai'), spaced).toEqual(instantValue(plain!, 'Asia/Shanghai'));
    expect(instantValue('2026-03-01  10:00:00Z', 'Asia/Shanghai')).toHaveProperty('refused');
  });
});
