import type { PlanReport } from './report.ts';
import type { SimulationReport } from './run.ts';

/** The cells a text takes in a terminal: a wide (CJK, full-width) character takes two. */
export const width = (text: string): number => {
  let cells = 0;
  for (const char of text)
    cells += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(char) ? 2 : 1;
  return cells;
};

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => width(row[column] ?? ''))));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => {
        const pad = ' '.repeat(widths[column]! - width(cell));
        return column === 0 ? cell + pad : pad + cell;
      })
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** `1234567.80` → `1,234,567.80` */
export function groupDigits(amount: string): string {
  const [whole, fraction] = amount.split('.');
  const sign = whole!.startsWith('-') ? '-' : '';
  const digits = sign ? whole!.slice(1) : whole!;
  return `${sign}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction !== undefined ? `.${fraction}` : ''}`;
}

const int = (value: number) => value.toLocaleString('en-US');
const percent = (value: number, digits = 1) => `${(value * 100).toFixed(digits)}%`;
const letter = (index: number) => String.fromCharCode(65 + index);

/** What the data is: generated (seed, sizes) or a tenant's replayed history. */
function heading(report: SimulationReport): string {
  const data = report.data as {
    params?: { seed: number; network: { members: number } };
    network?: { joined: number; churned: number };
    orders?: number;
    tenant?: string;
  };
  const span = `${report.months[0]} … ${report.months.at(-1)} (${report.timezone}, ${report.currency})`;
  if (report.kind !== 'generated' || !data.params) return `Replay of tenant ${data.tenant}: ${span}`;
  return (
    `Generated data, seed ${data.params.seed}: ${report.months.length} months ${span}; ${int(data.params.network.members)} members at the start ` +
    `(+${int(data.network?.joined ?? 0)} joined, ${int(data.network?.churned ?? 0)} went inactive); ${int(data.orders ?? 0)} orders`
  );
}

/** The whole report for a terminal: months side by side for the plans, then each plan's details. */
export function renderReport(report: SimulationReport): string {
  const out: string[] = [heading(report)];
  out.push(report.plans.map((plan, index) => `${letter(index)} = ${plan.name}`).join('; '), '');

  const first = report.plans[0]!;
  const sameSales = report.plans.every((plan) => plan.months.every((month, index) => month.gmv === first.months[index]!.gmv));
  const header = ['Month', 'Orders', 'GMV (net)'];
  for (const [index] of report.plans.entries()) {
    header.push(`${letter(index)} cost`, `${letter(index)} ratio`, `${letter(index)} Gini`, `${letter(index)} top 10%`);
    if (!sameSales) header.push(`${letter(index)} GMV`);
  }
  const rows = first.months.map((month, m) => {
    const row = [month.month, int(month.orders), groupDigits(month.gmv)];
    for (const plan of report.plans) {
      const mine = plan.months[m]!;
      row.push(
        groupDigits(mine.cost),
        percent(mine.ratio) + (mine.findings.length ? ' !' : ''),
        mine.payouts.gini.toFixed(3),
        percent(mine.payouts.top10Share),
      );
      if (!sameSales) row.push(groupDigits(mine.gmv));
    }
    return row;
  });
  const total = ['Total', int(first.totals.orders), groupDigits(first.totals.gmv)];
  for (const plan of report.plans) {
    total.push(
      groupDigits(plan.totals.cost),
      percent(plan.totals.ratio),
      plan.totals.payouts.gini.toFixed(3),
      percent(plan.totals.payouts.top10Share),
    );
    if (!sameSales) total.push(groupDigits(plan.totals.gmv));
  }
  out.push(
    textTable(header, [...rows, total]),
    '',
    '  ratio = cost / GMV (cohort: awards of the month\'s orders and of periods ending in it); "!" = above the cap; Gini and top 10% over the month\'s earners',
    '',
  );

  report.plans.forEach((plan, index) => out.push(...planDetails(plan, letter(index)), ''));

  const findings = report.plans.flatMap((plan, index) =>
    plan.findings.map(
      (f) =>
        `${letter(index)}  ${f.severity.toUpperCase().padEnd(6)} ${f.code}${f.template ? ` [${f.template}]` : ''}: ${f.message}`,
    ),
  );
  out.push('Findings', findings.length ? findings.join('\n') : '  none');
  const rejected = report.plans.filter((plan) => plan.rejected.count > 0);
  for (const plan of rejected)
    out.push(
      `${plan.name}: ${int(plan.rejected.count)} events rejected, e.g. ${plan.rejected.samples.map((s) => `${s.code}: ${s.message}`).join('; ')}`,
    );
  return `${out.join('\n')}\n`;
}

function planDetails(plan: PlanReport, label: string): string[] {
  const levels = [...new Set(plan.months.flatMap((month) => Object.keys(month.levels.byLevel)))].sort(
    (a, b) => Number(a) - Number(b),
  );
  const header = [
    'Month',
    ...plan.rules,
    'total',
    'earners',
    'median',
    'max',
    ...levels.map((level) => `L${level}`),
    'customers',
  ];
  const rows = plan.months.map((month) => [
    month.month,
    ...plan.rules.map((rule) => groupDigits(month.costByRule[rule] ?? '0')),
    groupDigits(month.cost),
    int(month.payouts.earners),
    groupDigits(month.payouts.median),
    groupDigits(month.payouts.max),
    ...levels.map((level) => int(month.levels.byLevel[level] ?? 0)),
    int(month.levels.customers),
  ]);
  rows.push([
    'Total',
    ...plan.rules.map((rule) => groupDigits(plan.totals.costByRule[rule] ?? '0')),
    groupDigits(plan.totals.cost),
    int(plan.totals.payouts.earners),
    groupDigits(plan.totals.payouts.median),
    groupDigits(plan.totals.payouts.max),
    ...levels.map(() => ''),
    '',
  ]);
  return [
    `${label}: ${plan.name} — cost by rule, payouts per earner, distributors per level at month end`,
    textTable(header, rows),
  ];
}
