import type { Progress } from './run.ts';

const int = (value: number) => Math.round(value).toLocaleString('en-US');
const percent = (value: number) => `${Math.floor(value * 100)}%`;

/** A progress line, e.g. `[simulate]  35% · plan "A" (1/2) 70% · 2026-05-14 · 700,000 orders, 1,400,000 events · 41,000 orders/s · 12.3 s`. */
export function progressLine(label: string, progress: Progress): string {
  const plan =
    progress.plans > 1
      ? `plan "${progress.plan}" (${progress.planIndex + 1}/${progress.plans}) ${percent(progress.fraction)}`
      : `plan "${progress.plan}"`;
  const rate = progress.planElapsedMs > 0 ? int((progress.orders / progress.planElapsedMs) * 1000) : '–';
  return `[${label}] ${percent(progress.overall).padStart(4)} · ${plan} · ${progress.at.slice(0, 10)} · ${int(progress.orders)} orders, ${int(progress.events)} events · ${rate} orders/s · ${(progress.elapsedMs / 1000).toFixed(1)} s\n`;
}

/** An `onProgress` that writes a line to stderr (or `write`) each time it is called. */
export function progressPrinter(
  label = 'simulate',
  write: (line: string) => void = (line) => process.stderr.write(line),
): (progress: Progress) => void {
  return (progress) => write(progressLine(label, progress));
}
