import type { SimulationReport } from './run.ts';

/**
 * Two small charts as standalone SVG, written by hand (bars, lines, axes, a legend): the cost by
 * rule per month of a plan (stacked bars), and the cost ratio of the plans side by side (grouped
 * bars, with the 30% cap). Plotting uses floats; the figures themselves come from the report.
 */

const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const W = 860;
const H = 420;
const M = { top: 40, right: 170, bottom: 60, left: 90 };

export const escapeXml = (text: string): string =>
  text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

/** Round tick steps (1, 2, 5 × 10^k) covering 0…max. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  if (ticks[ticks.length - 1]! < max) ticks.push(Number((ticks[ticks.length - 1]! + step).toPrecision(12)));
  return ticks;
}

const compact = (value: number): string => {
  const abs = Math.abs(value);
  if (abs >= 1e8) return `${+(value / 1e8).toFixed(2)}亿`;
  if (abs >= 1e4) return `${+(value / 1e4).toFixed(1)}万`;
  return `${+value.toFixed(2)}`;
};

interface Frame {
  readonly parts: string[];
  readonly x: (index: number) => number;
  readonly band: number;
  readonly y: (value: number) => number;
}

function frame(title: string, labels: readonly string[], max: number, format: (value: number) => string, yTitle: string): Frame {
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1]!;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const band = plotW / Math.max(1, labels.length);
  const x = (index: number) => M.left + index * band;
  const y = (value: number) => M.top + plotH - (value / top) * plotH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${M.left}" y="22" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const tick of ticks) {
    const ty = y(tick).toFixed(1);
    parts.push(`<line x1="${M.left}" y1="${ty}" x2="${W - M.right}" y2="${ty}" stroke="#e5e5e5"/>`);
    parts.push(
      `<text x="${M.left - 8}" y="${ty}" text-anchor="end" dominant-baseline="middle" fill="#555">${escapeXml(format(tick))}</text>`,
    );
  }
  parts.push(`<line x1="${M.left}" y1="${y(0).toFixed(1)}" x2="${W - M.right}" y2="${y(0).toFixed(1)}" stroke="#333"/>`);
  parts.push(`<line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${y(0).toFixed(1)}" stroke="#333"/>`);
  const every = Math.max(1, Math.ceil(labels.length / 12));
  labels.forEach((label, index) => {
    if (index % every !== 0) return;
    const lx = (x(index) + band / 2).toFixed(1);
    parts.push(`<text x="${lx}" y="${H - M.bottom + 18}" text-anchor="middle" fill="#555">${escapeXml(label)}</text>`);
  });
  parts.push(
    `<text x="18" y="${M.top + plotH / 2}" transform="rotate(-90 18 ${M.top + plotH / 2})" text-anchor="middle" fill="#555">${escapeXml(yTitle)}</text>`,
  );
  return { parts, x, band, y };
}

function legend(parts: string[], entries: readonly { label: string; color: string; dashed?: boolean }[]): void {
  entries.forEach((entry, index) => {
    const ly = M.top + 10 + index * 20;
    const lx = W - M.right + 16;
    parts.push(
      entry.dashed
        ? `<line x1="${lx}" y1="${ly + 5}" x2="${lx + 12}" y2="${ly + 5}" stroke="${entry.color}" stroke-width="2" stroke-dasharray="4 3"/>`
        : `<rect x="${lx}" y="${ly}" width="12" height="12" fill="${entry.color}"/>`,
      `<text x="${lx + 18}" y="${ly + 10}">${escapeXml(entry.label.length > 22 ? `${entry.label.slice(0, 21)}…` : entry.label)}</text>`,
    );
  });
}

const amount = (money: string): number => Number(money);

/** Stacked bars: each month's cost of plan `planIndex`, split by rule. */
export function costByRuleSvg(report: SimulationReport, planIndex = 0): string {
  const plan = report.plans[planIndex]!;
  const totals = plan.months.map((month) => amount(month.cost));
  const f = frame(
    `Commission cost by rule — ${plan.name}`,
    report.months,
    Math.max(0, ...totals),
    compact,
    `cost (${report.currency})`,
  );
  const barW = f.band * 0.7;
  plan.months.forEach((month, index) => {
    let base = 0;
    plan.rules.forEach((rule, r) => {
      const value = amount(month.costByRule[rule] ?? '0');
      if (value <= 0) return;
      const y1 = f.y(base + value);
      const y0 = f.y(base);
      f.parts.push(
        `<rect x="${(f.x(index) + (f.band - barW) / 2).toFixed(1)}" y="${y1.toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0, y0 - y1).toFixed(1)}" fill="${PALETTE[r % PALETTE.length]}"><title>${escapeXml(`${month.month} ${rule}: ${month.costByRule[rule]}`)}</title></rect>`,
      );
      base += value;
    });
  });
  legend(
    f.parts,
    plan.rules.map((rule, r) => ({ label: rule, color: PALETTE[r % PALETTE.length]! })),
  );
  f.parts.push('</svg>');
  return `${f.parts.join('\n')}\n`;
}

/** Grouped bars: each month's cost ratio (cost / GMV) of every plan, with the cap as a dashed line. */
export function costRatioSvg(report: SimulationReport, cap = 0.3): string {
  const ratios = report.plans.map((plan) => plan.months.map((month) => month.ratio * 100));
  const max = Math.max(cap * 100, ...ratios.flat());
  const f = frame('Cost ratio (commission cost / GMV) per month', report.months, max, (v) => `${+v.toFixed(1)}%`, 'cost ratio');
  const groupW = f.band * 0.8;
  const barW = groupW / report.plans.length;
  ratios.forEach((series, p) => {
    series.forEach((value, index) => {
      const y1 = f.y(value);
      f.parts.push(
        `<rect x="${(f.x(index) + (f.band - groupW) / 2 + p * barW).toFixed(1)}" y="${y1.toFixed(1)}" width="${(barW * 0.92).toFixed(1)}" height="${Math.max(0, f.y(0) - y1).toFixed(1)}" fill="${PALETTE[p % PALETTE.length]}"><title>${escapeXml(`${report.months[index]} ${report.plans[p]!.name}: ${value.toFixed(2)}%`)}</title></rect>`,
      );
    });
  });
  const capY = f.y(cap * 100).toFixed(1);
  f.parts.push(
    `<line x1="${M.left}" y1="${capY}" x2="${W - M.right}" y2="${capY}" stroke="#c00" stroke-width="1.5" stroke-dasharray="6 4"/>`,
  );
  legend(f.parts, [
    ...report.plans.map((plan, p) => ({ label: plan.name, color: PALETTE[p % PALETTE.length]! })),
    { label: `cap ${(cap * 100).toFixed(0)}%`, color: '#c00', dashed: true },
  ]);
  f.parts.push('</svg>');
  return `${f.parts.join('\n')}\n`;
}

/** The chart files of a report: `cost-by-rule-<n>.svg` per plan and `cost-ratio.svg`. */
export function reportCharts(report: SimulationReport, cap = 0.3): { name: string; svg: string }[] {
  return [
    ...report.plans.map((_, index) => ({
      name: `cost-by-rule-${String.fromCharCode(97 + index)}.svg`,
      svg: costByRuleSvg(report, index),
    })),
    { name: 'cost-ratio.svg', svg: costRatioSvg(report, cap) },
  ];
}
