import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.ts';
import { parseOpenWindow, parseWindow, windowEdge } from './calendar.ts';

const SHANGHAI = 'Asia/Shanghai';
const utc = (text: string) => Date.parse(text);

describe('windowEdge', () => {
  it('reads a day or a month of the tenant zone, a `to` to its end', () => {
    expect(windowEdge('2026-03-01', 'from', SHANGHAI)).toBe(utc('2026-02-28T16:00:00Z'));
    expect(windowEdge('2026-03-01', 'to', SHANGHAI)).toBe(utc('2026-03-01T16:00:00Z'));
    expect(windowEdge('2026-03', 'from', SHANGHAI)).toBe(utc('2026-02-28T16:00:00Z'));
    expect(windowEdge('2026-03', 'to', SHANGHAI)).toBe(utc('2026-03-31T16:00:00Z'));
  });

  it('reads an instant without an offset in the tenant zone, as events are read', () => {
    expect(windowEdge('2026-03-01T10:00:00', 'from', SHANGHAI)).toBe(utc('2026-03-01T02:00:00Z'));
    expect(windowEdge('2026-03-01T10:00:00Z', 'from', SHANGHAI)).toBe(utc('2026-03-01T10:00:00Z'));
  });

  it('refuses what is none of these, naming the field', () => {
    expect(() => windowEdge('Dec 5 2026', 'from', SHANGHAI)).toThrow(
      'from must be YYYY-MM-DD, YYYY-MM or an ISO 8601 instant, not "Dec 5 2026"',
    );
    expect(() => windowEdge('2026-02-30', 'to', SHANGHAI)).toThrow('to is not a valid date');
    expect(() => windowEdge('9999-01-01T00:00:00Z', 'to', SHANGHAI)).toThrow(InputError);
  });
});

describe('parseWindow', () => {
  it('needs `to` after `from`', () => {
    expect(parseWindow('2026-03', '2026-03', SHANGHAI)).toEqual({
      from: utc('2026-02-28T16:00:00Z'),
      to: utc('2026-03-31T16:00:00Z'),
    });
    expect(() => parseWindow('2026-03-02', '2026-03-01T00:00:00+08:00', SHANGHAI)).toThrow('`to` must be after `from`');
  });
});

describe('parseOpenWindow', () => {
  it('leaves an end not given open, and still needs `to` after `from` when both are', () => {
    expect(parseOpenWindow(undefined, undefined, SHANGHAI)).toEqual({ from: null, to: null });
    expect(parseOpenWindow('2026-03', undefined, SHANGHAI)).toEqual({ from: utc('2026-02-28T16:00:00Z'), to: null });
    expect(parseOpenWindow(undefined, '2026-03-01', SHANGHAI)).toEqual({ from: null, to: utc('2026-03-01T16:00:00Z') });
    expect(() => parseOpenWindow('2026-03', '2026-02', SHANGHAI)).toThrow('`to` must be after `from`');
  });
});
