import { z } from 'zod';
import { CompiledMapping, MappingError, NAME_PATTERN } from '../../../mappings/mapping.ts';
import type { StoredMapping } from '../../../mappings/store.ts';
import { currencyDecimals } from '../../../money/money.ts';
import type { SchemaContext } from '../../../engine/templates/template.ts';
import type { Service } from '../../../service/service.ts';
import { ApiError } from '../../errors.ts';

/** What the mapping routes share: the service, and one cache of compiled expressions. */
export interface MappingRoutes {
  readonly service: Service;
  readonly compiled: CompiledCache;
}

export const nameParam = z.object({
  name: z.string().regex(NAME_PATTERN, 'a mapping name is 1–64 lowercase letters, digits, "-" or "_"'),
});
export const sample = z.object({
  name: z.string().min(1).max(100),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe('request headers the shop sends with it, e.g. {"X-Shopify-Topic": "orders/paid"}'),
  payload: z.unknown().describe('the webhook body as the shop sends it'),
  expect: z.array(z.unknown()).optional().describe('the native events it must map to (checked at save time)'),
});
export const signatureOut = z.object({ header: z.string(), encoding: z.enum(['hex', 'base64']), prefix: z.string() });
export const mappedEvents = z.array(z.record(z.string(), z.unknown()));

/** The path of a tenant's ingestion endpoint for a mapping. */
export const ingestPath = (tenant: string, name: string) => `/v1/ingest/${tenant}/${name}`;

/** The tenant's timezone and currency decimals, which a mapping's expression is compiled against. */
export async function tenantContext(service: Service, tenant: string): Promise<SchemaContext> {
  const row = (
    await service.sql.query<{ timezone: string; currency: string }>('select timezone, currency from tenants where id = $1', [
      tenant,
    ])
  ).rows[0];
  if (!row) throw ApiError.of('not_found', `no tenant ${tenant}`);
  return { timezone: row.timezone, decimals: currencyDecimals(row.currency) };
}

/** Runs `work`, answering a MappingError (it names the mapping and the field) as 400 invalid. */
export function mappingOrError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof MappingError) throw ApiError.of('invalid', error.message, error.path);
    throw error;
  }
}

/** mappingOrError, for work that maps asynchronously. */
export async function mappingOrErrorAsync<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MappingError) throw ApiError.of('invalid', error.message, error.path);
    throw error;
  }
}

/** Compiled expressions by tenant and mapping, recompiled when the mapping changes. */
export class CompiledCache {
  private readonly entries = new Map<string, { version: string; mapping: CompiledMapping }>();

  get(stored: StoredMapping, context: SchemaContext): CompiledMapping {
    const key = `${stored.tenant}\u0000${stored.name}`;
    const version = `${stored.updatedAt}|${context.decimals}|${context.timezone}|${stored.expression.length}`;
    const hit = this.entries.get(key);
    if (hit && hit.version === version) return hit.mapping;
    const mapping = mappingOrError(() => CompiledMapping.compile(stored.name, stored.expression, context));
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(key, { version, mapping });
    return mapping;
  }
}
