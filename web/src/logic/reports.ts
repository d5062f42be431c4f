// Data shaping for the report pages: query strings, chart series, the SL heatmap, histogram bars,
// the agent table and the channel mix, from the JSON of /api/v1/reports/* (docs/api.md).

/** The KPI object of one report row (a subset of the fields the server sends). */
export interface ReportKpis {
  offered: number;
  handled: number;
  abandoned: number;
  service_level: number;
  asa_s: number;
  aht_s: number;
  abandon_rate: number;
  occupancy: number;
  csat: number;
  csat_responses: number;
  wait_p90_s: number;
  [k: string]: unknown;
}

export interface ReportRow {
  kpis: ReportKpis;
  [dimension: string]: unknown;
}

export interface ReportJson {
  from: string;
  to: string;
  interval_minutes: number;
  time_zone: string;
  columns: string[];
  rows: ReportRow[];
  total: ReportKpis;
}

export interface Bucket {
  lower_s: number;
  upper_s: number | null;
  count: number;
}

export interface Distribution {
  count: number;
  p50_s: number;
  p90_s: number;
  p95_s: number;
  histogram: Bucket[];
}

export interface DistributionsJson {
  columns: string[];
  groups: { keys: Record<string, string>; wait: Distribution; handle: Distribution }[];
  total: { wait: Distribution; handle: Distribution };
}

export interface ReportFilters {
  from: string; // YYYY-MM-DD (local day, inclusive)
  to: string; // YYYY-MM-DD (inclusive)
  interval: 15 | 30 | 60;
  tz: string;
  queue: string; // '' = all
  channel: string; // '' = all
}

