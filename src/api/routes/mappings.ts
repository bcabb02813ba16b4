import type { Register } from '../typed.ts';
import { registerDeleteMapping } from './mappings/delete.ts';
import { registerGetMapping } from './mappings/get.ts';
import { registerIngest } from './mappings/ingest.ts';
import { registerListMappings } from './mappings/list.ts';
import { registerSaveMapping } from './mappings/save.ts';
import { CompiledCache, type MappingRoutes } from './mappings/shared.ts';
import { registerTestMapping } from './mappings/test-payload.ts';

export { ingestPath } from './mappings/shared.ts';

/**
 * Payload mappings (issue 7): PUT/GET/DELETE /v1/mappings/:name (admin), POST
 * /v1/mappings/:name/test (read), and POST /v1/ingest/:tenant/:name, where the shop's own
 * webhooks arrive. That endpoint takes no API key (a shop cannot send one): the request is
 * authenticated by the shop's HMAC-SHA256 signature of the raw body under the mapping's secret,
 * and the tenant is the one named in the URL. One route per file in ./mappings/.
 */
export const registerMappings: Register = (app, { service }) => {
  // One cache for the dry runs and the webhooks: a mapping is compiled once per change, not per push.
  const routes: MappingRoutes = { service, compiled: new CompiledCache() };
  registerListMappings(app, routes);
  registerSaveMapping(app, routes);
  registerGetMapping(app, routes);
  registerDeleteMapping(app, routes);
  registerTestMapping(app, routes);
  registerIngest(app, routes);
};
