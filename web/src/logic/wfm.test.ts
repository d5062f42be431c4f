import { describe, expect, it } from 'vitest';
import {
  activitiesByDay,
  activityBody,
  bandPath,
  coverageClass,
  forecastBody,
  forecastSeries,
  minutesByKind,
  nextDay,
  scheduleDays,
  scheduleGrid,
  simulationSummary,
  staffingBody,
  staffingRoute,
  staffingSummary,
  type SimStaffingJson,
  type Activity,
  type ScheduleJson,
  type StaffingForm,
} from './wfm';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 2); // Monday 2026-03-02 00:00Z

function act(id: number, agent: string, kind: Activity['kind'], fromMin: number, toMin: number, label = ''): Activity {
  const iso = (m: number) => new Date(T0 + m * MIN).toISOString().slice(0, 19) + '+00:00';
  return { id, schedule_id: 1, agent, kind, start: T0 + fromMin * MIN, end: T0 + toMin * MIN, start_local: iso(fromMin), end_local: iso(toMin), label };
}

function schedule(activities: Activity[], required: (i: number) => number): ScheduleJson {
  const intervals = [];
  for (let i = 0; i < 96; i++) {
    const start = T0 + i * 30 * MIN;
    let scheduled = 0;
    for (const a of activities) {
      if (a.kind !== 'work') continue;
      const overlap = Math.min(a.end, start + 30 * MIN) - Math.max(a.start, start);
      if (overlap > 0) scheduled += overlap / (30 * MIN);
    }
    const req = required(i);
    intervals.push({ start, local: new Date(start).toISOString().slice(0, 19) + '+00:00', required: req, scheduled, difference: scheduled - req });
  }
  return { id: 1, name: 's', team: '', time_zone: 'UTC', start: T0, end: T0 + 2 * 86_400_000, interval_minutes: 30, state: 'draft', revision: 1, solver: {}, agents: ['ann', 'bob'], activities, coverage: { intervals, under: 0, over: 0 } };
}

describe('forecast chart series', () => {
  it('puts actuals and forecast on one axis', () => {
    const pts = forecastSeries({
      id: 1, queue: 'q', channel: '', method: 'seasonal_naive', time_zone: 'UTC', source: 'reports', created_at: 0, interval_minutes: 30, history_from: 0, history_to: 0,
      actuals: [{ start: 2000, volume: 5 }, { start: 1000, volume: 4 }],
      intervals: [{ start: 2000, local: '', volume: 6, aht_s: null, horizon_days: 0 }, { start: 3000, local: '', volume: 7, aht_s: 100, horizon_days: 0 }],
    }, (ms) => String(ms));
    expect(pts).toEqual([
      { start: 1000, label: '1000', actual: 4, forecast: null },
      { start: 2000, label: '2000', actual: 5, forecast: 6 },
      { start: 3000, label: '3000', actual: null, forecast: 7 },
    ]);
  });
});

describe('forecast prediction intervals', () => {
  it('carries the bands and draws one polygon per run of banded points', () => {
    const pts = forecastSeries({
      id: 1, queue: 'q', channel: '', method: 'auto', time_zone: 'UTC', source: 'reports', created_at: 0, interval_minutes: 30, history_from: 0, history_to: 0,
      actuals: [{ start: 1000, volume: 4 }],
      intervals: [
        { start: 2000, local: '', volume: 6, aht_s: null, horizon_days: 0, lo80: 4, hi80: 8, lo95: 3, hi95: 9 },
        { start: 3000, local: '', volume: 7, aht_s: null, horizon_days: 0, lo80: 5, hi80: 9, lo95: 4, hi95: 10 },
      ],
    }, (ms) => String(ms));
    expect(pts[0].band80).toBeUndefined();
    expect(pts[1].band80).toEqual([4, 8]);
    expect(pts[2].band95).toEqual([4, 10]);
    const d = bandPath(pts, 'band80', (i) => i * 10, (v) => 100 - v);
    expect(d).toBe('M10.0,92.0L20.0,91.0L20.0,95.0L10.0,96.0Z');
    expect(bandPath([{ start: 0, label: '', actual: 1, forecast: null }], 'band95', (i) => i, (v) => v)).toBe('');
  });
});

describe('forecast form', () => {
  const base = { queue: 'sales', horizonDays: '7', historyDays: '56', intervalMinutes: '30', method: 'auto', timeZone: '', csv: '' };
  it('builds the request from reports history', () => {
    expect(forecastBody(base).body).toEqual({ queue: 'sales', horizon_days: 7, interval_minutes: 30, method: 'auto', time_zone: 'UTC', history_days: 56 });
  });
  it('sends an uploaded CSV instead of a history length', () => {
    const r = forecastBody({ ...base, historyDays: '', csv: 'start,volume\n' });
    expect(r.body?.history_csv).toBe('start,volume\n');
    expect(r.body?.history_days).toBeUndefined();
  });
  it('asks for prediction intervals when ticked', () => {
    expect(forecastBody({ ...base, intervals: true }).body?.intervals).toBe(true);
    expect(forecastBody({ ...base, intervals: false }).body).not.toHaveProperty('intervals');
  });
  it('names every bad field', () => {
    expect(Object.keys(forecastBody({ ...base, queue: ' ', horizonDays: '0', historyDays: '3' }).errors).sort()).toEqual(['historyDays', 'horizonDays', 'queue']);
  });
});

