/**
 * Failures of the storage itself (the database unreachable or restarting, its disk full), as
 * opposed to a refused input or a bug: nothing was applied, and the same request can be sent again
 * once the storage is back. The API answers them with one stable code, `storage_unavailable`.
 */
export interface StorageFailure {
  /** 503 while the database cannot be reached; 507 when the disk has no room left for writes. */
  readonly status: 503 | 507;
  readonly code: 'storage_unavailable';
  readonly message: string;
  /** Seconds after which a retry makes sense (the Retry-After header). */
  readonly retryAfterSeconds: number;
}

/** Thrown before a write when the database's folder has less free space than the reserve (disk-guard.ts). */
export class StorageFull extends Error {
  constructor(
    readonly folder: string,
    readonly freeBytes: number,
    readonly reserveBytes: number,
  ) {
    super(
      `the database folder has ${mib(freeBytes)} free, less than the ${mib(reserveBytes)} kept in reserve: writes are refused until space is freed`,
    );
    this.name = 'StorageFull';
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** SQLSTATE classes and codes meaning "the server is going away, restarting or out of resources". */
const UNAVAILABLE_SQLSTATE = /^(08|53|58)|^57P0[1-4]$/;

/** Socket errors of a connection to a server that is down or restarting. */
const UNAVAILABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOSPC',
]);

/** What node-postgres says when the connection ends under it (it gives these no code). */
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Connection terminated due to connection timeout',
];

/** The storage failure an error means, or null for any other error. */
export function storageFailure(error: unknown): StorageFailure | null {
  if (error instanceof StorageFull) {
    return {
      status: 507,
      code: 'storage_unavailable',
      message: `${error.message}; nothing of this request was applied`,
      retryAfterSeconds: 60,
    };
  }
  if (!isUnavailable(error)) return null;
  return {
    status: 503,
    code: 'storage_unavailable',
    message:
      'the database cannot be reached right now (restarting?); nothing of this request was applied, send it again (with the same event ids) in a moment',
    retryAfterSeconds: 1,
  };
}

function isUnavailable(error: unknown, depth = 0): boolean {
  if (error === null || typeof error !== 'object' || depth > 3) return false;
  const { code, message, errors, cause } = error as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown };
  if (typeof code === 'string' && (UNAVAILABLE_ERRNO.has(code) || (code.length === 5 && UNAVAILABLE_SQLSTATE.test(code))))
    return true;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => message.startsWith(m))) return true;
  // An AggregateError (a refused connection to both ::1 and 127.0.0.1), or a wrapped cause.
  if (Array.isArray(errors) && errors.some((inner) => isUnavailable(inner, depth + 1))) return true;
  return cause !== undefined && isUnavailable(cause, depth + 1);
}
