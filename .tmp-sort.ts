const n = 1_000_000;
const make = () => { const a: string[] = []; for (let i = 0; i < n; i++) a.push(JSON.parse(JSON.stringify(`m${String((i * 7919) % n).padStart(6, '0')}`))); return a; };
for (let r = 0; r < 2; r++) {
  let a = make(); let t = performance.now(); a.sort(); console.log('default', (performance.now() - t).toFixed(0));
  a = make(); t = performance.now(); a.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)); console.log('cmp', (performance.now() - t).toFixed(0));
  a = make(); const sorted = a.slice().sort(); t = performance.now(); a = make(); 
  // already-sorted input (entry order == id order for generated ids)
  const b = sorted.slice(); t = performance.now(); b.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)); console.log('cmp presorted', (performance.now() - t).toFixed(0));
}
