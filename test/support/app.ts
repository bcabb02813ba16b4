import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { Service } from '../../src/service/service.ts';
import type { Sql } from '../../src/store/sql.ts';
import { openTestDatabase, type Backend } from './db.ts';

/** A parsed JSON body, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export const PLATFORM_TOKEN = 'fyp_test-platform-token';

/** A response of `app.inject`, with its JSON body parsed. */
export interface Reply<T = Json> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly service: Service;
  readonly sql: Sql;
  readonly backend: Backend;
  /** A client with no credentials. */
  readonly anonymous: ApiClient;
  /** A client holding the platform token (creates tenants). */
  readonly platform: ApiClient;
  /** A client holding a tenant key. */
  as(key: string | null): ApiClient;
  close(): Promise<void>;
}

export interface StartOptions {
  /** The wall clock of the app (events sent without `at`, estimates, member views). */
  readonly now?: () => number;
}

/** Builds the HTTP API on a fresh database of the given backend; requests go through `app.inject`. */
export async function startApp(backend: Backend, options: StartOptions = {}): Promise<TestApp> {
  const db = await openTestDatabase(backend);
  const service = new Service(db.sql);
  const app = await buildApp({ service, platformToken: PLATFORM_TOKEN, ...(options.now ? { now: options.now } : {}) });
  await app.ready();
  const as = (key: string | null) => new ApiClient(app, key);
  return {
    app,
    service,
    sql: db.sql,
    backend,
    as,
    anonymous: as(null),
    platform: as(PLATFORM_TOKEN),
    async close() {
      await app.close();
      await db.close();
    },
  };
}

type Query = Record<string, string | number | boolean | undefined>;

/** Thin JSON client over `app.inject` with one `Authorization: Bearer …` header (or none). */
export class ApiClient {
  constructor(
    readonly app: FastifyInstance,
    readonly key: string | null,
  ) {}

  async request<T = Json>(
    method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH',
    path: string,
    options: { query?: Query; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const query = Object.entries(options.query ?? {}).filter(
      (entry): entry is [string, string | number | boolean] => entry[1] !== undefined,
    );
    const url = query.length === 0 ? path : `${path}?${new URLSearchParams(query.map(([k, v]) => [k, String(v)])).toString()}`;
    const headers: Record<string, string> = {
      ...(this.key !== null ? { authorization: `Bearer ${this.key}` } : {}),
      ...options.headers,
    };
    const response = await this.app.inject({
      method,
      url,
      headers,
      ...(options.body !== undefined ? { payload: options.body as object } : {}),
    });
    const text = response.body;
    let body: unknown = null;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    return { status: response.statusCode, body: body as T, text };
  }

  get<T = Json>(path: string, query?: Query): Promise<Reply<T>> {
    return this.request<T>('GET', path, { ...(query ? { query } : {}) });
  }

  post<T = Json>(path: string, body?: unknown, query?: Query): Promise<Reply<T>> {
    return this.request<T>('POST', path, { body: body ?? {}, ...(query ? { query } : {}) });
  }

  delete<T = Json>(path: string): Promise<Reply<T>> {
    return this.request<T>('DELETE', path);
  }

  /** The body of a request that must succeed with `status`; a clear failure otherwise. */
  async ok<T = Json>(reply: Promise<Reply<T>>, status = 200): Promise<T> {
    const got = await reply;
    if (got.status !== status) throw new Error(`expected HTTP ${status}, got ${got.status}: ${got.text}`);
    return got.body;
  }
}

export interface NewTenantInput {
  readonly id: string;
  readonly name?: string;
  readonly timezone?: string;
  readonly currency?: string;
  readonly plan?: unknown;
}

export interface TenantHandle {
  readonly tenant: string;
  readonly adminKey: string;
  /** A client with the tenant's first admin key. */
  readonly admin: ApiClient;
}

/** Creates a tenant through POST /v1/tenants (platform token); answers its first admin key. */
export async function createTenant(test: TestApp, input: NewTenantInput): Promise<TenantHandle> {
  const body = await test.platform.ok<{ tenant: string; adminKey: string }>(
    // Test plans stack templates freely: refuse findings of the compliance lint are allowed here
    // (the tests of that gate post to /v1/tenants themselves).
    test.platform.post('/v1/tenants', { name: input.name ?? input.id, allowRefused: true, ...input }),
    201,
  );
  return { tenant: body.tenant, adminKey: body.adminKey, admin: test.as(body.adminKey) };
}

/** Creates a key of `scope` for the tenant of `admin`; answers the key text and its id. */
export async function createKey(
  admin: ApiClient,
  scope: 'admin' | 'ingest' | 'read',
  label?: string,
): Promise<{ id: string; key: string }> {
  return admin.ok(admin.post('/v1/keys', { scope, ...(label ? { label } : {}) }), 201);
}
