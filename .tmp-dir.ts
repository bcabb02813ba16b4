import { generateNetwork, networkParamsSchema, startingMembers } from './src/sim/network.ts';
import { Engine } from './src/engine/engine.ts';
import { directoryOf } from './src/service/member-directory.ts';
import { keysetPage } from './src/service/keyset-page.ts';
const net = generateNetwork(networkParamsSchema.parse({ members: 200_000, roots: 40, maxDepth: 30, attachment: 1 }), [], 20260301);
const engine = Engine.create({ timezone: 'Asia/Shanghai', currency: 'CNY', plan: { templates: [] }, members: startingMembers(net) });
const network = engine.state.network;
const d = directoryOf(network);
const wide = [...network.all()].reduce((a, b) => ((b.children?.length ?? 0) > (a.children?.length ?? 0) ? b : a));
console.log(wide.id, wide.children!.length, wide.children!.slice(0, 5).map((m) => m.id));
for (let r = 0; r < 5; r++) {
  let t = performance.now(); d.children(wide, null, 100); console.log('children', (performance.now() - t).toFixed(3));
  t = performance.now(); keysetPage(wide.children!, (m) => m.id, null, 101); console.log('keyset', (performance.now() - t).toFixed(3));
  t = performance.now(); let n = 0; for (const c of wide.children!) if (c.id > 'm') n++; console.log('loop', (performance.now() - t).toFixed(3));
}
