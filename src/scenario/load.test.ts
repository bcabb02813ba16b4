import { YAMLError } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseScenario, readYaml } from './load.ts';

describe('readYaml', () => {
  it('keeps unquoted decimals as the digits written, so money never passes through a float', () => {
    expect(readYaml('paid: 119.80\nrate: -0.5\nlist: [1.10, 2]\n')).toEqual({ paid: '119.80', rate: '-0.5', list: ['1.10', 2] });
  });

  it('writes a decimal without its leading zero (.5) with it, as money reads decimals', () => {
    expect(readYaml('a: .5\nb: -.50\n')).toEqual({ a: '0.5', b: '-0.50' });
  });

  it('leaves integers, exponents and quoted text as YAML reads them', () => {
    expect(readYaml('qty: 2\nbig: 1e3\ntext: "0.10"\n')).toEqual({ qty: 2, big: 1000, text: '0.10' });
  });

  it('applies merge keys and lets an anchor be used any number of times', () => {
    expect(readYaml('base: &b { type: tick }\nevent: { <<: *b, at: x }\n')).toEqual({
      base: { type: 'tick' },
      event: { type: 'tick', at: 'x' },
    });
    const uses = Array.from({ length: 500 }, () => '  - *l').join('\n');
    expect((readYaml(`line: &l { qty: 1 }\nall:\n${uses}\n`) as { all: unknown[] }).all).toHaveLength(500);
  });

  it('reads a file under a %YAML 1.1 directive with the same schema: date-times stay text', () => {
    expect(readYaml('%YAML 1.1\n---\nat: 2026-03-01T10:00:00+08:00\nsku: 010\nflag: no\n')).toEqual({
      at: '2026-03-01T10:00:00+08:00',
      sku: 10,
      flag: 'no',
    });
  });

  it('throws a YAMLError for an alias without its anchor, as for any text that is not YAML', () => {
    expect(() => readYaml('a: *nowhere\n')).toThrow(YAMLError);
    expect(() => readYaml('a: [1, 2\n')).toThrow(YAMLError);
  });
});

describe('parseScenario', () => {
  it('reads a key left empty (YAML null) as its empty list or map, and a number or nothing as a name', () => {
    const scenario = parseScenario(
      readYaml('name: 2026\nplan: {}\nmembers:\nevents:\nexpect:\n  awards:\n  errors:\n  balances:\n'),
    );
    expect(scenario).toMatchObject({ name: '2026', members: [], events: [], expect: { awards: [], errors: [], balances: {} } });
    expect(parseScenario(readYaml('name:\nplan: {}\nexpect:\n')).name).toBe('(unnamed)');
    expect(parseScenario(readYaml('plan: {}\nexpect:\n')).expect).toEqual({});
  });

  it('takes an expected error position written as text', () => {
    expect(parseScenario(readYaml('plan: {}\nexpect: { errors: [ { event: "3", code: invalid } ] }\n')).expect.errors).toEqual([
      { event: 3, code: 'invalid' },
    ]);
  });
});
