import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API_DIR, generateApi } from '../../console/scripts/gen-api.ts';

/** The console's typed client is generated from the API: the committed files must be current. */
describe('console API types', () => {
  it('console/src/api/schema.d.ts and openapi.json match the routes (run `npm run gen:api` after changing the API)', async () => {
    const { document, types } = await generateApi();
    expect(readFileSync(join(API_DIR, 'openapi.json'), 'utf8'), 'openapi.json is stale: run npm run gen:api').toBe(document);
    expect(readFileSync(join(API_DIR, 'schema.d.ts'), 'utf8'), 'schema.d.ts is stale: run npm run gen:api').toBe(types);
  });
});
