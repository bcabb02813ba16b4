import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { firstOccurrence } from './local-time.ts';

const utc = (local: DateTime) => firstOccurrence(local).toUTC().toISO();
const at = (text: string, zone: string) => DateTime.fromISO(text, { zone });

describe('firstOccurrence', () => {
  it('takes the first of a wall-clock time that happens twice (the clocks turned back)', () => {
    // Havana goes back from 01:00 (-04) to 00:00 (-05) on 2026-11-01: midnight happens at 04:00Z and 05:00Z.
    expect(utc(at('2026-11-01', 'America/Havana'))).toBe('2026-11-01T04:00:00.000Z');
    expect(utc(at('2026-11-01T00:30', 'America/Havana'))).toBe('2026-11-01T04:30:00.000Z');
    // The Azores go back from 01:00 (+00) to 00:00 (-01) on 2026-10-25.
    expect(utc(at('2026-10-25', 'Atlantic/Azores'))).toBe('2026-10-25T00:00:00.000Z');
    // New York's 01:30 on 2026-11-01 is first EDT (-04).
    expect(utc(at('2026-11-01T01:30', 'America/New_York'))).toBe('2026-11-01T05:30:00.000Z');
  });

  it('moves a time that never happens (the clocks turned forward) forward by the gap, and leaves every other time alone', () => {
    expect(utc(at('2026-03-08T02:30', 'America/New_York'))).toBe('2026-03-08T07:30:00.000Z');
    expect(utc(at('2026-11-01T03:00', 'America/New_York'))).toBe('2026-11-01T08:00:00.000Z');
    expect(utc(at('2026-11-01T00:59', 'America/New_York'))).toBe('2026-11-01T04:59:00.000Z');
    expect(utc(at('2026-03-01', 'Asia/Shanghai'))).toBe('2026-02-28T16:00:00.000Z');
    expect(utc(DateTime.fromISO('2026-11-01T01:30:00-05:00', { setZone: true }))).toBe('2026-11-01T06:30:00.000Z');
  });
});
