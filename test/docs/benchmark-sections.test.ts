import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A benchmark rewrites everything between its section's markers. Notes written by hand must sit
 * outside them, or the next run erases them: each generated section starts with its own heading.
 */
describe.each(['BENCHMARKS.md', 'RELIABILITY.md'])('%s', (fileName) => {
  const text = readFileSync(join(import.meta.dirname, '..', '..', fileName), 'utf8');
  const sections = [...text.matchAll(/<!-- bench:([\w-]+):begin -->\n([\s\S]*?)<!-- bench:\1:end -->/g)];

  it('has generated sections', () => {
    expect(sections.length).toBeGreaterThan(0);
  });

  it('opens every generated section with a heading, so no hand-written note sits inside one', () => {
    const notOpenedByHeading = sections.filter(([, , body]) => !/^#{1,3} /.test(body!)).map(([, name]) => name);
    expect(notOpenedByHeading).toEqual([]);
  });

  it('holds no note written by hand inside a generated section', () => {
    const notesInside = sections.filter(([, , body]) => /written by hand/.test(body!)).map(([, name]) => name);
    expect(notesInside).toEqual([]);
  });
});
