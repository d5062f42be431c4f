// Active alerts on the wallboard: the supervisor channel sends the active list on subscribe
// ({"type": "alerts"}) and then every transition ({"type": "alert", "event": "fired"|"cleared"}).

export interface Alert {
  id: number;
  rule_id: number;
  rule_name: string;
  severity: 'warning' | 'critical';
  metric: string;
  queue: number | null;
  state: 'active' | 'cleared';
  fired_at: number;
  value: number;
  threshold: number;
  baseline: number | null;
  change: number | null;
  message: string;
  cleared_at: number | null;
  cleared_reason: string | null;
}

export type AlertsEvent = { type: 'alerts'; items: Alert[] } | { type: 'alert'; event: 'fired' | 'cleared'; alert: Alert };

/** Critical before warning, then newest first. */
export function sortAlerts(alerts: Alert[]): Alert[] {
  return [...alerts].sort((a, b) => {
    if (a.severity !== b.severity) return a.severity === 'critical' ? -1 : 1;
    return b.fired_at - a.fired_at || b.id - a.id;
  });
}

export function activeAlertsReducer(active: Alert[], ev: AlertsEvent): Alert[] {
  if (ev.type === 'alerts') return sortAlerts(ev.items.filter((a) => a.state === 'active'));
  const rest = active.filter((a) => a.id !== ev.alert.id);
  return ev.event === 'fired' ? sortAlerts([...rest, ev.alert]) : rest;
}

/** The alert events in one supervisor-channel message (none for other messages). */
export function alertEventsFromWs(msg: { type: string; [k: string]: unknown }): AlertsEvent[] {
  if (msg.type === 'alerts' && Array.isArray(msg.items)) return [{ type: 'alerts', items: msg.items as Alert[] }];
  if (msg.type === 'alert' && (msg.event === 'fired' || msg.event === 'cleared') && msg.alert && typeof msg.alert === 'object') {
    return [{ type: 'alert', event: msg.event, alert: msg.alert as Alert }];
  }
  return [];
}

/** "Backlog · Billing" — the rule and what it is about. */
export function alertSubject(a: Alert, queueNames: Map<number, string>): string {
  if (a.queue === null || a.queue === undefined) return `${a.rule_name} · center`;
  return `${a.rule_name} · ${queueNames.get(a.queue) ?? `queue ${a.queue}`}`;
}

