// Workforce planning pages: the shapes of /api/v1/wfm answers and the pure logic the pages draw
// from (chart series, staffing and schedule inputs, the schedule grid, the agent's days).

export type ActivityKind = 'work' | 'break' | 'lunch' | 'training' | 'meeting' | 'off';
export const ACTIVITY_KINDS: ActivityKind[] = ['work', 'break', 'lunch', 'training', 'meeting', 'off'];

export interface ForecastInterval {
  start: number;
  local: string;
  volume: number;
  aht_s: number | null;
  horizon_days: number;
  /** Prediction intervals (null in forecasts published without them). */
  lo80?: number | null;
  hi80?: number | null;
  lo95?: number | null;
  hi95?: number | null;
}

export interface ForecastJson {
  id: number;
  queue: string;
  channel: string;
  method: string;
  time_zone: string;
  source: string;
  created_at: number;
  interval_minutes: number;
  history_from: number;
  history_to: number;
  total_volume?: number;
  details?: { backtest_wmape?: { method: string; wmape: number }[]; outliers_replaced?: number; interval_basis?: string; interval_errors?: number };
  intervals?: ForecastInterval[];
  actuals?: { start: number; volume: number }[];
}

export interface AccuracyFigures {
  mape: number;
  wmape: number;
  mase: number;
  bias: number;
  actual_total: number;
  forecast_total: number;
  intervals: number;
  horizon_days?: number;
}

export interface AccuracyJson {
  queue: string;
  forecasts: number[];
  by_horizon: AccuracyFigures[];
  overall: AccuracyFigures;
  intervals_pending: number;
}

export interface StaffingRow {
  start: number;
  local: string;
  volume: number;
  aht_s: number;
  load_erlangs: number;
  shrinkage: number;
  required: number;
  scheduled: number;
  agents: number;
  service_level: number;
  asa_s: number;
  p_abandon: number | null;
  occupancy: number;
  stable: boolean;
}

export interface StaffingJson {
  forecast_id: number;
  model: string;
  patience_s?: number | null;
  patience_estimate?: { abandons: number; calls: number; total_wait_s: number } | null;
  what_if: boolean;
  interval_minutes: number;
  peak_scheduled: number;
  scheduled_agent_hours: number;
  rows: StaffingRow[];
}

export interface Activity {
  id: number;
  schedule_id: number;
  agent: string;
  kind: ActivityKind;
  start: number;
  end: number;
  start_local: string;
  end_local: string;
  label: string;
}

export interface CoverageRow {
  start: number;
  local: string;
  required: number;
  scheduled: number;
  difference: number;
}

export interface ScheduleJson {
  id: number;
  name: string;
  team: string;
  time_zone: string;
  start: number;
  end: number;
  interval_minutes: number;
  state: 'draft' | 'published' | 'superseded';
  revision: number;
  solver: Record<string, unknown>;
  agents?: string[];
  activities?: Activity[];
  coverage?: { intervals: CoverageRow[]; under: number; over: number };
}

/** One point of the forecast chart: what happened and what was forecast for an interval. */
export interface ForecastPoint {
  start: number;
  label: string;
  actual: number | null;
  forecast: number | null;
  /** The forecast's 80 % and 95 % prediction interval, when it has one. */
  band80?: [number, number];
  band95?: [number, number];
}

/** Actuals and forecast on one time axis (sorted by start; an interval present in both has both). */
export function forecastSeries(f: ForecastJson, formatLabel: (ms: number) => string = isoMinute): ForecastPoint[] {
  const byStart = new Map<number, ForecastPoint>();
  const point = (start: number) => {
    let p = byStart.get(start);
    if (!p) {
      p = { start, label: formatLabel(start), actual: null, forecast: null };
      byStart.set(start, p);
    }
    return p;
  };
  for (const a of f.actuals ?? []) point(a.start).actual = a.volume;
  for (const i of f.intervals ?? []) {
    const p = point(i.start);
    p.forecast = i.volume;
    if (i.lo80 != null && i.hi80 != null) p.band80 = [i.lo80, i.hi80];
    if (i.lo95 != null && i.hi95 != null) p.band95 = [i.lo95, i.hi95];
  }
  return [...byStart.values()].sort((a, b) => a.start - b.start);
}

/**
 * SVG path of a prediction-interval band: one closed polygon per run of consecutive points that
 * have the band (upper edge left to right, lower edge back). `x` maps a point's index, `y` a value.
 */
