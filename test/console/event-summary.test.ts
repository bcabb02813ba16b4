import { describe, expect, it } from 'vitest';
import { en } from '../../console/src/i18n/en.ts';
import { zhCN, type MessageKey } from '../../console/src/i18n/zh-CN.ts';
import { summary, type LoggedEvent } from '../../console/src/pages/events/summary.ts';

/** The events page's summary column: instants in the tenant's zone, whatever the browser's. */

function context(lang: 'zh-CN' | 'en') {
  const dictionary: Record<string, string> = lang === 'en' ? en : zhCN;
  return {
    t: (key: MessageKey, values?: Record<string, string | number>) =>
      dictionary[key]!.replace(/\{(\w+)\}/g, (match, name: string) => (values && name in values ? String(values[name]) : match)),
    currency: 'CNY',
    lang,
    zone: 'Asia/Shanghai',
    nameOf: (prefix: string, code: string) => dictionary[`${prefix}.${code}`] ?? null,
  };
}

const logged = (type: string, at: string, payload: Record<string, unknown>) =>
  ({ seq: 1, type, at, payload: { type, ...payload }, source: 'api' }) as unknown as LoggedEvent;

describe('the summary of a tick or of time passed', () => {
  it('tells the logged instant in the tenant zone, not the `at` the shop sent without an offset', () => {
    // A shop in Shanghai sends a bare date (its midnight) or a wall-clock time: the server reads
    // both in the tenant's zone and logs the instant; the browser would read them otherwise.
    const midnight = summary(logged('tick', '2026-03-04T16:00:00.000Z', { at: '2026-03-05' }), context('en'));
    expect(midnight).toMatch(/up to Mar 5, 2026, 00:00$/);
    const tenOClock = summary(logged('tick', '2026-03-06T02:00:00.000Z', { at: '2026-03-06T10:00:00' }), context('zh-CN'));
    expect(tenOClock).toBe('执行截至 2026年3月6日 10:00 到期的结算与周期关账');
    const passed = summary(logged('time.passed', '2026-03-06T02:00:00.000Z', { at: '2026-03-06T02:00:00.000Z' }), context('en'));
    expect(passed).toContain('clock moved to Mar 6, 2026, 10:00');
  });
});
