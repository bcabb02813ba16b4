import { stringify } from 'csv-stringify/sync';

/**
 * CSV as spreadsheets open it: UTF-8 with a byte order mark (Excel needs it to read Chinese),
 * a header row, CRLF line ends, fields quoted when they need it.
 */
export function toCsv(columns: readonly string[], rows: readonly (readonly (string | number | boolean | null)[])[]): string {
  return (
    '\uFEFF' +
    stringify([[...columns], ...rows.map((row) => row.map((cell) => (cell === null ? '' : String(cell))))], {
      record_delimiter: 'windows',
    })
  );
}