/** "2026-11-24" for a Date, in local time. */
export function isoDay(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The last `days` days up to and including `today`. */
export function defaultFilters(today: Date, days = 7): ReportFilters {
  const from = new Date(today.getTime());
  from.setDate(from.getDate() - (days - 1));
  return { from: isoDay(from), to: isoDay(today), interval: 60, tz: 'UTC', queue: '', channel: '' };
}

/** Query string for a report request; `groupBy` [] means one total row. */
export function reportQuery(f: ReportFilters, groupBy: string[], extra: Record<string, string> = {}): string {
  const p = new URLSearchParams();
  p.set('from', f.from);
  p.set('to', f.to);
  p.set('interval', String(f.interval));
  p.set('tz', f.tz);
  if (f.queue) p.set('queue', f.queue);
  if (f.channel) p.set('channel', f.channel);
  p.set('group_by', groupBy.length === 0 ? 'none' : groupBy.join(','));
  for (const [k, v] of Object.entries(extra)) p.set(k, v);
  return p.toString();
}

/** Days covered by a filter (inclusive), or an error text. */
export function validateFilters(f: ReportFilters): string | null {
  const re = /^\d{4}-\d{2}-\d{2}$/;
  if (!re.test(f.from) || !re.test(f.to)) return 'Dates must be YYYY-MM-DD.';
  if (f.to < f.from) return 'The end date is before the start date.';
  const days = (Date.parse(`${f.to}T00:00:00Z`) - Date.parse(`${f.from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days > 400) return 'A report covers at most 400 days.';
  return null;
}

export interface SeriesPoint {
  label: string; // "2026-11-24T10:00:00+00:00"
  offered: number;
  handled: number;
  abandoned: number;
  serviceLevel: number | null; // null without outcomes (no SL, not 0 %)
  asaS: number | null;
}

/** One point per interval row, in time order. */
export function intervalSeries(r: ReportJson, dimension = 'interval'): SeriesPoint[] {
  return r.rows
    .map((row) => ({
      label: String(row[dimension] ?? ''),
      offered: row.kpis.offered,
      handled: row.kpis.handled,
      abandoned: row.kpis.abandoned,
      serviceLevel: row.kpis.handled + row.kpis.abandoned > 0 ? row.kpis.service_level : null,
      asaS: row.kpis.handled > 0 ? row.kpis.asa_s : null,
    }))
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

/** A short axis label: "Tue 10:00" for an ISO local time, the text itself otherwise. */
export function shortTimeLabel(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  if (!m) return iso;
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))).getUTCDay();
  return `${WEEKDAYS[(day + 6) % 7]} ${m[4]}:${m[5]}`;
}

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export interface Heatmap {
  slots: string[]; // time-of-day labels, "HH:MM", ascending
  cells: (number | null)[][]; // [weekday 0=Mon..6][slot] → SL, null without traffic
  offered: number[][];
}

/** SL by weekday × time of day from rows grouped by weekday,time_of_day. */
export function slHeatmap(r: ReportJson): Heatmap {
  const slots = Array.from(new Set(r.rows.map((row) => String(row.time_of_day ?? '')))).filter((s) => s !== '').sort();
  const index = new Map(slots.map((s, i) => [s, i]));
  const cells: (number | null)[][] = WEEKDAYS.map(() => slots.map(() => null));
  const offered: number[][] = WEEKDAYS.map(() => slots.map(() => 0));
  for (const row of r.rows) {
    const wd = Number(row.weekday);
    const slot = index.get(String(row.time_of_day ?? ''));
    if (!Number.isInteger(wd) || wd < 0 || wd > 6 || slot === undefined) continue;
    offered[wd][slot] = row.kpis.offered;
    cells[wd][slot] = row.kpis.handled + row.kpis.abandoned > 0 ? row.kpis.service_level : null;
  }
  return { slots, cells, offered };
}

/** Red (0 %) → amber → green (100 %) for a service level; grey without one. */
export function slColor(sl: number | null): string {
  if (sl === null) return '#eef1f5';
  const v = Math.max(0, Math.min(1, sl));
  // hue 0 (red) .. 130 (green)
  return `hsl(${Math.round(v * 130)}, 65%, ${Math.round(52 + 10 * (1 - Math.abs(v - 0.5) * 2))}%)`;
}

export interface Bar {
  label: string;
  count: number;
  share: number; // of all counts
}

/**
 * Histogram bars: empty buckets at the tail are dropped, and everything from the bucket holding
 * the 99th percentile on is folded into one "≥ x" bar so that a few very long waits do not
 * squash the chart.
 */
export function histogramBars(buckets: Bucket[]): Bar[] {
  const total = buckets.reduce((s, b) => s + b.count, 0);
  if (total === 0) return [];
  let last = buckets.length - 1;
  while (last > 0 && buckets[last].count === 0) last--;
  let cumulative = 0;
  let foldAt = last;
  for (let i = 0; i <= last; i++) {
    cumulative += buckets[i].count;
    if (cumulative >= 0.99 * total) {
      foldAt = Math.min(last, i + 1);
      break;
    }
  }
  const bars: Bar[] = [];
  for (let i = 0; i < foldAt; i++) {
    const b = buckets[i];
    bars.push({ label: `${formatSeconds(b.lower_s)}–${b.upper_s === null ? '' : formatSeconds(b.upper_s)}`, count: b.count, share: b.count / total });
  }
  const rest = buckets.slice(foldAt, last + 1).reduce((s, b) => s + b.count, 0);
  if (rest > 0 || foldAt <= last) bars.push({ label: `≥ ${formatSeconds(buckets[foldAt].lower_s)}`, count: rest, share: rest / total });
  return bars;
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s * 10) / 10}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 >= 1 ? `${Math.round(s % 60)}s` : ''}`;
  return `${Math.floor(s / 3600)}h${Math.round((s % 3600) / 60)}m`;
}

export interface AgentLine {
  agent: string;
  handled: number;
  ahtS: number | null;
  occupancy: number | null;
  adherence: null; // schedule adherence needs workforce management (schedules): not available yet
  csat: number | null;
  csatResponses: number;
}

/** The agent table from rows grouped by agent: most handled first. */
export function agentTable(r: ReportJson): AgentLine[] {
  return r.rows
    .filter((row) => String(row.agent ?? '') !== '')
    .map((row) => ({
      agent: String(row.agent),
      handled: row.kpis.handled,
      ahtS: row.kpis.handled > 0 || Number(row.kpis.handle_samples ?? 0) > 0 ? row.kpis.aht_s : null,
      occupancy: Number(row.kpis.available_s ?? 0) > 0 ? row.kpis.occupancy : null,
      adherence: null,
      csat: row.kpis.csat_responses > 0 ? row.kpis.csat : null,
      csatResponses: row.kpis.csat_responses,
    }))
    .sort((a, b) => b.handled - a.handled || a.agent.localeCompare(b.agent));
}

export interface MixItem {
  channel: string;
  offered: number;
  share: number;
}

/** Offered contacts per channel with their share; channels without traffic left out. */
export function channelMix(r: ReportJson): MixItem[] {
  const total = r.rows.reduce((s, row) => s + row.kpis.offered, 0);
  return r.rows
    .filter((row) => row.kpis.offered > 0)
    .map((row) => ({ channel: String(row.channel ?? ''), offered: row.kpis.offered, share: total > 0 ? row.kpis.offered / total : 0 }))
    .sort((a, b) => b.offered - a.offered || a.channel.localeCompare(b.channel));
}

/** A round upper bound for an axis: 1, 2, 5 × 10^k at or above `v` (at least 1). */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** Which of `n` x-axis labels to print so that at most `max` show. */
export function labelEvery(n: number, max: number): number {
  return n <= max ? 1 : Math.ceil(n / max);
}
