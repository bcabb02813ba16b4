import type { Sql } from '../store/sql.ts';
import { toJson } from '../service/json.ts';
import type { MappingSample } from './mapping.ts';
import type { SignatureScheme } from './signature.ts';

/** A stored mapping; `secret` never leaves the server. */
export interface StoredMapping {
  readonly tenant: string;
  readonly name: string;
  readonly description: string | null;
  readonly expression: string;
  readonly samples: MappingSample[];
  readonly signature: SignatureScheme;
  readonly secret: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface Row {
  tenant_id: string;
  name: string;
  description: string | null;
  expression: string;
  samples: MappingSample[];
  sig_header: string;
  sig_encoding: 'hex' | 'base64';
  sig_prefix: string;
  secret: string;
  created_at: Date | string;
  updated_at: Date | string;
}

const fromRow = (row: Row): StoredMapping => ({
  tenant: row.tenant_id,
  name: row.name,
  description: row.description,
  expression: row.expression,
  samples: row.samples,
  signature: { header: row.sig_header, encoding: row.sig_encoding, prefix: row.sig_prefix },
  secret: row.secret,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

export async function getMapping(sql: Sql, tenant: string, name: string): Promise<StoredMapping | null> {
  const rows = (await sql.query<Row>('select * from mappings where tenant_id = $1 and name = $2', [tenant, name])).rows;
  return rows[0] ? fromRow(rows[0]) : null;
}

export async function listMappings(sql: Sql, tenant: string): Promise<StoredMapping[]> {
  return (await sql.query<Row>('select * from mappings where tenant_id = $1 order by name', [tenant])).rows.map(fromRow);
}

/** Inserts or replaces a mapping; answers whether it was new. */
export async function saveMapping(
  sql: Sql,
  input: Omit<StoredMapping, 'createdAt' | 'updatedAt'>,
): Promise<{ created: boolean }> {
  const rows = (
    await sql.query<{ created: boolean }>(
      `insert into mappings (tenant_id, name, description, expression, samples, sig_header, sig_encoding, sig_prefix, secret)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       on conflict (tenant_id, name) do update set description = excluded.description, expression = excluded.expression,
         samples = excluded.samples, sig_header = excluded.sig_header, sig_encoding = excluded.sig_encoding,
         sig_prefix = excluded.sig_prefix, secret = excluded.secret, updated_at = now()
       returning (xmax = 0) as created`,
      [
        input.tenant,
        input.name,
        input.description,
        input.expression,
        toJson(input.samples),
        input.signature.header,
        input.signature.encoding,
        input.signature.prefix,
        input.secret,
      ],
    )
  ).rows;
  return { created: rows[0]!.created };
}

export async function deleteMapping(sql: Sql, tenant: string, name: string): Promise<boolean> {
  return (
    (await sql.query('delete from mappings where tenant_id = $1 and name = $2 returning name', [tenant, name])).rows.length > 0
  );
}
