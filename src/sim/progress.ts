import type { Progress } from './run.ts';

const int = (value: number) => Math.round(value).toLocaleString('en-US');

/** A progress line, e.g. `[simulate]  35% · plan "A" (1/2) 70% · 2026-05-14 · 700,000 orders · 12.3 s`. */
export function progressLine(label: string, progress: Progress): string {
  const percent = (value: number) => `${Math.floor(value * 100)}%`.padStart(4);
  const plan = progress.plans > 1 ? ` · plan "${progress.plan}" (${progress.planIndex + 1}/${progress.plans}) ${percent(progress.fraction).trim()}` : ` · plan "${progress.plan}"`;
  const seconds = progress.elapsedMs / 1000;
  const rate = seconds > 0 ? ` · ${int(progress.orders / Math.max(1e-9, seconds - 0))} orders/s` : '';
  return `[${label}] ${percent(progress.overall)}${plan} · ${progress.at.slice(0, 10)} · ${int(progress.orders)} orders, ${int(progress.events)} events · ${seconds.toFixed(1)} s${progress.planIndex === 0 ? rate : ''}\n`;
}

/** An `onProgress` that writes a line to stderr (or `write`) each time it is called. */
export function progressPrinter(label = 'simulate', write: (line: string) => void = (line) => process.stderr.write(line)): (progress: Progress) => void {
  return (progress) => write(progressLine(label, progress));
}
