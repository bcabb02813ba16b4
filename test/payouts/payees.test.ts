import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/domain/errors.ts';
import { accountHash, checkAccount, maskAccount, normaliseAccount } from '../../src/service/payees.ts';

describe('payee accounts', () => {
  it('masks a quarter at each end at most 4 characters, keeping e-mail domains', () => {
    expect(maskAccount('6222021234561234')).toBe('6222********1234');
    expect(maskAccount('6222 0212 3456 1234 567')).toBe('6222***********4567');
    expect(maskAccount('13812345678')).toBe('13*******78');
    expect(maskAccount('1234')).toBe('1**4');
    expect(maskAccount('Zhang.San@Example.com')).toBe('zh*****an@example.com');
  });

  it('hashes the normalised account, so spacing and separators do not matter', () => {
    expect(normaliseAccount(' 6222-0212 3456-1234 ')).toBe('6222021234561234');
    expect(accountHash('6222 0212 3456 1234')).toBe(createHash('sha256').update('6222021234561234').digest('hex'));
    expect(accountHash('A.B@X.CN')).toBe(accountHash('a.b@x.cn'));
  });

  it('refuses what is no account without repeating it', () => {
    for (const bad of ['12', '6222********1234', 'secret account!', 'x'.repeat(65)]) {
      try {
        checkAccount(bad);
        expect.unreachable(bad);
      } catch (error) {
        expect(error).toBeInstanceOf(InputError);
        expect((error as InputError).message).not.toContain(bad);
      }
    }
  });
});
