import { describe, expect, it } from 'vitest';
import {
  activeAlertsReducer,
  alertDuration,
  alertEventsFromWs,
  alertSubject,
  defaultRuleDraft,
  describeRule,
  formatAlertValue,
  historyPath,
  ruleBody,
  ruleToDraft,
  type Alert,
  type AlertMetric,
  type AlertRule,
} from './alerts';

function alert(id: number, over: Partial<Alert> = {}): Alert {
  return {
    id,
    rule_id: 1,
    rule_name: 'Backlog',
    severity: 'warning',
    metric: 'waiting',
    queue: 0,
    state: 'active',
    fired_at: 1000 + id,
    value: 25,
    threshold: 20,
    baseline: null,
    change: null,
    message: 'm',
    cleared_at: null,
    cleared_reason: null,
    ...over,
  };
}

describe('active alerts', () => {
  it('takes the full list, keeps active ones, critical first then newest', () => {
    const s = activeAlertsReducer([], { type: 'alerts', items: [alert(1), alert(2, { severity: 'critical' }), alert(3), alert(4, { state: 'cleared' })] });
    expect(s.map((a) => a.id)).toEqual([2, 3, 1]);
  });
  it('adds fired alerts and removes cleared ones', () => {
    let s = activeAlertsReducer([], { type: 'alert', event: 'fired', alert: alert(1) });
    s = activeAlertsReducer(s, { type: 'alert', event: 'fired', alert: alert(2) });
    s = activeAlertsReducer(s, { type: 'alert', event: 'fired', alert: alert(1, { value: 30 }) });
    expect(s.map((a) => [a.id, a.value])).toEqual([
      [2, 25],
      [1, 30],
    ]);
    s = activeAlertsReducer(s, { type: 'alert', event: 'cleared', alert: alert(2, { state: 'cleared' }) });
    expect(s.map((a) => a.id)).toEqual([1]);
  });
  it('reads only alert messages from the socket', () => {
    expect(alertEventsFromWs({ type: 'queues', items: [] })).toEqual([]);
    expect(alertEventsFromWs({ type: 'alert', event: 'weird', alert: alert(1) })).toEqual([]);
    expect(alertEventsFromWs({ type: 'alert', event: 'fired', alert: alert(1) })[0]).toMatchObject({ type: 'alert', event: 'fired' });
    expect(alertEventsFromWs({ type: 'alerts', items: [alert(1)] })[0]).toMatchObject({ type: 'alerts' });
  });
  it('formats subjects and values', () => {
    const names = new Map([[0, 'Billing']]);
    expect(alertSubject(alert(1), names)).toBe('Backlog · Billing');
    expect(alertSubject(alert(1, { queue: null }), names)).toBe('Backlog · center');
    expect(alertSubject(alert(1, { queue: 7 }), names)).toBe('Backlog · queue 7');
    expect(formatAlertValue('service_level', 0.625)).toBe('62.5 %');
    expect(formatAlertValue('longest_wait_s', 190.4)).toBe('190 s');
    expect(formatAlertValue('waiting', 21)).toBe('21');
  });
});

const METRICS: AlertMetric[] = [
  { name: 'waiting', source: 'live', unit: 'count', description: 'contacts waiting now' },
  { name: 'abandon_rate', source: 'interval', unit: 'ratio', description: 'abandoned / offered' },
  { name: 'wait_p90_s', source: 'interval', unit: 's', description: 'p90 wait' },
];

function ruleOf(over: Partial<AlertRule> = {}): AlertRule {
  return {
    id: 3,
    name: 'Abandons up',
    enabled: true,
    severity: 'critical',
    metric: 'abandon_rate',
    source: 'interval',
    scope: 'queue',
    queue: 2,
    kind: 'baseline_change',
    comparison: 'above',
    threshold: 0.5,
    clear_threshold: 0.2,
    fire_after: 2,
    clear_after: 1,
    fire_for_s: 0,
    clear_for_s: 0,
    min_offered: 10,
    min_baseline: 0.01,
    ...over,
  };
}

