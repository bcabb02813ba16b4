import { inflateSync } from 'node:zlib';
// @ts-expect-error fontkit ships no type declarations
import * as fontkit from 'fontkit';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The text of every page of a PDF, as pdf.js extracts it (what a reader copies or searches). */
export async function pdfText(pdf: Buffer): Promise<{ pages: number; text: string }> {
  const document = await getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false, verbosity: 0 })
    .promise;
  try {
    const pages: string[] = [];
    for (let n = 1; n <= document.numPages; n++) {
      const page = await document.getPage(n);
      const content = await page.getTextContent();
      pages.push(content.items.map((item) => ('str' in item ? item.str : '')).join(''));
    }
    return { pages: document.numPages, text: pages.join('\n') };
  } finally {
    await document.destroy();
  }
}

/**
 * The TrueType fonts embedded in a PDF (its FontFile2 streams), each with its number of glyphs
 * (.notdef aside) and how many have an outline: only a blank (a space) has none. A font embedded
 * from a WOFF2 by fontkit has no outline at all, and readers draw its text as nothing.
 */
export function embeddedFonts(pdf: Buffer): { name: string; glyphs: number; outlined: number }[] {
  const text = pdf.toString('latin1');
  const fonts: { name: string; glyphs: number; outlined: number }[] = [];
  for (const reference of text.matchAll(/\/FontFile2 (\d+) 0 R/g)) {
    const descriptor = text.slice(text.lastIndexOf(' obj', reference.index), text.indexOf('endobj', reference.index));
    const name = /\/FontName \/(\S+)/.exec(descriptor)?.[1] ?? '';
    const start = text.indexOf(`\n${reference[1]} 0 obj`);
    const streamAt = text.indexOf('stream\n', start) + 'stream\n'.length;
    const dictionary = text.slice(start, streamAt);
    const length = Number(/\/Length (\d+)/.exec(dictionary)![1]);
    let data = pdf.subarray(streamAt, streamAt + length);
    if (dictionary.includes('/FlateDecode')) data = inflateSync(data);
    const font = fontkit.create(Buffer.from(data));
    let glyphs = 0;
    let outlined = 0;
    for (let id = 1; id < font.numGlyphs; id++) {
      glyphs += 1;
      try {
        if (font.getGlyph(id).path.commands.length > 0) outlined += 1;
      } catch {
        // glyph data that does not even decode: no outline
      }
    }
    fonts.push({ name, glyphs, outlined });
  }
  return fonts;
}
