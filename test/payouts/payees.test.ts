import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/domain/errors.ts';
import { accountDigest, sameAccount } from '../../src/service/account-digest.ts';
import { checkAccount, maskAccount, normaliseAccount } from '../../src/service/payees.ts';

describe('payee accounts', () => {
  it('masks a quarter at each end at most 4 characters, keeping e-mail domains', () => {
    expect(maskAccount('6222021234561234')).toBe('6222********1234');
    expect(maskAccount('6222 0212 3456 1234 567')).toBe('6222***********4567');
    expect(maskAccount('13812345678')).toBe('13*******78');
    expect(maskAccount('1234')).toBe('1**4');
    expect(maskAccount('Zhang.San@Example.com')).toBe('zh*****an@example.com');
  });

  it('digests the normalised account with a key, so spacing and separators do not matter', () => {
    const key = randomBytes(32);
    expect(normaliseAccount(' 6222-0212 3456-1234 ')).toBe('6222021234561234');
    expect(accountDigest('6222 0212 3456 1234', key)).toBe(accountDigest('6222021234561234', key));
    expect(accountDigest('A.B@X.CN', key)).toBe(accountDigest('a.b@x.cn', key));
    expect(sameAccount(accountDigest('6222 0212 3456 1234', key), '6222-0212-3456-1234', key)).toBe(true);
    expect(sameAccount(accountDigest('6222021234561234', key), '6222021234561235', key)).toBe(false);
  });

  it('cannot be reversed without the key: the digest is no plain hash, and another key gives another digest', () => {
    const account = '6222021234561234';
    const digest = accountDigest(account, randomBytes(32));
    expect(digest).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(digest).not.toContain(createHash('sha256').update(account).digest('hex'));
    expect(accountDigest(account, randomBytes(32))).not.toBe(digest);
  });

  it('still recognises an account stored before keyed digests (plain sha256)', () => {
    const legacy = `sha256:${createHash('sha256').update('6222021234561234').digest('hex')}`;
    expect(sameAccount(legacy, '6222 0212 3456 1234', randomBytes(32))).toBe(true);
    expect(sameAccount(legacy, '6222021234561235', randomBytes(32))).toBe(false);
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
