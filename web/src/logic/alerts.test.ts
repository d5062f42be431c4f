import { describe, expect, it } from 'vitest';
import { activeAlertsReducer, alertEventsFromWs, alertSubject, formatAlertValue, type Alert } from './alerts';

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
