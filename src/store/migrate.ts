import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from './sql.ts';

const folder = join(import.meta.dirname, 'migrations');

/** Applies the versioned migrations not applied yet, in one transaction under a lock. */
export async function migrate(sql: Sql): Promise<string[]> {
  // One migrator at a time, also across instances sharing a database: the lock comes first, since
  // two `create table if not exists` at once can both try to create it (a unique violation).
  return sql.transaction(async (tx) => {
    await tx.query('select pg_advisory_xact_lock(7243001)');
    await tx.query(
      'create table if not exists schema_migrations (version text primary key, applied_at timestamptz not null default now())',
    );
    const done = new Set(
      (await tx.query<{ version: string }>('select version from schema_migrations')).rows.map((r) => r.version),
    );
    const applied: string[] = [];
    for (const file of readdirSync(folder)
      .filter((name) => name.endsWith('.sql'))
      .sort()) {
      if (done.has(file)) continue;
      for (const statement of splitStatements(readFileSync(join(folder, file), 'utf8'))) await tx.query(statement);
      await tx.query('insert into schema_migrations (version) values ($1)', [file]);
      applied.push(file);
    }
    return applied;
  });
}

/**
 * Splits a migration into statements at semicolons, except inside dollar-quoted bodies ($$ … $$,
 * e.g. a trigger function); our migrations hold no semicolons inside other literals.
 */
function splitStatements(text: string): string[] {
  const lines = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  const statements: string[] = [];
  let current = '';
  for (const [index, part] of lines.split('$$').entries()) {
    if (index % 2 === 1) {
      current += `$$${part}$$`;
      continue;
    }
    const pieces = part.split(';');
    current += pieces[0];
    for (const piece of pieces.slice(1)) {
      statements.push(current);
      current = piece;
    }
  }
  statements.push(current);
  return statements.map((statement) => statement.trim()).filter(Boolean);
}
