import { YAMLError } from 'yaml';

const FILE_ERRORS = new Set(['ENOENT', 'EISDIR', 'EACCES', 'EPERM', 'ENOTDIR', 'EEXIST', 'EROFS', 'ENOSPC']);
/** Errors only a write meets. */
const WRITE_ERRORS = new Set(['EEXIST', 'EROFS', 'ENOSPC']);

/**
 * Why a file named on the command line could not be read, parsed or written (missing, a folder,
 * not readable, not YAML, a path that cannot be made), in one line; null for any other error.
 * `name` is how the file is called in the line (its path by default).
 */
export function unreadableInput(error: unknown, name?: string): string | null {
  if (error instanceof YAMLError) return `not YAML: ${error.message.split('\n')[0]}`;
  const failed = error as NodeJS.ErrnoException | null;
  const code = failed?.code;
  if (code === undefined || !FILE_ERRORS.has(code)) return null;
  const writing = failed!.syscall === 'mkdir' || failed!.syscall === 'write' || WRITE_ERRORS.has(code);
  return `cannot ${writing ? 'write' : 'read'} ${name ?? failed!.path ?? 'a file'} (${code})`;
}