export function bandPath(points: ForecastPoint[], which: 'band80' | 'band95', x: (i: number) => number, y: (v: number) => number): string {
  let d = '';
  let run: number[] = [];
  const flush = () => {
    if (run.length > 0) {
      const upper = run.map((i, k) => `${k === 0 ? 'M' : 'L'}${x(i).toFixed(1)},${y(points[i][which]![1]).toFixed(1)}`);
      const lower = [...run].reverse().map((i) => `L${x(i).toFixed(1)},${y(points[i][which]![0]).toFixed(1)}`);
      d += upper.join('') + lower.join('') + 'Z';
    }
    run = [];
  };
  points.forEach((p, i) => (p[which] ? run.push(i) : flush()));
  flush();
  return d;
}

/** "2026-03-02 09:30" in UTC (the API gives local strings where it matters). */
export function isoMinute(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

export interface ForecastForm {
  queue: string;
  horizonDays: string;
  historyDays: string;
  intervalMinutes: string;
  method: string;
  timeZone: string;
  csv: string;
  /** Ask for 80 % and 95 % prediction intervals (one more back-test on the server). */
  intervals?: boolean;
}

/** The POST /wfm/forecasts body, or the field errors to show. */
export function forecastBody(f: ForecastForm): { body?: Record<string, unknown>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!f.queue.trim()) errors.queue = 'Pick or type a queue';
  const horizon = Number(f.horizonDays);
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 62) errors.horizonDays = 'Whole days, 1 to 62';
  const history = Number(f.historyDays);
  if (!f.csv.trim() && (!Number.isInteger(history) || history < 7 || history > 400)) errors.historyDays = 'Whole days, 7 to 400';
  if (Object.keys(errors).length > 0) return { errors };
  const body: Record<string, unknown> = {
    queue: f.queue.trim(),
    horizon_days: horizon,
    interval_minutes: Number(f.intervalMinutes),
    method: f.method,
    time_zone: f.timeZone.trim() || 'UTC',
  };
  if (f.csv.trim()) body.history_csv = f.csv;
  else body.history_days = history;
  if (f.intervals) body.intervals = true;
  return { body, errors };
}

export interface StaffingForm {
  /** `simulation`: multi-skill staffing by simulation over every queue's newest forecast. */
  model: 'erlang_c' | 'erlang_a' | 'simulation';
  thresholdS: string;
  targetSl: string;
  shrinkage: string;
  patienceS: string;
  ahtS: string;
  whatIfHeadcount: string;
  volumeFactor: string;
  ahtFactor: string;
}

/** The POST /wfm/forecasts/{id}/staffing body (percentages typed as 80 become 0.8). */
export function staffingBody(f: StaffingForm): { body?: Record<string, unknown>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const num = (s: string) => (s.trim() === '' ? null : Number(s));
  const threshold = num(f.thresholdS);
  const sl = num(f.targetSl);
  const shrink = num(f.shrinkage);
  const patience = num(f.patienceS);
  const aht = num(f.ahtS);
  if (threshold === null || !(threshold >= 0)) errors.thresholdS = 'Seconds, 0 or more';
  if (sl === null || !(sl > 0 && sl < 100)) errors.targetSl = 'A percentage between 0 and 100';
  if (shrink !== null && !(shrink >= 0 && shrink < 95)) errors.shrinkage = 'A percentage from 0 to 95';
  if (f.model === 'erlang_a' && patience !== null && !(patience > 0)) errors.patienceS = 'Seconds, more than 0 (empty: estimated from history)';
  if (f.model === 'simulation' && patience !== null && !(patience > 0)) errors.patienceS = 'Seconds, more than 0 (empty: nobody abandons)';
  if (aht !== null && !(aht > 0)) errors.ahtS = 'Seconds, more than 0';
  const headcount = num(f.whatIfHeadcount);
  if (headcount !== null && !(Number.isInteger(headcount) && headcount >= 0)) errors.whatIfHeadcount = 'A whole number of agents';
  const vf = num(f.volumeFactor);
  const af = num(f.ahtFactor);
  if (vf !== null && !(vf >= 0)) errors.volumeFactor = 'A factor, 0 or more';
  if (af !== null && !(af > 0)) errors.ahtFactor = 'A factor above 0';
  if (f.model === 'simulation' && (headcount !== null || vf !== null || af !== null)) {
    const what = 'What-if is for Erlang C/A; the simulation finds the headcount';
    if (headcount !== null) errors.whatIfHeadcount = what;
    if (vf !== null) errors.volumeFactor = what;
    if (af !== null) errors.ahtFactor = what;
  }
  if (Object.keys(errors).length > 0) return { errors };
  if (f.model === 'simulation') {
    const body: Record<string, unknown> = { threshold_s: threshold, target_sl: (sl as number) / 100 };
    if (shrink !== null) body.shrinkage = shrink / 100;
    if (patience !== null) body.patience_s = patience;
    if (aht !== null) body.aht_s = aht;
    return { body, errors };
  }
  const body: Record<string, unknown> = { model: f.model, threshold_s: threshold, target_sl: (sl as number) / 100 };
  if (shrink !== null) body.shrinkage = shrink / 100;
  if (f.model === 'erlang_a' && patience !== null) body.patience_s = patience;
  if (aht !== null) body.aht_s = aht;
  if (headcount !== null) {
    body.what_if = { headcount, volume_factor: vf ?? 1, aht_factor: af ?? 1 };
  }
  return { body, errors };
}

