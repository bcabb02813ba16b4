import { writeFileSync } from 'node:fs';
import { buildConsoleIfStale, launchChromium } from './test/support/browser.ts';
import { operatorSession, startBareServer, tenantWithNetwork } from './test/support/network-tenant.ts';
import { recorder, timeTo } from './bench/support/page-timing.ts';
import { scrollThrough } from './bench/support/explorer-browser.ts';

buildConsoleIfStale();
const members: unknown[] = [{ id: 'W', role: 'branch', level: 1, parent: null }];
for (let i = 0; i < 6000; i++) members.push({ id: `c${String(i).padStart(5, '0')}`, role: 'customer', parent: 'W' });
const server = await startBareServer();
const key = await tenantWithNetwork(server, 'prof', members);
const browser = await launchChromium();
const page = await browser.context.newPage();
await page.addInitScript(recorder(operatorSession(key)));
await page.addInitScript(`window.__long = []; new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ type: 'longtask', buffered: true });`);
await timeTo(page, `${server.url}/network?member=W`, 'network+tree+children:100');
const first = await scrollThrough(page, 2000);
console.log('to 2000: pages p50', first.pages.sort((a,b)=>a-b)[first.pages.length>>1], 'long', first.longTasks.length, Math.max(...first.longTasks, 0));
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.start');
const second = await scrollThrough(page, 3000);
const { profile } = await cdp.send('Profiler.stop');
writeFileSync('/tmp/prof/scroll.cpuprofile', JSON.stringify(profile));
console.log('to 3000: pages', second.pages.map((x) => x.toFixed(0)).join(' '), 'long', second.longTasks.length, Math.max(...second.longTasks, 0));
// self time by function
const self = new Map<string, number>();
const nodes = new Map(profile.nodes.map((n: any) => [n.id, n]));
const dt = profile.timeDeltas; 
for (let i = 0; i < profile.samples.length; i++) {
  const n: any = nodes.get(profile.samples[i]);
  const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
  self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0) / 1000);
}
console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${v.toFixed(0).padStart(6)} ms ${k}`).join('\n'));
await browser.close();
await server.stop();
