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

/** Bytes of one piece of COPY data (one CopyData message; a string longer than that gets its own). */
const PIECE_BYTES = 64 * 1024;

/**
 * COPY data written field by field straight into UTF-8 bytes, escaped on the way: no string per
 * line. Lines made with template strings and joined were a third of the server's allocations per
 * ingested batch (each line a chain of partial strings, then flattened and encoded), and the
 * young-generation collections they caused a fifth of its CPU. Use `text` for strings (escaped),
 * `int` and `amount` for numbers, `nullable` for optional strings, then `tab` or `end`.
 */
export class CopyWriter {
  private bytes = Buffer.allocUnsafe(PIECE_BYTES);
  private at = 0;
  private readonly pieces: Buffer[] = [];

  /** A string as COPY text reads it back unchanged (backslash, tab, newline and CR escaped). */
  text(value: string): this {
    const length = value.length;
    if (this.at + 3 * length > this.bytes.length) this.grow(3 * length);
    // Long text (a payload's JSON) is encoded natively; short text (ids, names) here, without a call.
    if (length > NATIVE_FROM) {
      this.at += this.bytes.write(copyText(value), this.at);
      return this;
    }
    const bytes = this.bytes;
    let at = this.at;
    for (let i = 0; i < length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x80 && c > 13 && c !== 92) bytes[at++] = c;
      else if (c < 0x80) {
        const escape = c === 92 ? 92 : c === 9 ? 116 : c === 10 ? 110 : c === 13 ? 114 : 0;
        if (escape !== 0) bytes[at++] = 92;
        bytes[at++] = escape === 0 ? c : escape;
      } else if (c < 0x800) {
        bytes[at++] = 0xc0 | (c >> 6);
        bytes[at++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < length && isLowSurrogate(value.charCodeAt(i + 1))) {
        const point = 0x10000 + ((c - 0xd800) << 10) + (value.charCodeAt(++i) - 0xdc00);
        bytes[at++] = 0xf0 | (point >> 18);
        bytes[at++] = 0x80 | ((point >> 12) & 0x3f);
        bytes[at++] = 0x80 | ((point >> 6) & 0x3f);
        bytes[at++] = 0x80 | (point & 0x3f);
      } else {
        // A lone surrogate becomes U+FFFD, as Buffer.from encodes it (such input is refused earlier).
        const unit = c >= 0xd800 && c <= 0xdfff ? 0xfffd : c;
        bytes[at++] = 0xe0 | (unit >> 12);
        bytes[at++] = 0x80 | ((unit >> 6) & 0x3f);
        bytes[at++] = 0x80 | (unit & 0x3f);
      }
    }
    this.at = at;
    return this;
  }

  /** A string, or `\N` for null and undefined. */
  nullable(value: string | null | undefined): this {
    return value === null || value === undefined ? this.ascii('\\N') : this.text(value);
  }

  /** An integer, or `\N` for null and undefined. */
  nullableInt(value: number | null | undefined): this {
    return value === null || value === undefined ? this.ascii('\\N') : this.int(value);
  }

  /** An integer as decimal digits. */
  int(value: number): this {
    if (!Number.isSafeInteger(value)) return this.ascii(String(value));
    if (this.at + 17 > this.bytes.length) this.grow(17);
    const bytes = this.bytes;
    let rest = value;
    if (rest < 0) {
      bytes[this.at++] = 45; // '-'
      rest = -rest;
    }
    let digits = 1;
    let at: number;
    if (rest < 2 ** 31) {
      // 32-bit integer division: log positions, journals, line numbers and most amounts.
      for (let left = rest; left >= 10; left = (left / 10) | 0) digits++;
      at = this.at += digits;
      do {
        bytes[--at] = 48 + (rest % 10);
        rest = (rest / 10) | 0;
      } while (rest > 0);
      return this;
    }
    for (let left = rest; left >= 10; left = Math.floor(left / 10)) digits++;
    at = this.at += digits;
    do {
      bytes[--at] = 48 + (rest % 10);
      rest = Math.floor(rest / 10);
    } while (rest > 0);
    return this;
  }

  /** An amount in minor units. */
  amount(value: bigint): this {
    return value >= -MAX_SAFE && value <= MAX_SAFE ? this.int(Number(value)) : this.ascii(value.toString());
  }

  /** An amount in minor units held as a running sum (a safe-integer number, or a bigint). */
  sum(value: number | bigint): this {
    return typeof value === 'number' ? this.int(value) : this.amount(value);
  }

  tab(): this {
    if (this.at === this.bytes.length) this.grow(1);
    this.bytes[this.at++] = 9;
    return this;
  }

  /** Ends the line. */
  end(): this {
    if (this.at === this.bytes.length) this.grow(1);
    this.bytes[this.at++] = 10;
    return this;
  }

  /** The data as UTF-8 pieces, in order; nothing can be written after. */
  finish(): readonly Uint8Array<ArrayBuffer>[] {
    this.seal();
    return this.pieces as Uint8Array<ArrayBuffer>[];
  }

  /** Text known to need no escaping (digits, `\\N`). */
  private ascii(value: string): this {
    if (this.at + value.length > this.bytes.length) this.grow(value.length);
    for (let i = 0; i < value.length; i++) this.bytes[this.at++] = value.charCodeAt(i);
    return this;
  }

  /** Seals the current piece and starts one with room for at least `bytes`. */
  private grow(bytes: number): void {
    this.seal();
    this.bytes = Buffer.allocUnsafe(Math.max(PIECE_BYTES, bytes));
  }

  private seal(): void {
    if (this.at > 0) this.pieces.push(this.bytes.subarray(0, this.at));
    this.bytes = EMPTY;
    this.at = 0;
  }
}

/** Text longer than this is encoded by Buffer's native UTF-8 writer (a call costs more than a short loop). */
const NATIVE_FROM = 32;
const EMPTY = Buffer.alloc(0);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** What `Sql.copy` takes: text, or the pieces a CopyWriter made. */
export type CopyInput = string | readonly Uint8Array<ArrayBuffer>[];

/** Whether there is nothing to copy. */
export function emptyCopy(data: CopyInput): boolean {
  return typeof data === 'string' ? data.length === 0 : data.every((piece) => piece.length === 0);
}

const HOUR_MS = 3_600_000;
/** 10000-01-01: from there on an ISO year has more than four digits. */
const YEAR_10000 = 253_402_300_800_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, '0'));
/** The hour last formatted and its text up to the minutes ("2026-03-01T10:"). */
let hourStart = Number.NaN;
let hourText = '';

/**
 * `new Date(ms).toISOString()`, which is what timestamps are written as, made from the text of
 * the hour and the minutes, seconds and milliseconds within it: the events of a batch fall in
 * few hours, and `toISOString` per log entry and posting run was a few percent of a batch.
 */
export function isoInstant(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= YEAR_10000) return new Date(ms).toISOString();
  let within = ms - hourStart;
  if (!(within >= 0 && within < HOUR_MS)) {
    hourStart = ms - (ms % HOUR_MS);
    hourText = new Date(hourStart).toISOString().slice(0, 14);
    within = ms - hourStart;
  }
  return `${hourText}${TWO_DIGITS[Math.floor(within / 60_000)]}:${TWO_DIGITS[Math.floor(within / 1000) % 60]}.${THREE_DIGITS[within % 1000]}Z`;
}
