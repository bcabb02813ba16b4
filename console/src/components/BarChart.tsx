import { useEffect, useRef, useState, type RefObject } from 'react';

export const PALETTE = ['#c2410c', '#0f766e', '#4f46e5', '#ca8a04', '#be185d', '#0369a1', '#65a30d', '#7c3aed', '#64748b'];

export interface Series {
  readonly name: string;
  readonly values: readonly number[];
  readonly color?: string;
}

function useWidth<T extends HTMLElement>(): [RefObject<T | null>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(640);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.max(240, Math.floor(entry.contentRect.width))));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** "Nice" axis steps: 1, 2 or 5 × 10^n. */
function ticks(max: number, min: number): number[] {
  const span = Math.max(max - min, 1e-9);
  const raw = span / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  const last = Math.ceil(max / step - 1e-9);
  for (let n = Math.floor(min / step + 1e-9); n <= last; n++) out.push(n * step);
  return out.length > 1 ? out : [0, step];
}

/**
 * Bars per bucket, stacked when there are several series (negative parts, such as refund
 * adjustments, stack below zero). Hover a bar for its figures; the legend names the series.
 */
export function BarChart({
  labels,
  series,
  format,
  height = 240,
  title,
  grouped = false,
}: {
  labels: readonly string[];
  series: readonly Series[];
  format: (value: number) => string;
  height?: number;
  title: string;
  /** Bars of the series side by side (to compare them) rather than stacked. */
  grouped?: boolean;
}) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const combine = grouped ? (a: number, b: number) => (Math.abs(b) > Math.abs(a) ? b : a) : (a: number, b: number) => a + b;
  const tops = labels.map((_, i) => series.reduce((sum, s) => combine(sum, Math.max(0, s.values[i] ?? 0)), 0));
  const bottoms = labels.map((_, i) => series.reduce((sum, s) => combine(sum, Math.min(0, s.values[i] ?? 0)), 0));
  const axis = ticks(Math.max(...tops, 0), Math.min(...bottoms, 0));
  const top = axis.at(-1) ?? 1;
  const bottom = Math.min(axis[0] ?? 0, 0);
  const left = 56;
  const right = 8;
  const plotTop = 8;
  const plotBottom = height - 24;
  const y = (value: number) => plotBottom - ((value - bottom) / (top - bottom || 1)) * (plotBottom - plotTop);
  const slot = (width - left - right) / Math.max(labels.length, 1);
  const bar = Math.max(2, Math.min(36, slot * 0.7));
  const every = Math.max(1, Math.ceil(labels.length / Math.max(1, Math.floor((width - left) / 64))));
  const colored = series.map((s, i) => ({ ...s, color: s.color ?? PALETTE[i % PALETTE.length]! }));
  return (
    <figure className="chart" ref={ref}>
      <svg width={width} height={height} role="img" aria-label={title}>
        {axis.map((value) => (
          <g key={value}>
            <line x1={left} x2={width - right} y1={y(value)} y2={y(value)} className={value === 0 ? 'axis-zero' : 'grid'} />
            <text x={left - 6} y={y(value)} dy="0.32em" textAnchor="end" className="tick">
              {format(value)}
            </text>
          </g>
        ))}
        {labels.map((label, i) => {
          const x = left + slot * i + (slot - bar) / 2;
          let up = 0;
          let down = 0;
          return (
            <g key={label}>
              <title>{[label, ...colored.map((s) => `${s.name}: ${format(s.values[i] ?? 0)}`)].join('\n')}</title>
              <rect x={left + slot * i} y={plotTop} width={slot} height={plotBottom - plotTop} className="hover-band" />
              {colored.map((s, k) => {
                const value = s.values[i] ?? 0;
                if (value === 0) return null;
                if (grouped) {
                  const width = bar / colored.length;
                  return (
                    <rect
                      key={s.name}
                      x={x + width * k}
                      width={Math.max(1, width - 1)}
                      y={Math.min(y(0), y(value))}
                      height={Math.max(1, Math.abs(y(0) - y(value)))}
                      fill={s.color}
                      rx={width > 6 ? 2 : 0}
                    />
                  );
                }
                const from = value > 0 ? up : down;
                const to = from + value;
                if (value > 0) up = to;
                else down = to;
                return (
                  <rect
                    key={s.name}
                    x={x}
                    width={bar}
                    y={Math.min(y(from), y(to))}
                    height={Math.max(1, Math.abs(y(from) - y(to)))}
                    fill={s.color}
                    rx={bar > 6 ? 2 : 0}
                  />
                );
              })}
              {i % every === 0 ? (
                <text x={left + slot * i + slot / 2} y={height - 6} textAnchor="middle" className="tick">
                  {label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      {colored.length > 1 ? (
        <figcaption className="legend">
          {colored.map((s) => (
            <span key={s.name}>
              <i style={{ background: s.color }} />
              {s.name}
            </span>
          ))}
        </figcaption>
      ) : null}
    </figure>
  );
}
