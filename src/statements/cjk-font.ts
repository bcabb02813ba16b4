import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { woffToSfnt } from './woff.ts';

/**
 * Noto Sans SC for PDFs, from the npm package @fontsource/noto-sans-sc. Its fonts are split into
 * about a hundred subsets, each declared in `<weight>.css` by an @font-face rule with the
 * `unicode-range` it covers. We read those rules into a code point → subset map and draw text as
 * runs of characters of one subset, each in its own font, so that every glyph exists.
 *
 * Each rule names a `.woff2` and a `.woff` file of the same subset. fontkit (pdfkit's font engine)
 * reads WOFF2, but its subsetter copies glyph data byte for byte from the `glyf` table, which
 * WOFF2 stores transformed: embedded from WOFF2, every glyph comes out empty and the PDF shows
 * blank text (foliojs/pdfkit issue 1004). Its WOFF reader inflates tables with tiny-inflate,
 * which fails on some of these subsets (a font without `cmap`). So we take the `.woff` twin and
 * unpack it with Node's zlib into the plain TrueType font it wraps (woff.ts); fontkit and pdfkit
 * handle that fully.
 */

export type Weight = 400 | 700;

interface Face {
  /** Path of the `.woff` file. */
  readonly file: string;
}

interface FaceSet {
  readonly faces: Face[];
  /** Code point → index in `faces`; the last rule covering a code point wins, as in CSS. */
  readonly byCodePoint: Map<number, number>;
}

const require = createRequire(import.meta.url);
let packageDir: string | null = null;
const faceSets = new Map<Weight, FaceSet>();
const fontFiles = new Map<string, Buffer>();

function fontsourceDir(): string {
  packageDir ??= dirname(require.resolve('@fontsource/noto-sans-sc/400.css'));
  return packageDir;
}

/** Parses the @font-face rules of a fontsource CSS file into faces and their code points. */
export function parseFaces(css: string, baseDir: string): FaceSet {
  const faces: Face[] = [];
  const byCodePoint = new Map<number, number>();
  for (const rule of css.matchAll(/@font-face\s*{([^}]*)}/g)) {
    const body = rule[1]!;
    const woff = /url\(\s*['"]?([^)'"]+\.woff)['"]?\s*\)\s*format\(\s*['"]woff['"]\s*\)/.exec(body);
    const range = /unicode-range\s*:\s*([^;]+);?/.exec(body);
    if (!woff || !range) continue;
    const index = faces.push({ file: join(baseDir, woff[1]!) }) - 1;
    for (const part of range[1]!.split(',')) {
      const match = /^U\+([0-9a-f?]+)(?:-([0-9a-f]+))?$/i.exec(part.trim());
      if (!match) continue;
      // U+4?? is a wildcard range: U+400-4FF.
      const first = parseInt(match[1]!.replace(/\?/g, '0'), 16);
      const last = match[2] ? parseInt(match[2], 16) : parseInt(match[1]!.replace(/\?/g, 'f'), 16);
      for (let cp = first; cp <= last; cp++) byCodePoint.set(cp, index);
    }
  }
  return { faces, byCodePoint };
}

function faceSet(weight: Weight): FaceSet {
  let set = faceSets.get(weight);
  if (!set) {
    const dir = fontsourceDir();
    set = parseFaces(readFileSync(join(dir, `${weight}.css`), 'utf8'), dir);
    if (set.faces.length === 0) throw new Error(`@fontsource/noto-sans-sc/${weight}.css declares no usable font faces`);
    faceSets.set(weight, set);
  }
  return set;
}

function fontFile(path: string): Buffer {
  let data = fontFiles.get(path);
  if (!data) {
    data = woffToSfnt(readFileSync(path));
    fontFiles.set(path, data);
  }
  return data;
}

/** A piece of text drawn in one subset font. */
export interface Run {
  readonly text: string;
  /** Index of the face in its weight's set; -1 for characters no subset covers (drawn as "?"). */
  readonly face: number;
}

/** Splits `text` into runs of characters covered by the same subset. */
export function splitRuns(text: string, weight: Weight = 400): Run[] {
  const { byCodePoint } = faceSet(weight);
  const runs: Run[] = [];
  let current = '';
  let face = -2;
  for (const char of text.replace(/[\r\n\t]+/g, ' ')) {
    let index = byCodePoint.get(char.codePointAt(0)!) ?? -1;
    let shown = char;
    if (index === -1) {
      shown = '?';
      index = byCodePoint.get(0x3f) ?? -1;
    }
    if (index !== face && current !== '') {
      runs.push({ text: current, face });
      current = '';
    }
    face = index;
    current += shown;
  }
  if (current !== '') runs.push({ text: current, face });
  return runs;
}

/**
 * Draws mixed Chinese and Latin text on a pdfkit document in Noto Sans SC, switching subset fonts
 * per run. Only the subsets a document uses are embedded (and pdfkit subsets them further).
 */
export class CjkText {
  private readonly registered = new Set<string>();

  constructor(private readonly doc: PDFKit.PDFDocument) {}

  private use(weight: Weight, face: number, size: number): void {
    const name = `noto-${weight}-${face}`;
    if (!this.registered.has(name)) {
      const file = faceSet(weight).faces[face]?.file;
      if (!file) throw new Error(`no Noto Sans SC subset ${face} of weight ${weight}`);
      this.doc.registerFont(name, fontFile(file));
      this.registered.add(name);
    }
    this.doc.font(name).fontSize(size);
  }

  /** Width of `text` in points. */
  width(text: string, size: number, weight: Weight = 400): number {
    let total = 0;
    for (const run of splitRuns(text, weight)) {
      if (run.face < 0) continue;
      this.use(weight, run.face, size);
      total += this.doc.widthOfString(run.text);
    }
    return total;
  }

  /** `text` cut with "…" so that it fits in `width` points. */
  fit(text: string, width: number, size: number, weight: Weight = 400): string {
    if (this.width(text, size, weight) <= width) return text;
    const chars = [...text];
    while (chars.length > 0 && this.width(chars.join('') + '…', size, weight) > width) chars.pop();
    return chars.join('') + '…';
  }

  /**
   * Draws one line of text at (x, y), within `width` when given (cut to fit; `align` right or
   * center inside it). Returns the width drawn.
   */
  draw(
    text: string,
    x: number,
    y: number,
    options: { size?: number; weight?: Weight; width?: number; align?: 'left' | 'right' | 'center'; color?: string } = {},
  ): number {
    const size = options.size ?? 9;
    const weight = options.weight ?? 400;
    const shown = options.width !== undefined ? this.fit(text, options.width, size, weight) : text;
    const width = this.width(shown, size, weight);
    let cursor = x;
    if (options.width !== undefined && options.align === 'right') cursor = x + options.width - width;
    if (options.width !== undefined && options.align === 'center') cursor = x + (options.width - width) / 2;
    this.doc.fillColor(options.color ?? '#111111');
    for (const run of splitRuns(shown, weight)) {
      if (run.face < 0) continue;
      this.use(weight, run.face, size);
      this.doc.text(run.text, cursor, y, { lineBreak: false });
      cursor += this.doc.widthOfString(run.text);
    }
    return width;
  }
}
