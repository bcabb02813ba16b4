import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';

/** The lines every BENCHMARKS.md section starts with: date, machine, command. */
export function machineLines(command: string): string {
  const cpu =
    /^model name\s*:\s*(.*)$/m.exec(existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '')?.[1] ?? '?';
  const cores = execFileSync('nproc').toString().trim();
  return [
    `- Date: ${execFileSync('date').toString().trim()}`,
    `- Machine: ${cores} CPUs (\`nproc\`), ${cpu}, ${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM; Node ${process.version} (${process.platform} ${process.arch})`,
    `- Command: \`${command}\``,
  ].join('\n');
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

/** Replaces (or appends) the section `name` of BENCHMARKS.md, leaving the others as they are. */
export function writeSection(name: string, body: string): void {
  writeSectionOf('BENCHMARKS.md', name, body);
}

/** Replaces (or appends) the section `name` of RELIABILITY.md, leaving the others as they are. */
export function writeReliabilitySection(name: string, body: string): void {
  writeSectionOf('RELIABILITY.md', name, body);
}

/** Replaces (or appends) a marked section of a Markdown file at the project root. */
function writeSectionOf(fileName: string, name: string, body: string): void {
  const file = join(import.meta.dirname, '..', '..', fileName);
  const section = `<!-- bench:${name}:begin -->\n${body.trim()}\n<!-- bench:${name}:end -->`;
  const title = fileName.replace(/\.md$/, '').toLowerCase();
  const before = existsSync(file)
    ? readFileSync(file, 'utf8')
    : `# ${title[0]!.toUpperCase()}${title.slice(1)}\n\nEach run rewrites its own section; the others stay as they are.\n`;
  const pattern = new RegExp(`<!-- bench:${name}:begin -->[\\s\\S]*?<!-- bench:${name}:end -->`);
  writeFileSync(file, pattern.test(before) ? before.replace(pattern, () => section) : `${before.trimEnd()}\n\n${section}\n`);
}

/** The p-th percentile (0–100) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
