/**
 * PostgreSQL's COPY text format: one line per row, columns separated by tabs, `\N` for null, and
 * backslash, tab, newline and carriage return escaped with a backslash (everything else as is).
 */
export type CopyValue = string | number | bigint | null | undefined;

const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A text value as COPY reads it back unchanged. */
export function copyText(value: string): string {
  return SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]!) : value;
}

/** One field: null and undefined as `\N`, numbers and bigints as decimal text, strings escaped. */
export function copyField(value: CopyValue): string {
  if (value === null || value === undefined) return '\\N';
  return typeof value === 'string' ? copyText(value) : String(value);
}

/** One row as a line (with its newline). */
export function copyLine(values: readonly CopyValue[]): string {
  let line = copyField(values[0]);
  for (let i = 1; i < values.length; i++) line += '\t' + copyField(values[i]);
  return line + '\n';
}
