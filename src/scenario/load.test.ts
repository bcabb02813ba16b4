import { describe, expect, it } from 'vitest';
import { readYaml } from './load.ts';

describe('readYaml', () => {
  it('keeps unquoted decimals as the digits written, so money never passes through a float', () => {
    expect(readYaml('paid: 119.80\nrate: -0.5\nlist: [1.10, 2]\n')).toEqual({ paid: '119.80', rate: '-0.5', list: ['1.10', 2] });
  });

  it('leaves integers, exponents and quoted text as YAML reads them', () => {
    expect(readYaml('qty: 2\nbig: 1e3\ntext: "0.10"\n')).toEqual({ qty: 2, big: 1000, text: '0.10' });
  });
});
