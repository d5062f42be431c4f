// Hand-written SVG charts for the report pages. They draw what src/logic/reports.ts shaped; no
// charting library.

import { labelEvery, niceMax, shortTimeLabel, slColor, WEEKDAYS, type Bar, type Heatmap, type MixItem, type SeriesPoint } from './logic/reports';
import { formatPercent } from './logic/time';

const W = 760;

/** An axis value: integers as such, others with one decimal. */
function axisNumber(v: number): string {
  return Number.isInteger(Math.round(v * 10) / 10) ? String(Math.round(v)) : v.toFixed(1);
}

const H = 240;
const PAD = { left: 44, right: 44, top: 12, bottom: 34 };

/** Offered/handled bars with the service level (right axis, %) and ASA (dashed, left axis scale in s) as lines. */
export function VolumeChart(props: { points: SeriesPoint[]; testid?: string }) {
  const pts = props.points;
  if (pts.length === 0) return <p class="muted">No traffic in this range.</p>;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const maxVol = niceMax(Math.max(...pts.map((p) => p.offered)));
  const maxAsa = niceMax(Math.max(1, ...pts.map((p) => p.asaS ?? 0)));
  const step = innerW / pts.length;
  const barW = Math.max(1, step * 0.7);
  const x = (i: number) => PAD.left + i * step + step / 2;
  const yVol = (v: number) => PAD.top + innerH - (v / maxVol) * innerH;
  const ySl = (v: number) => PAD.top + innerH - v * innerH;
  const yAsa = (v: number) => PAD.top + innerH - (v / maxAsa) * innerH;
  const line = (get: (p: SeriesPoint) => number | null, y: (v: number) => number) => {
    let d = '';
    let pen = false;
    pts.forEach((p, i) => {
      const v = get(p);
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
      pen = true;
    });
    return d;
  };
  const every = labelEvery(pts.length, 10);
  return (
    <div class="chart" data-testid={props.testid}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Volume, service level and ASA by interval">
        {[0, 0.2, 0.4, 0.6, 0.8, 1].map((f) => (
          <g>
            <line x1={PAD.left} x2={W - PAD.right} y1={ySl(f)} y2={ySl(f)} class="grid-line" />
            <text x={PAD.left - 6} y={ySl(f) + 4} class="axis" text-anchor="end">
              {axisNumber(maxVol * f)}
            </text>
            <text x={W - PAD.right + 6} y={ySl(f) + 4} class="axis">
              {Math.round(f * 100)}%
            </text>
          </g>
        ))}
        {pts.map((p, i) => (
          <g data-testid="chart-bar">
            <rect x={x(i) - barW / 2} y={yVol(p.offered)} width={barW} height={PAD.top + innerH - yVol(p.offered)} class="bar-offered">
              <title>{`${p.label}: offered ${p.offered}, handled ${p.handled}, abandoned ${p.abandoned}, SL ${formatPercent(p.serviceLevel)}, ASA ${p.asaS === null ? '—' : `${Math.round(p.asaS)} s`}`}</title>
            </rect>
            <rect x={x(i) - barW / 2} y={yVol(p.handled)} width={barW} height={PAD.top + innerH - yVol(p.handled)} class="bar-handled" />
          </g>
        ))}
        <path d={line((p) => p.serviceLevel, ySl)} class="line-sl" data-testid="chart-sl-line" />
        <path d={line((p) => p.asaS, yAsa)} class="line-asa" />
        {pts.map((p, i) => (p.serviceLevel === null ? null : <circle cx={x(i)} cy={ySl(p.serviceLevel)} r={2.5} class="dot-sl" />))}
        {pts.map((p, i) => (p.asaS === null ? null : <circle cx={x(i)} cy={yAsa(p.asaS)} r={2} class="dot-asa" />))}
        {pts.map((p, i) =>
          i % every === 0 ? (
            <text x={x(i)} y={H - PAD.bottom + 16} class="axis" text-anchor="middle">
              {shortTimeLabel(p.label)}
            </text>
          ) : null,
        )}
      </svg>
      <div class="legend">
        <span class="key key-offered" /> offered <span class="key key-handled" /> handled <span class="key key-sl" /> service level (right axis) <span class="key key-asa" /> ASA (0–{maxAsa} s)
      </div>
    </div>
  );
}

