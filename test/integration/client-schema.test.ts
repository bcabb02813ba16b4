import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLIENT_SCHEMA, generateClientSchema } from '../../src/client/generate.ts';

/** The typed client's schema is generated from the live OpenAPI document: the committed file must be current. */
describe('fenyong/client schema', () => {
  it('src/client/schema.d.ts matches the routes (run `npm run gen:api` after changing the API)', async () => {
    const live = await generateClientSchema();
    expect(readFileSync(CLIENT_SCHEMA, 'utf8') === live, 'src/client/schema.d.ts is stale: run npm run gen:api').toBe(true);
  });
});
