/** JSON for values holding bigint amounts: bigints become decimal strings of minor units. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => (typeof field === 'bigint' ? field.toString() : field));
}
