import { Engine } from '/work/main/src/engine/engine.ts';
const members = [{ id: 'A', role: 'agency', level: 2 }, { id: 'B', role: 'leader', level: 2, parent: 'A' }, { id: 'c', role: 'customer', parent: 'B' }];
function run(when?: string) {
  const plan = { templates: [{ id: 'ml', template: 'multi-level', ...(when ? { when } : {}), params: { rates: ['10%', '5%'] } }] };
  const engine = Engine.create({ timezone: 'Asia/Shanghai', currency: 'CNY', plan, members });
  const t0 = performance.now();
  const n = 20000;
  for (let i = 0; i < n; i++) {
    engine.apply({ type: 'order.paid', at: new Date(Date.parse('2026-05-01T00:00:00Z') + i * 1000).toISOString(), order: `O${i}`, buyer: 'c',
      lines: [{ line: 1, sku: 's', category: i % 2 ? 'dairy' : 'x', qty: 1, paid: '100.00' }, { line: 2, sku: 't', category: 'dairy', qty: 2, paid: '50.00' }] });
  }
  return ((performance.now() - t0) / n * 1000).toFixed(1);
}
for (let r = 0; r < 4; r++) {
  console.log('none', run(), 'µs/order');
  console.log('line', run('line.category == "dairy" && seller.level >= 2'), 'µs/order');
  console.log('beneficiary', run('beneficiary.position == 0 || beneficiary.level >= 2'), 'µs/order');
  console.log('order', run('seller.level >= 2'), 'µs/order');
}
