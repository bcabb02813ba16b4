import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

/** The error body every endpoint answers with. */
export type ApiErrorBody = components['schemas']['Error']['error'];

/** A request the API refused (or that never reached it: status 0). */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: readonly (string | number)[],
  ) {
    super(message);
  }
}

type CredentialSource = () => string | null;
let credential: CredentialSource = () => null;
let onUnauthorized: () => void = () => undefined;

/** The console's session decides which bearer token goes out and what a 401 does. */
export function configureApi(options: { credential: CredentialSource; onUnauthorized: () => void }): void {
  credential = options.credential;
  onUnauthorized = options.onUnauthorized;
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = credential();
    if (token && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401 && credential()) onUnauthorized();
    return response;
  },
};

/** The typed client of the fenyong API (types generated from its OpenAPI document: npm run gen:api). */
export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

/**
 * The data of an openapi-fetch result, or an ApiFailure with the API's code and message.
 *   const { members } = await ok(api.GET('/v1/members', { params: { query: { q } } }));
 */
export async function ok<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await pending;
  } catch (error) {
    throw new ApiFailure(0, 'network', error instanceof Error ? error.message : String(error));
  }
  if (result.response.ok) return result.data as T;
  const body = (result.error as { error?: ApiErrorBody } | undefined)?.error;
  throw new ApiFailure(result.response.status, body?.code ?? 'invalid', body?.message ?? result.response.statusText, body?.path);
}

export type Schemas = components['schemas'];
type Json<P extends keyof paths, M extends 'get' | 'post'> = paths[P][M] extends {
  responses: { 200: { content: { 'application/json': infer T } } };
}
  ? T
  : paths[P][M] extends { responses: { 201: { content: { 'application/json': infer T } } } }
    ? T
    : never;
/** The JSON body of a successful response: Reply<'/v1/members', 'get'>. */
export type Reply<P extends keyof paths, M extends 'get' | 'post' = 'get'> = Json<P, M>;
