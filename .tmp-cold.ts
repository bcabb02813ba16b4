import { buildConsoleIfStale, launchChromium } from './test/support/browser.ts';
import { operatorSession, PLATFORM_TOKEN, tenantWithNetwork } from './test/support/network-tenant.ts';
import { recorder, timeTo } from './bench/support/page-timing.ts';
import { startBenchServer } from './bench/support/server-process.ts';
import { mkdtempSync } from 'node:fs';

buildConsoleIfStale();
const members: unknown[] = [{ id: 'W', role: 'branch', level: 1, parent: null }];
for (let i = 0; i < 3000; i++) members.push({ id: `c${String(i).padStart(5, '0')}`, role: 'customer', parent: 'W' });
const server = await startBenchServer('', PLATFORM_TOKEN, [], { FENYONG_DATA_DIR: mkdtempSync('/tmp/fy-cold-') });
const key = await tenantWithNetwork(server, 'cold', members);
for (let run = 0; run < 3; run++) {
  const t0 = performance.now();
  const browser = await launchChromium();
  const t1 = performance.now();
  const page = await browser.context.newPage();
  await page.addInitScript(recorder(operatorSession(key)));
  const r = await timeTo(page, `${server.url}/network?member=W`, 'network+tree+children:100');
  const entries = await page.evaluate(() => performance.getEntries().filter((e) => e.entryType === 'navigation' || e.entryType === 'resource').map((e) => `${e.entryType === 'navigation' ? 'NAV' : e.name.replace(/^https?:\/\/[^/]+/, '')} start ${e.startTime.toFixed(0)} end ${(e as PerformanceResourceTiming).responseEnd.toFixed(0)}`));
  console.log(`run ${run}: launch ${(t1 - t0).toFixed(0)} ms; content ${r.ms.toFixed(0)} ms`);
  console.log(entries.join('\n'));
  await browser.close();
}
await server.stop();
