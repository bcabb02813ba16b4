import { fail, InputError } from '../domain/errors.ts';

/** The account as compared: whitespace removed; bank numbers without separators; e-mails lower case. */
export function normaliseAccount(account: string): string {
  const compact = account.replace(/\s+/g, '');
  return compact.includes('@') ? compact.toLowerCase() : compact.replace(/-/g, '');
}

/** A valid account after normalising: 4 to 64 characters of letters, digits and . _ + @ - */
export function checkAccount(account: string): string {
  const normal = normaliseAccount(account);
  if (!/^[A-Za-z0-9._+@-]{4,64}$/.test(normal) || normal.includes('*')) {
    // Never echo the account back: the message names the rule only.
    throw new InputError(
      fail('invalid', 'account must be 4 to 64 letters, digits or . _ + @ - (a bank card, or a wallet phone number or e-mail)', [
        'account',
      ]),
    );
  }
  return normal;
}

/**
 * Masks an account, keeping at each end a quarter of it (at most 4 characters): 16 digits give
 * 6222********1234; an e-mail keeps its domain and masks its local part the same way.
 */
export function maskAccount(account: string): string {
  const normal = normaliseAccount(account);
  const at = normal.lastIndexOf('@');
  if (at > 0) return `${maskPart(normal.slice(0, at))}${normal.slice(at)}`;
  return maskPart(normal);
}

function maskPart(text: string): string {
  const keep = Math.min(4, Math.floor(text.length / 4));
  return `${text.slice(0, keep)}${'*'.repeat(text.length - 2 * keep)}${keep > 0 ? text.slice(-keep) : ''}`;
}