/** The route a staffing form posts to. */
export function staffingRoute(model: StaffingForm['model'], forecastId: number | null): string | null {
  if (model === 'simulation') return '/api/v1/wfm/staffing/simulation';
  return forecastId === null ? null : `/api/v1/wfm/forecasts/${forecastId}/staffing`;
}

export interface SimQueueResult {
  queue: string;
  volume: number;
  aht_s: number | null;
  load_erlangs: number;
  target_sl: number;
  service_level: number | null;
  sl_ci95: number | null;
  asa_s: number | null;
  abandon_rate: number | null;
  erlang_c_alone: number;
  met: boolean;
}

export interface SimStaffingRow {
  start: number;
  local: string;
  agents: number[];
  scheduled: number[];
  total_agents: number;
  total_scheduled: number;
  erlang_c_separate: number;
  pooled_start: number;
  occupancy: number;
  meets_goals: boolean;
  evaluations: number;
  queues: SimQueueResult[];
}

/** POST /wfm/staffing/simulation's answer. */
export interface SimStaffingJson {
  method: 'simulation';
  interval_minutes: number;
  time_zone: string;
  start_date: string;
  days: number;
  forecasts: { queue: string; forecast_id: number }[];
  groups: { name: string; queues: string[] }[];
  replications: number;
  calls_per_replication: number;
  shrinkage: number;
  evaluations: number;
  peak_agents: number;
  peak_scheduled: number;
  scheduled_agent_hours: number;
  rows: SimStaffingRow[];
}

/**
 * What the simulation table shows: the queues that had a forecast (the others have no volume
 * anywhere), the intervals with volume, the agents the pooling saved against separate Erlang C
 * pools at the peak, and each queue's worst simulated service level.
 */
export function simulationSummary(s: SimStaffingJson): {
  queues: string[];
  rows: SimStaffingRow[];
  saved: number;
  worstSl: Record<string, number | null>;
  misses: number;
  /** Whether any queue had abandons (callers with a patience): the table shows the rates. */
  abandons: boolean;
} {
  const queues = s.forecasts.map((f) => f.queue);
  const rows = s.rows.filter((r) => r.queues.some((q) => q.volume > 0));
  let saved = 0;
  let peak = -1;
  let misses = 0;
  let abandons = false;
  const worstSl: Record<string, number | null> = Object.fromEntries(queues.map((q) => [q, null]));
  for (const r of rows) {
    if (r.total_agents > peak) {
      peak = r.total_agents;
      saved = r.erlang_c_separate - r.total_agents;
    }
    if (!r.meets_goals) misses++;
    for (const q of r.queues) {
      if ((q.abandon_rate ?? 0) > 0) abandons = true;
      if (!(q.queue in worstSl) || q.service_level === null) continue;
      const w = worstSl[q.queue];
      worstSl[q.queue] = w === null ? q.service_level : Math.min(w, q.service_level);
    }
  }
  return { queues, rows, saved, worstSl, misses, abandons };
}

/** The busiest interval and totals of a staffing table. */
export function staffingSummary(s: StaffingJson): { peakRequired: number; peakScheduled: number; minSl: number | null } {
  let peakRequired = 0;
  let peakScheduled = 0;
  let minSl: number | null = null;
  for (const r of s.rows) {
    peakRequired = Math.max(peakRequired, r.required);
    peakScheduled = Math.max(peakScheduled, r.scheduled);
    if (r.volume > 0) minSl = minSl === null ? r.service_level : Math.min(minSl, r.service_level);
  }
  return { peakRequired, peakScheduled, minSl };
}

export interface GridCell {
  kind: ActivityKind | null;
  activityId: number | null;
  title: string;
}

export interface ScheduleGrid {
  /** Indexes into coverage.intervals shown (one day). */
  columns: CoverageRow[];
  rows: { agent: string; cells: GridCell[] }[];
  coverage: number[];
}

/** The local day ("YYYY-MM-DD") of each coverage interval, in order of first appearance. */
export function scheduleDays(s: ScheduleJson): string[] {
  const days: string[] = [];
  for (const c of s.coverage?.intervals ?? []) {
    const d = c.local.slice(0, 10);
    if (days[days.length - 1] !== d) days.push(d);
  }
  return days;
}

/**
 * Interval × agent grid of one local day: each cell shows the activity covering the middle of the
 * interval; the coverage row is scheduled − required. Hours nobody works and nothing is required
 * are trimmed from both ends.
 */
