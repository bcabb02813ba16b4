import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_PARAM_LENGTH, noRoute, PARAM_TOO_LONG } from './errors.ts';

/** Paths that belong to the API and its docs: never answered with the console's index.html. */
const API_PATHS = /^\/(v1|docs|openapi\.json|health)(\/|$|\?)/;

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>fenyong</title>
<p>控制台尚未构建 / The console is not built: run <code>npm run build:console</code> (or <code>npm start</code>, which builds it) and reload.</p>
<p><a href="/docs">API docs</a></p>`;

/**
 * Serves the built web console (console/dist) at `/`: files as they are (hashed assets cached for
 * a year, index.html never), and index.html for any other GET outside /v1, /docs and /openapi.json
 * so that the console's own routes (/members/L111, /plans, …) load on refresh. Unknown /v1 paths
 * answer the API's JSON 404.
 */
export async function registerConsole(app: FastifyInstance, dir: string): Promise<void> {
  const built = existsSync(join(dir, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: '/',
      index: false,
      // (Our cache-control, not the default `public, max-age=0`.)
      cacheControl: false,
      setHeaders(response, path) {
        response.setHeader('cache-control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
  }
  const page = (reply: FastifyReply) =>
    built
      ? reply.header('cache-control', 'no-cache').sendFile('index.html')
      : reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT);
  app.get('/', { schema: { hide: true } }, (_request, reply) => page(reply));
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    if (request.method !== 'GET' && request.method !== 'HEAD') return apiNotFound(request, reply);
    if (API_PATHS.test(path) || path.startsWith('/assets/') || /^\/[^/]*\.[a-z0-9]+$/i.test(path))
      return apiNotFound(request, reply);
    return page(reply);
  });
}

function apiNotFound(request: FastifyRequest, reply: FastifyReply) {
  const path = request.url.split('?')[0]!;
  // A parameter beyond the router's limit matches no API route, so the console's catch-all GET route
  // gets the request: answer it as the router does without the console.
  if (path.split('/').some((segment) => decodedLength(segment) > MAX_PARAM_LENGTH)) return reply.status(414).send(PARAM_TOO_LONG);
  return reply.status(404).send(noRoute(request.method, path));
}

function decodedLength(segment: string): number {
  try {
    return decodeURIComponent(segment).length;
  } catch {
    return segment.length;
  }
}
