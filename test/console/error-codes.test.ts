import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOGGED_EVENT_TYPES } from '../../src/domain/event-types.ts';
import { en } from '../../console/src/i18n/en.ts';
import { zhCN } from '../../console/src/i18n/zh-CN.ts';
import { STATUS_OF_CODE } from '../../src/api/errors.ts';
import { ERROR_CODES } from '../../src/domain/errors.ts';

/** The console names every refusal in its own language; the server's message (English) follows. */
describe('error codes in the console', () => {
  const dictionaries = { 'zh-CN': zhCN as Record<string, string>, en: en as Record<string, string> };

  it('has a short name for every code the API answers, in both languages', () => {
    for (const [lang, dictionary] of Object.entries(dictionaries))
      for (const code of Object.keys(STATUS_OF_CODE)) expect(dictionary[`errorCode.${code}`], `${lang} ${code}`).toBeTruthy();
  });

  it('tells how to fix every code a rejected event can have, in both languages', () => {
    for (const [lang, dictionary] of Object.entries(dictionaries))
      for (const code of ERROR_CODES) expect(dictionary[`fix.${code}`], `${lang} ${code}`).toBeTruthy();
  });

  it('names no code the API does not have', () => {
    const codes = new Set(Object.keys(STATUS_OF_CODE));
    for (const key of Object.keys(zhCN).filter((k) => k.startsWith('errorCode.')))
      expect(codes.has(key.slice('errorCode.'.length)), key).toBe(true);
  });
});

describe('event types in the console', () => {
  it('names every type of event the log can hold, in both languages', () => {
    for (const dictionary of [zhCN as Record<string, string>, en as Record<string, string>])
      for (const type of LOGGED_EVENT_TYPES) expect(dictionary[`eventType.${type}`], type).toBeTruthy();
  });

  it('offers every event type the schema accepts', () => {
    const schema = readFileSync(join(import.meta.dirname, '../../src/schema/events.ts'), 'utf8');
    const types = [...schema.matchAll(/type: z\.literal\('([a-z._]+)'\)/g)].map((match) => match[1]!);
    expect(types.length).toBeGreaterThan(8);
    for (const type of types) expect(LOGGED_EVENT_TYPES as readonly string[], type).toContain(type);
  });
});

describe('the ledger check in the console', () => {
  it('names every check src/service/verify.ts makes, in both languages', () => {
    const verify = readFileSync(join(import.meta.dirname, '../../src/service/verify.ts'), 'utf8');
    const names = [...verify.matchAll(/name: '([^']+)'|sameLines\(\s*'([^']+)'/g)].map((match) => match[1] ?? match[2]!);
    expect(names.length).toBeGreaterThanOrEqual(8);
    // (A check named on the line after `sameLines(` is found too.)
    expect(names).toContain('withdrawals equal a clean replay');
    for (const dictionary of [zhCN as Record<string, string>, en as Record<string, string>])
      for (const name of names) expect(dictionary[`verify.check.${name}`], name).toBeTruthy();
  });
});
