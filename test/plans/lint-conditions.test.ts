import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

describe('fenyong plan lint on a plan with a CEL condition', () => {
  it('exits 1 and shows the template, the place and the expression with carets under the fault', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fenyong-cel-')), 'plan.yaml');
    writeFileSync(
      file,
      [
        'templates:',
        '  - id: dairy',
        '    template: targeted',
        '    when: line.category == "dairy" && seller.level >= "2"',
        '    params: { from: "2026-05-01", to: "2026-06-01", rate: "5%" }',
        '',
      ].join('\n'),
    );
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => written.push(String(chunk)) > 0);
    const code = await main(['plan', 'lint', file]).finally(() => spy.mockRestore());
    expect(code).toBe(1);
    expect(written.join('')).toBe(
      [
        'REFUSE cel_type_error [dairy]: when: cel_type_error at 1:29 (`seller.level >= "2"`): no such overload: int >= string',
        '       templates[0].when, line 1, column 29:',
        '         line.category == "dairy" && seller.level >= "2"',
        '                                     ^^^^^^^^^^^^^^^^^^^',
        '',
      ].join('\n'),
    );
  });
});