describe('staffing form', () => {
  const base: StaffingForm = { model: 'erlang_c', thresholdS: '20', targetSl: '80', shrinkage: '30', patienceS: '', ahtS: '', whatIfHeadcount: '', volumeFactor: '', ahtFactor: '' };
  it('turns percentages into shares', () => {
    expect(staffingBody(base).body).toEqual({ model: 'erlang_c', threshold_s: 20, target_sl: 0.8, shrinkage: 0.3 });
  });
  it('adds the what-if when a headcount is given', () => {
    expect(staffingBody({ ...base, whatIfHeadcount: '20', volumeFactor: '1.1' }).body?.what_if).toEqual({ headcount: 20, volume_factor: 1.1, aht_factor: 1 });
  });
  it('Erlang A patience is optional (estimated by the server) but must be positive', () => {
    expect(staffingBody({ ...base, model: 'erlang_a' }).body?.patience_s).toBeUndefined();
    expect(staffingBody({ ...base, model: 'erlang_a', patienceS: '0' }).errors.patienceS).toBeTruthy();
    expect(staffingBody({ ...base, model: 'erlang_a', patienceS: '120' }).body?.patience_s).toBe(120);
    const bad = staffingBody({ ...base, targetSl: '100', shrinkage: '-1', whatIfHeadcount: '2.5' });
    expect(Object.keys(bad.errors).sort()).toEqual(['shrinkage', 'targetSl', 'whatIfHeadcount']);
  });
  it('summarises peaks and the worst service level of busy intervals', () => {
    const row = (required: number, scheduled: number, sl: number, volume: number) => ({ start: 0, local: '', volume, aht_s: 1, load_erlangs: 1, shrinkage: 0, required, scheduled, agents: required, service_level: sl, asa_s: 0, p_abandon: null, occupancy: 0, stable: true });
    expect(staffingSummary({ forecast_id: 1, model: 'erlang_c', what_if: false, interval_minutes: 30, peak_scheduled: 20, scheduled_agent_hours: 0, rows: [row(14, 20, 0.88, 100), row(3, 5, 0.95, 10), row(0, 0, 1, 0)] })).toEqual({ peakRequired: 14, peakScheduled: 20, minSl: 0.88 });
  });
});

describe('schedule grid', () => {
  const acts = [act(1, 'ann', 'work', 540, 720, 'day'), act(2, 'ann', 'lunch', 720, 750, 'lunch'), act(3, 'ann', 'work', 750, 1020, 'day'), act(4, 'bob', 'meeting', 600, 660, '1:1')];
  const s = schedule(acts, (i) => (i >= 18 && i < 34 ? 2 : 0));
  it('lists the local days', () => {
    expect(scheduleDays(s)).toEqual(['2026-03-02', '2026-03-03']);
  });
  it('shows each agent’s activity per interval, trimmed to the busy hours, with the coverage row', () => {
    const g = scheduleGrid(s, '2026-03-02');
    expect(g.columns[0].start).toBe(T0 + 540 * MIN);
    expect(g.columns.length).toBe(16); // 09:00-17:00
    expect(g.rows.map((r) => r.agent)).toEqual(['ann', 'bob']);
    expect(g.rows[0].cells[0].kind).toBe('work');
    expect(g.rows[0].cells[6].kind).toBe('lunch'); // 12:00
    expect(g.rows[1].cells[2].kind).toBe('meeting'); // 10:00
    expect(g.rows[1].cells[0].kind).toBeNull();
    expect(g.coverage[0]).toBe(-1); // ann alone, 2 needed
    expect(g.coverage[6]).toBe(-2); // ann at lunch
  });
  it('recomputed coverage follows an edit', () => {
    const edited = schedule([...acts, act(5, 'bob', 'work', 540, 600)], (i) => (i >= 18 && i < 34 ? 2 : 0));
    expect(scheduleGrid(edited, '2026-03-02').coverage.slice(0, 3)).toEqual([0, 0, -1]);
  });
  it('an empty day has no columns', () => {
    expect(scheduleGrid(s, '2026-03-03').columns).toEqual([]);
  });
  it('classes coverage cells', () => {
    expect([coverageClass(-0.5), coverageClass(0), coverageClass(1)]).toEqual(['cov-under', 'cov-ok', 'cov-over']);
  });
});