/** The figure as people read it: ratios as percentages, seconds as seconds. */
export function formatAlertValue(metric: string, value: number): string {
  if (metric.includes('service_level') || metric.includes('rate')) return `${(value * 100).toFixed(1)} %`;
  if (metric.endsWith('_s')) return `${Math.round(value)} s`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

// ---------------------------------------------------------------------------------------------
// Alert rules (GET/POST /api/v1/alert-rules, PUT/DELETE /api/v1/alert-rules/{id}; docs/alerts.md).

export type RuleKind = 'threshold' | 'baseline_change';
export type RuleScope = 'center' | 'queue' | 'each_queue';

export interface AlertRule {
  id: number;
  name: string;
  enabled: boolean;
  severity: 'warning' | 'critical';
  metric: string;
  source: 'live' | 'interval';
  scope: RuleScope;
  queue: number | null;
  kind: RuleKind;
  comparison: 'above' | 'below';
  threshold: number;
  clear_threshold: number;
  fire_after: number;
  clear_after: number;
  fire_for_s: number;
  clear_for_s: number;
  min_offered: number;
  min_baseline: number;
}

export interface AlertMetric {
  name: string;
  source: 'live' | 'interval';
  unit: string; // "ratio", "count", "s"
  description: string;
}

/** The rule form: numbers as typed text, so that a half-typed value is not lost. */
export interface RuleDraft {
  name: string;
  enabled: boolean;
  severity: 'warning' | 'critical';
  metric: string;
  scope: RuleScope;
  queue: string;
  kind: RuleKind;
  comparison: 'above' | 'below';
  threshold: string;
  clear_threshold: string; // empty: the threshold itself (no hysteresis band)
  fire_after: string;
  clear_after: string;
  fire_for_s: string;
  clear_for_s: string;
  min_offered: string;
  min_baseline: string;
}

export function defaultRuleDraft(): RuleDraft {
  return {
    name: '',
    enabled: true,
    severity: 'warning',
    metric: 'waiting',
    scope: 'center',
    queue: '',
    kind: 'threshold',
    comparison: 'above',
    threshold: '',
    clear_threshold: '',
    fire_after: '1',
    clear_after: '1',
    fire_for_s: '0',
    clear_for_s: '0',
    min_offered: '0',
    min_baseline: '0',
  };
}

export function ruleToDraft(r: AlertRule): RuleDraft {
  return {
    name: r.name,
    enabled: r.enabled,
    severity: r.severity,
    metric: r.metric,
    scope: r.scope,
    queue: r.queue === null || r.queue === undefined ? '' : String(r.queue),
    kind: r.kind,
    comparison: r.comparison,
    threshold: String(r.threshold),
    clear_threshold: r.clear_threshold === r.threshold ? '' : String(r.clear_threshold),
    fire_after: String(r.fire_after),
    clear_after: String(r.clear_after),
    fire_for_s: String(r.fire_for_s),
    clear_for_s: String(r.clear_for_s),
    min_offered: String(r.min_offered),
    min_baseline: String(r.min_baseline),
  };
}

export type RuleErrors = Record<string, string>;

function num(text: string): number | null {
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/**
 * The request body of a draft, or the errors that keep it from being sent (the same rules the
 * server applies, so most mistakes are caught before a round trip; the server has the last word).
 */
export function ruleBody(d: RuleDraft, metrics: AlertMetric[]): { body: Record<string, unknown> | null; errors: RuleErrors } {
  const errors: RuleErrors = {};
  const metric = metrics.find((m) => m.name === d.metric);
  if (d.name.trim() === '') errors.name = 'required';
  else if (d.name.length > 200) errors.name = 'at most 200 characters';
  if (!metric) errors.metric = 'choose a figure';
  if (d.kind === 'baseline_change' && metric && metric.source !== 'interval') {
    errors.kind = `baseline change compares interval figures; '${d.metric}' is a live figure`;
  }
  if (d.metric === 'wait_p90_s' && d.scope === 'center') errors.metric = 'wait_p90_s exists per queue only';
  const queue = num(d.queue);
  if (d.scope === 'queue' && (queue === null || queue < 0 || !Number.isInteger(queue))) errors.queue = 'choose a queue';
  const threshold = num(d.threshold);
  if (threshold === null) errors.threshold = 'required, a number';
  const clear = d.clear_threshold.trim() === '' ? null : num(d.clear_threshold);
  if (d.clear_threshold.trim() !== '' && clear === null) errors.clear_threshold = 'a number, or empty';
  if (clear !== null && threshold !== null) {
    if (d.comparison === 'above' && clear > threshold) errors.clear_threshold = 'must be at or below the threshold for "above"';
    if (d.comparison === 'below' && clear < threshold) errors.clear_threshold = 'must be at or above the threshold for "below"';
  }
  const ints: [keyof RuleDraft, number, number][] = [
    ['fire_after', 1, 1000],
    ['clear_after', 1, 1000],
  ];
  const values: Record<string, number> = {};
  for (const [key, lo, hi] of ints) {
    const v = num(d[key] as string);
    if (v === null || !Number.isInteger(v) || v < lo || v > hi) errors[key] = `a whole number ${lo}..${hi}`;
    else values[key] = v;
  }
  for (const key of ['fire_for_s', 'clear_for_s'] as const) {
    const v = num(d[key]);
    if (v === null || v < 0 || v > 86400) errors[key] = 'seconds, 0..86400';
    else values[key] = v;
  }
  const minOffered = num(d.min_offered);
  if (minOffered === null || minOffered < 0 || !Number.isInteger(minOffered)) errors.min_offered = 'a whole number, 0 or more';
  else if (minOffered > 0 && metric && metric.source !== 'interval') errors.min_offered = 'applies to interval figures only';
  const minBaseline = num(d.min_baseline);
  if (minBaseline === null || minBaseline < 0) errors.min_baseline = 'a number, 0 or more';
  if (Object.keys(errors).length > 0) return { body: null, errors };
  const body: Record<string, unknown> = {
    name: d.name.trim(),
    enabled: d.enabled,
    severity: d.severity,
    metric: d.metric,
    scope: d.scope,
    kind: d.kind,
    comparison: d.comparison,
    threshold,
    fire_after: values.fire_after,
    clear_after: values.clear_after,
    fire_for_s: values.fire_for_s,
    clear_for_s: values.clear_for_s,
    min_offered: minOffered,
    min_baseline: minBaseline,
  };
  if (d.scope === 'queue') body.queue = queue;
  if (clear !== null) body.clear_threshold = clear;
  return { body, errors };
}

/** A threshold as people read it: for a baseline change a relative change, else the figure. */
export function formatThreshold(r: Pick<AlertRule, 'kind' | 'metric'>, value: number): string {
  if (r.kind === 'baseline_change') return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(0)} % vs last week`;
  return formatAlertValue(r.metric, value);
}

/** One line describing when a rule fires and clears ("abandon_rate above +50 % vs last week, 2 in a row; clears at or below +20 %"). */
export function describeRule(r: AlertRule, queueNames: Map<number, string>): string {
  const subject =
    r.scope === 'center' ? 'center' : r.scope === 'each_queue' ? 'each queue' : (queueNames.get(r.queue ?? -1) ?? `queue ${r.queue}`);
  const unit = r.source === 'interval' ? (r.fire_after === 1 ? 'interval' : 'intervals') : r.fire_after === 1 ? 'sample' : 'samples';
  let text = `${r.metric} (${subject}) ${r.comparison} ${formatThreshold(r, r.threshold)}`;
  if (r.fire_after > 1) text += ` for ${r.fire_after} ${unit}`;
  if (r.fire_for_s > 0) text += ` lasting ${r.fire_for_s} s`;
  if (r.clear_threshold !== r.threshold) {
    text += `; clears ${r.comparison === 'above' ? 'at or below' : 'at or above'} ${formatThreshold(r, r.clear_threshold)}`;
  }
  return text;
}

/** The history request: newest first, `cursor` from the previous page's next_cursor. */
export function historyPath(opts: { onlyActive?: boolean; rule?: number | null; cursor?: string | null; limit?: number }): string {
  const q = new URLSearchParams();
  q.set('state', opts.onlyActive ? 'active' : 'all');
  if (opts.rule !== null && opts.rule !== undefined) q.set('rule', String(opts.rule));
  q.set('limit', String(opts.limit ?? 50));
  if (opts.cursor) q.set('cursor', opts.cursor);
  return `/api/v1/alerts?${q.toString()}`;
}

/** How long an alert was (or has been) active, "12 min" / "2 h 05 min". */
export function alertDuration(a: Pick<Alert, 'fired_at' | 'cleared_at'>, now: number): string {
  const end = a.cleared_at ?? now;
  const minutes = Math.max(0, Math.round((end - a.fired_at) / 60000));
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
