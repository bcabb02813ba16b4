import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/**
 * Runs `work`; with BENCH_PROFILE set, writes a CPU profile of it to
 * $BENCH_PROFILE/<name>.cpuprofile and tells `log` where.
 */
export async function profiled<T>(name: string, log: (line: string) => void, work: () => T | Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return work();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const result = await work();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  log(`wrote ${join(dir, `${name}.cpuprofile`)}`);
  return result;
}
