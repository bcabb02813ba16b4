/**
 * The awards table's key of an award: `order:<order>` or `period:<period>`, then its member and
 * its rule, joined by `/`. Ids may hold any character, so each part has `\` and `/` escaped with a
 * `\`: unescaped, order `A/B` of member `C` and order `A` of member `B/C` were one key (and the
 * second award's row could never be written). Ids without either character keep the key they
 * always had; migration 012 rewrote the others.
 */
export function awardKeyOf(
  order: string | null | undefined,
  period: string | null | undefined,
  member: string,
  rule: string,
): string {
  const head = order !== null && order !== undefined ? `order:${escaped(order)}` : `period:${escaped(String(period))}`;
  return `${head}/${escaped(member)}/${escaped(rule)}`;
}

/**
 * The keys of order `order`'s awards, as a range [from, to) in byte order (collation "C"): each
 * starts with `order:<order>/`, and the escaping leaves no other order's key between that and
 * `order:<order>0` (`0` follows `/`): an escaped id has no `/` of its own.
 */
export function orderKeyRange(order: string): readonly [from: string, to: string] {
  const head = `order:${escaped(order)}`;
  return [`${head}/`, `${head}0`];
}

function escaped(part: string): string {
  return part.includes('/') || part.includes('\\') ? part.replace(/[\\/]/g, '\\$&') : part;
}
