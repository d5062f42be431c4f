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