export function scheduleGrid(s: ScheduleJson, day: string, trim = true): ScheduleGrid {
  const all = (s.coverage?.intervals ?? []).filter((c) => c.local.startsWith(day));
  const width = s.interval_minutes * 60_000;
  const activities = s.activities ?? [];
  const cellOf = (agent: string, c: CoverageRow): GridCell => {
    const mid = c.start + width / 2;
    const a = activities.find((x) => x.agent === agent && x.start <= mid && x.end > mid);
    return a ? { kind: a.kind, activityId: a.id, title: `${agent}: ${a.kind}${a.label ? ` (${a.label})` : ''} ${a.start_local.slice(11, 16)}–${a.end_local.slice(11, 16)}` } : { kind: null, activityId: null, title: agent };
  };
  const agents = s.agents ?? [...new Set(activities.map((a) => a.agent))].sort();
  let first = 0;
  let last = all.length - 1;
  if (trim) {
    const busy = (c: CoverageRow) => c.required > 0 || agents.some((a) => cellOf(a, c).kind !== null);
    while (first <= last && !busy(all[first])) first++;
    while (last >= first && !busy(all[last])) last--;
  }
  const columns = first <= last ? all.slice(first, last + 1) : [];
  return {
    columns,
    rows: agents.map((agent) => ({ agent, cells: columns.map((c) => cellOf(agent, c)) })),
    coverage: columns.map((c) => Math.round(c.difference * 100) / 100),
  };
}

/** CSS class of a coverage cell: short, exact or over. */
export function coverageClass(diff: number): string {
  if (diff < -0.001) return 'cov-under';
  if (diff > 0.001) return 'cov-over';
  return 'cov-ok';
}

export interface ActivityForm {
  agent: string;
  kind: ActivityKind;
  date: string; // YYYY-MM-DD (schedule's local day)
  from: string; // HH:MM
  to: string; // HH:MM
  label: string;
}

/** The body of POST/PUT …/activities, with times local to the schedule's zone (no offset). */
export function activityBody(f: ActivityForm): { body?: Record<string, unknown>; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!f.agent.trim()) errors.agent = 'Pick an agent';
  if (!ACTIVITY_KINDS.includes(f.kind)) errors.kind = 'Pick an activity';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(f.date)) errors.date = 'A date';
  const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;
  if (!hhmm.test(f.from)) errors.from = 'HH:MM';
  if (!hhmm.test(f.to) && f.to !== '24:00') errors.to = 'HH:MM';
  if (!errors.from && !errors.to && f.to !== '24:00' && f.to <= f.from) errors.to = 'Must be after the start';
  if (Object.keys(errors).length > 0) return { errors };
  const end = f.to === '24:00' ? `${nextDay(f.date)}T00:00` : `${f.date}T${f.to}`;
  return { body: { agent: f.agent.trim(), kind: f.kind, start: `${f.date}T${f.from}`, end, label: f.label.trim() }, errors };
}

export function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The agent's activities grouped by local day (from start_local), in order. */
export function activitiesByDay(activities: Activity[]): { day: string; items: Activity[] }[] {
  const out: { day: string; items: Activity[] }[] = [];
  for (const a of [...activities].sort((x, y) => x.start - y.start)) {
    const day = a.start_local.slice(0, 10);
    if (out.length === 0 || out[out.length - 1].day !== day) out.push({ day, items: [] });
    out[out.length - 1].items.push(a);
  }
  return out;
}

/** Minutes of an activity list by kind (for the agent's day summary). */
export function minutesByKind(activities: Activity[]): Partial<Record<ActivityKind, number>> {
  const out: Partial<Record<ActivityKind, number>> = {};
  for (const a of activities) out[a.kind] = (out[a.kind] ?? 0) + Math.round((a.end - a.start) / 60_000);
  return out;
}

/** A default generate request for the schedule page: one template, breaks, the configured agents. */
export function defaultScheduleRequest(startDate: string, days: number, forecastId: number | null, required: number | null): Record<string, unknown> {
  const intervals = days * 48;
  return {
    name: `week of ${startDate}`,
    start_date: startDate,
    days,
    interval_minutes: 30,
    requirement: forecastId !== null ? { forecast_id: forecastId, shrinkage: 0.3, aht_s: 240 } : { required: Array.from({ length: intervals }, (_, i) => (i % 48 >= 18 && i % 48 < 34 ? (required ?? 1) : 0)) },
    templates: [
      {
        name: 'day',
        length: '8:00',
        earliest_start: '08:00',
        latest_start: '10:00',
        breaks: [
          { name: 'lunch', length_min: 30, earliest_after_min: 180, latest_after_min: 300, paid: false },
        ],
      },
    ],
    agent_defaults: { min_hours: 0, max_hours: 40, max_days: 5 },
    time_limit_s: 10,
  };
}