describe('alert rule forms', () => {
  it('a rule survives the round trip through the form', () => {
    const r = ruleOf();
    const { body, errors } = ruleBody(ruleToDraft(r), METRICS);
    expect(errors).toEqual({});
    expect(body).toEqual({
      name: 'Abandons up',
      enabled: true,
      severity: 'critical',
      metric: 'abandon_rate',
      scope: 'queue',
      queue: 2,
      kind: 'baseline_change',
      comparison: 'above',
      threshold: 0.5,
      clear_threshold: 0.2,
      fire_after: 2,
      clear_after: 1,
      fire_for_s: 0,
      clear_for_s: 0,
      min_offered: 10,
      min_baseline: 0.01,
    });
  });

  it('no hysteresis band: the clear threshold is left out and the draft shows it empty', () => {
    const d = ruleToDraft(ruleOf({ clear_threshold: 0.5 }));
    expect(d.clear_threshold).toBe('');
    expect(ruleBody(d, METRICS).body).not.toHaveProperty('clear_threshold');
  });

  it('names every field that is wrong, with the server rules', () => {
    const d = { ...defaultRuleDraft(), name: ' ', threshold: 'x', fire_after: '0', clear_for_s: '-1' };
    expect(Object.keys(ruleBody(d, METRICS).errors).sort()).toEqual(['clear_for_s', 'fire_after', 'name', 'threshold']);
    // A baseline change of a live figure, a queue scope without a queue, a clear threshold on
    // the breaching side, min_offered on a live figure, p90 for the whole center.
    const bad = { ...defaultRuleDraft(), name: 'n', threshold: '10', kind: 'baseline_change' as const, scope: 'queue' as const, clear_threshold: '12', min_offered: '5' };
    expect(ruleBody(bad, METRICS).errors).toEqual({
      kind: "baseline change compares interval figures; 'waiting' is a live figure",
      queue: 'choose a queue',
      clear_threshold: 'must be at or below the threshold for "above"',
      min_offered: 'applies to interval figures only',
    });
    const below = { ...defaultRuleDraft(), name: 'n', metric: 'wait_p90_s', comparison: 'below' as const, threshold: '10', clear_threshold: '8' };
    expect(ruleBody(below, METRICS).errors).toEqual({
      metric: 'wait_p90_s exists per queue only',
      clear_threshold: 'must be at or above the threshold for "below"',
    });
    expect(ruleBody({ ...defaultRuleDraft(), name: 'n', threshold: '20' }, METRICS).body).toMatchObject({ scope: 'center', threshold: 20 });
  });

  it('describes when a rule fires and clears', () => {
    const names = new Map([[2, 'Billing']]);
    expect(describeRule(ruleOf(), names)).toBe('abandon_rate (Billing) above +50 % vs last week for 2 intervals; clears at or below +20 % vs last week');
    expect(
      describeRule(ruleOf({ metric: 'waiting', source: 'live', kind: 'threshold', scope: 'center', queue: null, threshold: 20, clear_threshold: 20, fire_after: 1, fire_for_s: 30 }), names),
    ).toBe('waiting (center) above 20 lasting 30 s');
  });
});

describe('alert history', () => {
  it('pages newest first, by rule or active only', () => {
    expect(historyPath({})).toBe('/api/v1/alerts?state=all&limit=50');
    expect(historyPath({ onlyActive: true, rule: 4, cursor: '17', limit: 20 })).toBe('/api/v1/alerts?state=active&rule=4&limit=20&cursor=17');
  });

  it('shows how long an alert lasted', () => {
    expect(alertDuration({ fired_at: 0, cleared_at: 12 * 60000 }, 0)).toBe('12 min');
    expect(alertDuration({ fired_at: 0, cleared_at: null }, 125 * 60000)).toBe('2 h 05 min');
  });
});
