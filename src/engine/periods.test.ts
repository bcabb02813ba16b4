import { describe, expect, it } from 'vitest';
import { Calendar, DAY_MS } from './periods.ts';

const ms = (iso: string): number => {
  const value = Date.parse(iso);
  if (Number.isNaN(value)) throw new Error(`bad instant ${iso}`);
  return value;
};
const HOUR_MS = 3_600_000;

/** DOMAIN.md: periods are calendar periods in the tenant's time zone, labelled 2026-03, 2026-Q1, 2026. */
describe('Calendar', () => {
  describe('in Asia/Shanghai (UTC+8, no DST)', () => {
    const calendar = new Calendar('Asia/Shanghai');

    it('labels a month as yyyy-MM and runs it from local midnight of the 1st to local midnight of the next 1st', () => {
      const period = calendar.periodOf('month', ms('2026-03-15T12:00:00+08:00'));
      expect(period).toEqual({
        kind: 'month',
        label: '2026-03',
        start: ms('2026-03-01T00:00:00+08:00'),
        end: ms('2026-04-01T00:00:00+08:00'),
      });
    });

    it('counts the last instant before local midnight in the old month and local midnight in the new one', () => {
      expect(calendar.periodOf('month', ms('2026-03-31T23:59:59.999+08:00')).label).toBe('2026-03');
      expect(calendar.periodOf('month', ms('2026-04-01T00:00:00+08:00')).label).toBe('2026-04');
      // 2026-03-31T16:00Z is already April 1st in Shanghai
      expect(calendar.periodOf('month', ms('2026-03-31T16:00:00Z')).label).toBe('2026-04');
    });

    it('labels quarters as yyyy-Qn, with Q1 from January to March', () => {
      expect(calendar.periodOf('quarter', ms('2026-02-10T00:00:00+08:00'))).toEqual({
        kind: 'quarter',
        label: '2026-Q1',
        start: ms('2026-01-01T00:00:00+08:00'),
        end: ms('2026-04-01T00:00:00+08:00'),
      });
      expect(calendar.periodOf('quarter', ms('2026-04-01T00:00:00+08:00')).label).toBe('2026-Q2');
      expect(calendar.periodOf('quarter', ms('2026-09-30T23:59:59+08:00')).label).toBe('2026-Q3');
      expect(calendar.periodOf('quarter', ms('2026-12-31T23:59:59+08:00'))).toMatchObject({
        label: '2026-Q4',
        end: ms('2027-01-01T00:00:00+08:00'),
      });
    });

    it('labels a year by its number and ends it at local midnight of January 1st', () => {
      expect(calendar.periodOf('year', ms('2026-07-01T00:00:00+08:00'))).toEqual({
        kind: 'year',
        label: '2026',
        start: ms('2026-01-01T00:00:00+08:00'),
        end: ms('2027-01-01T00:00:00+08:00'),
      });
      expect(calendar.periodOf('year', ms('2026-12-31T16:00:00Z')).label).toBe('2027');
    });

    it('gives February its 28 days, or 29 in a leap year', () => {
      const feb = calendar.periodOf('month', ms('2026-02-14T00:00:00+08:00'));
      expect(feb.end - feb.start).toBe(28 * DAY_MS);
      const leap = calendar.periodOf('month', ms('2028-02-14T00:00:00+08:00'));
      expect(leap.label).toBe('2028-02');
      expect(leap.end - leap.start).toBe(29 * DAY_MS);
    });

    it('names the tax month of an instant by its local month', () => {
      expect(calendar.monthOf(ms('2026-07-31T16:00:00Z'))).toBe('2026-08');
    });
  });

  describe('in America/New_York (DST starts 2026-03-08, ends 2026-11-01)', () => {
    const calendar = new Calendar('America/New_York');

    it('starts March at local midnight in EST and ends it at local midnight in EDT, an hour short of 31 days', () => {
      const march = calendar.periodOf('month', ms('2026-03-20T12:00:00-04:00'));
      expect(march.label).toBe('2026-03');
      expect(march.start).toBe(ms('2026-03-01T05:00:00Z'));
      expect(march.end).toBe(ms('2026-04-01T04:00:00Z'));
      expect(march.end - march.start).toBe(31 * DAY_MS - HOUR_MS);
    });

    it('gives November an extra hour when DST ends', () => {
      const november = calendar.periodOf('month', ms('2026-11-15T12:00:00-05:00'));
      expect(november.start).toBe(ms('2026-11-01T04:00:00Z'));
      expect(november.end).toBe(ms('2026-12-01T05:00:00Z'));
      expect(november.end - november.start).toBe(30 * DAY_MS + HOUR_MS);
    });

    it('counts an instant that is already the next day in UTC for the local day', () => {
      // 2026-04-01T03:30Z is 23:30 on March 31st in New York
      expect(calendar.periodOf('month', ms('2026-04-01T03:30:00Z')).label).toBe('2026-03');
      expect(calendar.periodOf('month', ms('2026-04-01T04:00:00Z')).label).toBe('2026-04');
      expect(calendar.periodOf('quarter', ms('2026-04-01T03:59:59Z')).label).toBe('2026-Q1');
      expect(calendar.periodOf('year', ms('2027-01-01T04:59:59Z')).label).toBe('2026');
      expect(calendar.periodOf('year', ms('2027-01-01T05:00:00Z')).label).toBe('2027');
    });

    it('ends Q1 at local midnight of April 1st in EDT', () => {
      expect(calendar.periodOf('quarter', ms('2026-01-15T00:00:00Z'))).toEqual({
        kind: 'quarter',
        label: '2026-Q1',
        start: ms('2026-01-01T05:00:00Z'),
        end: ms('2026-04-01T04:00:00Z'),
      });
    });
  });

  describe('in Europe/London (BST starts 2026-03-29, ends 2026-10-25)', () => {
    const calendar = new Calendar('Europe/London');

    it('ends March and Q1 at local midnight in BST, an hour before midnight UTC', () => {
      const instant = ms('2026-03-31T22:59:59Z');
      expect(calendar.periodOf('month', instant)).toMatchObject({ label: '2026-03', end: ms('2026-03-31T23:00:00Z') });
      expect(calendar.periodOf('quarter', instant)).toMatchObject({ label: '2026-Q1', end: ms('2026-03-31T23:00:00Z') });
      expect(calendar.periodOf('month', ms('2026-03-31T23:00:00Z')).label).toBe('2026-04');
      expect(calendar.periodOf('quarter', ms('2026-03-31T23:30:00Z')).label).toBe('2026-Q2');
    });

    it('runs a year from midnight GMT to midnight GMT', () => {
      expect(calendar.periodOf('year', ms('2026-06-01T00:00:00Z'))).toEqual({
        kind: 'year',
        label: '2026',
        start: ms('2026-01-01T00:00:00Z'),
        end: ms('2027-01-01T00:00:00Z'),
      });
    });

    it('runs Q4 from midnight BST on October 1st to midnight GMT on January 1st', () => {
      expect(calendar.periodOf('quarter', ms('2026-11-11T11:00:00Z'))).toEqual({
        kind: 'quarter',
        label: '2026-Q4',
        start: ms('2026-09-30T23:00:00Z'),
        end: ms('2027-01-01T00:00:00Z'),
      });
    });
  });

  it('answers correctly whatever order instants are asked in (its cache never leaks a neighbour period)', () => {
    const calendar = new Calendar('Asia/Shanghai');
    const instants = [
      '2026-05-10',
      '2026-03-10',
      '2026-05-31T23:59:59',
      '2026-06-01T00:00:00',
      '2026-01-01',
      '2025-12-31T23:59:59',
    ];
    const expected = ['2026-05', '2026-03', '2026-05', '2026-06', '2026-01', '2025-12'];
    instants.forEach((local, index) => {
      const at = ms(`${local.length === 10 ? `${local}T00:00:00` : local}+08:00`);
      expect(calendar.periodOf('month', at).label).toBe(expected[index]);
      const fresh = new Calendar('Asia/Shanghai').periodOf('month', at);
      expect(calendar.periodOf('month', at)).toEqual(fresh);
    });
  });

  it('contains every instant in its own period: start ≤ at < end', () => {
    for (const zone of ['Asia/Shanghai', 'America/New_York', 'Europe/London']) {
      const calendar = new Calendar(zone);
      for (let at = ms('2026-01-01T00:00:00Z'); at < ms('2027-01-02T00:00:00Z'); at += 7 * HOUR_MS + 13 * 60_000) {
        for (const kind of ['month', 'quarter', 'year'] as const) {
          const period = calendar.periodOf(kind, at);
          expect(period.start <= at && at < period.end).toBe(true);
        }
      }
    }
  });
});
