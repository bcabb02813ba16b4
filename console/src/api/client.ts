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

/**
 * A file from the API (CSV, PDF, XLSX): fetched with the session's bearer token, since a plain
 * <a href> cannot send the Authorization header.
 */
export async function fetchFile(path: string): Promise<Blob> {
  const token = credential();
  let response: Response;
  try {
    response = await fetch(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (error) {
    throw new ApiFailure(0, 'network', error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) {
    if (response.status === 401 && token) onUnauthorized();
    const body = (await response.json().catch(() => null)) as { error?: ApiErrorBody } | null;
    throw new ApiFailure(response.status, body?.error?.code ?? 'invalid', body?.error?.message ?? response.statusText);
  }
  return response.blob();
}

/** Saves a blob under `name` through a temporary object URL. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** GET `path` as a file and save it as `name`. */
export async function download(path: string, name: string): Promise<void> {
  saveBlob(await fetchFile(path), name);
}

/** POSTs a file as the request body with its content type; the JSON answer. */
export async function uploadFile<T>(path: string, body: Blob, contentType: string): Promise<T> {
  const token = credential();
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  } catch (error) {
    throw new ApiFailure(0, 'network', error instanceof Error ? error.message : String(error));
  }
  const json = (await response.json().catch(() => null)) as { error?: ApiErrorBody } | null;
  if (!response.ok) {
    if (response.status === 401 && token) onUnauthorized();
    throw new ApiFailure(
      response.status,
      json?.error?.code ?? 'invalid',
      json?.error?.message ?? response.statusText,
      json?.error?.path,
    );
  }
  return json as T;
}