describe('activity form', () => {
  it('sends local times of the schedule’s zone', () => {
    expect(activityBody({ agent: 'ann', kind: 'meeting', date: '2026-03-02', from: '13:00', to: '14:00', label: ' team ' }).body).toEqual({ agent: 'ann', kind: 'meeting', start: '2026-03-02T13:00', end: '2026-03-02T14:00', label: 'team' });
  });
  it('midnight ends on the next day', () => {
    expect(activityBody({ agent: 'a', kind: 'work', date: '2026-02-28', from: '20:00', to: '24:00', label: '' }).body?.end).toBe('2026-03-01T00:00');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });
  it('refuses an end before the start and missing fields', () => {
    const r = activityBody({ agent: '', kind: 'nap' as never, date: '2026-03-02', from: '14:00', to: '13:00', label: '' });
    expect(Object.keys(r.errors).sort()).toEqual(['agent', 'kind', 'to']);
  });
});

describe('my schedule', () => {
  it('groups by local day and sums minutes by kind', () => {
    const a = [act(3, 'ann', 'work', 1440 + 540, 1440 + 600), act(1, 'ann', 'work', 540, 720), act(2, 'ann', 'lunch', 720, 750)];
    const days = activitiesByDay(a);
    expect(days.map((d) => d.day)).toEqual(['2026-03-02', '2026-03-03']);
    expect(days[0].items.map((x) => x.id)).toEqual([1, 2]);
    expect(minutesByKind(days[0].items)).toEqual({ work: 180, lunch: 30 });
  });
});

describe('staffing by simulation', () => {
  const base: StaffingForm = { model: 'simulation', thresholdS: '20', targetSl: '80', shrinkage: '30', patienceS: '', ahtS: '', whatIfHeadcount: '', volumeFactor: '', ahtFactor: '' };
  it('posts the goal to the simulation route, without a model or what-if', () => {
    expect(staffingBody(base).body).toEqual({ threshold_s: 20, target_sl: 0.8, shrinkage: 0.3 });
    expect(staffingBody({ ...base, patienceS: '45', ahtS: '200' }).body).toEqual({ threshold_s: 20, target_sl: 0.8, shrinkage: 0.3, patience_s: 45, aht_s: 200 });
    expect(staffingRoute('simulation', null)).toBe('/api/v1/wfm/staffing/simulation');
    expect(staffingRoute('erlang_c', 7)).toBe('/api/v1/wfm/forecasts/7/staffing');
    expect(staffingRoute('erlang_a', null)).toBeNull();
  });
  it('refuses what-if inputs and a non-positive patience', () => {
    const bad = staffingBody({ ...base, whatIfHeadcount: '20', volumeFactor: '1.2', patienceS: '0' });
    expect(bad.body).toBeUndefined();
    expect(Object.keys(bad.errors).sort()).toEqual(['patienceS', 'volumeFactor', 'whatIfHeadcount']);
  });
  it('summarises the intervals with volume: the peak saving and each queue worst service level', () => {
    const q = (queue: string, volume: number, sl: number | null, met = true) => ({ queue, volume, aht_s: volume > 0 ? 180 : null, load_erlangs: volume / 10, target_sl: 0.8, service_level: sl, sl_ci95: sl === null ? null : 0.01, asa_s: 5, abandon_rate: 0, erlang_c_alone: 14, met });
    const row = (start: number, total: number, separate: number, queues: ReturnType<typeof q>[]) => ({ start, local: '', agents: [total], scheduled: [total], total_agents: total, total_scheduled: total, erlang_c_separate: separate, pooled_start: 0, occupancy: 0.8, meets_goals: queues.every((x) => x.met), evaluations: 3, queues });
    const s: SimStaffingJson = {
      method: 'simulation', interval_minutes: 30, time_zone: 'UTC', start_date: '2026-03-02', days: 1,
      forecasts: [{ queue: 'billing', forecast_id: 1 }, { queue: 'tech', forecast_id: 2 }],
      groups: [{ name: 'all', queues: ['billing', 'tech', 'other'] }],
      replications: 4, calls_per_replication: 1000, shrinkage: 0, evaluations: 6, peak_agents: 25, peak_scheduled: 25, scheduled_agent_hours: 0,
      rows: [
        row(1, 20, 22, [q('billing', 80, 0.85), q('tech', 60, 0.9), q('other', 0, null)]),
        row(2, 25, 28, [q('billing', 100, 0.82), q('tech', 100, 0.79, false), q('other', 0, null)]),
        row(3, 0, 0, [q('billing', 0, null), q('tech', 0, null), q('other', 0, null)]),
      ],
    };
    const sum = simulationSummary(s);
    expect(sum.queues).toEqual(['billing', 'tech']);
    expect(sum.rows.map((r) => r.start)).toEqual([1, 2]);
    expect(sum.saved).toBe(3);
    expect(sum.worstSl).toEqual({ billing: 0.82, tech: 0.79 });
    expect(sum.misses).toBe(1);
    expect(sum.abandons).toBe(false);
  });
});
