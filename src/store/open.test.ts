import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './open.ts';

describe('opening PGlite in a folder', () => {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('makes the folders above it that are missing (`.data/pglite` on a fresh clone)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'fy-open-'));
    made.push(root);
    const sql = await openDatabase({ dataDir: join(root, '.data', 'pglite'), reserveBytes: 0 });
    try {
      const { rows } = await sql.query<{ n: number }>('select count(*)::int as n from schema_migrations');
      expect(rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await sql.close();
    }
  });
});