/** Service level by weekday (rows) × time of day (columns). */
export function SlHeatmap(props: { heatmap: Heatmap; testid?: string }) {
  const h = props.heatmap;
  if (h.slots.length === 0) return <p class="muted">No traffic in this range.</p>;
  const cellW = Math.max(8, Math.min(40, (W - 50) / h.slots.length));
  const cellH = 22;
  const width = 50 + cellW * h.slots.length;
  const height = cellH * 7 + 24;
  const every = labelEvery(h.slots.length, 12);
  return (
    <div class="chart" data-testid={props.testid}>
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Service level by weekday and time of day">
        {WEEKDAYS.map((day, wd) => (
          <g>
            <text x={44} y={wd * cellH + 15} class="axis" text-anchor="end">
              {day}
            </text>
            {h.slots.map((slot, i) => (
              <rect x={50 + i * cellW} y={wd * cellH} width={cellW - 1} height={cellH - 1} fill={slColor(h.cells[wd][i])} data-testid="heatmap-cell">
                <title>{`${day} ${slot}: SL ${formatPercent(h.cells[wd][i])}, offered ${h.offered[wd][i]}`}</title>
              </rect>
            ))}
          </g>
        ))}
        {h.slots.map((slot, i) =>
          i % every === 0 ? (
            <text x={50 + i * cellW + cellW / 2} y={7 * cellH + 16} class="axis" text-anchor="middle">
              {slot}
            </text>
          ) : null,
        )}
      </svg>
      <div class="legend">
        <span class="key" style={{ background: slColor(0) }} /> 0 % <span class="key" style={{ background: slColor(0.5) }} /> 50 % <span class="key" style={{ background: slColor(1) }} /> 100 % <span class="key" style={{ background: slColor(null) }} /> no answered or abandoned contacts
      </div>
    </div>
  );
}

/** Vertical bars with labels under them (histograms). */
export function BarChart(props: { bars: Bar[]; testid?: string; ariaLabel: string }) {
  const bars = props.bars;
  if (bars.length === 0) return <p class="muted">No contacts in this range.</p>;
  const innerW = W - PAD.left - 10;
  const innerH = H - PAD.top - PAD.bottom;
  const max = niceMax(Math.max(...bars.map((b) => b.count)));
  const step = innerW / bars.length;
  const every = labelEvery(bars.length, 12);
  return (
    <div class="chart" data-testid={props.testid}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={props.ariaLabel}>
        {[0, 0.2, 0.4, 0.6, 0.8, 1].map((f) => (
          <g>
            <line x1={PAD.left} x2={W - 10} y1={PAD.top + innerH * (1 - f)} y2={PAD.top + innerH * (1 - f)} class="grid-line" />
            <text x={PAD.left - 6} y={PAD.top + innerH * (1 - f) + 4} class="axis" text-anchor="end">
              {axisNumber(max * f)}
            </text>
          </g>
        ))}
        {bars.map((b, i) => {
          const h = (b.count / max) * innerH;
          return (
            <g>
              <rect x={PAD.left + i * step + step * 0.1} y={PAD.top + innerH - h} width={step * 0.8} height={h} class="bar-offered" data-testid="histogram-bar">
                <title>{`${b.label}: ${b.count} (${(b.share * 100).toFixed(1)} %)`}</title>
              </rect>
              {i % every === 0 ? (
                <text x={PAD.left + i * step + step / 2} y={H - PAD.bottom + 16} class="axis" text-anchor="middle">
                  {b.label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/** One horizontal bar split by channel share. */
export function MixBar(props: { items: MixItem[]; testid?: string }) {
  if (props.items.length === 0) return <p class="muted">No traffic in this range.</p>;
  const colors = ['#2457c5', '#1e8a4c', '#b7791f', '#6b46c1', '#c53030', '#0f766e', '#64748b', '#db2777'];
  let x = 0;
  return (
    <div class="chart" data-testid={props.testid}>
      <svg viewBox="0 0 760 36" role="img" aria-label="Channel mix">
        {props.items.map((m, i) => {
          const w = m.share * 760;
          const r = (
            <rect x={x} y={0} width={Math.max(0, w - 1)} height={36} fill={colors[i % colors.length]} data-testid="mix-segment">
              <title>{`${m.channel}: ${m.offered} (${(m.share * 100).toFixed(1)} %)`}</title>
            </rect>
          );
          x += w;
          return r;
        })}
      </svg>
      <div class="legend">
        {props.items.map((m, i) => (
          <span>
            <span class="key" style={{ background: colors[i % colors.length] }} /> {m.channel} {(m.share * 100).toFixed(1)} % ({m.offered}){' '}
          </span>
        ))}
      </div>
    </div>
  );
}
