import type { TaxRegime } from './tax.ts';

/** No withholding: the member is paid the gross. */
export const none: TaxRegime = { id: 'none', cumulative: false, withhold: () => 0n };
