import { YAMLError } from 'yaml';

/**
 * Why a file named on the command line could not be read or parsed (missing, a folder, not
 * readable, not YAML), in one line; null for any other error. `name` is how the file is called
 * in the line (its path by default).
 */
export function unreadableInput(error: unknown, name?: string): string | null {
  if (error instanceof YAMLError) return `not YAML: ${error.message.split('\n')[0]}`;
  const failed = error as NodeJS.ErrnoException | null;
  if (failed?.code === 'ENOENT' || failed?.code === 'EISDIR' || failed?.code === 'EACCES')
    return `cannot read ${name ?? failed.path ?? 'a file'} (${failed.code})`;
  return null;
}
