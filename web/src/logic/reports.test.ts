import { describe, expect, it } from 'vitest';
import {
  agentTable,
  channelMix,
  defaultFilters,
  histogramBars,
  intervalSeries,
  labelEvery,
  niceMax,
  reportQuery,
  shortTimeLabel,
  slColor,
  slHeatmap,
  validateFilters,
  type ReportJson,
  type ReportKpis,
} from './reports';

function kpis(over: Partial<ReportKpis> = {}): ReportKpis {
  return { offered: 0, handled: 0, abandoned: 0, service_level: 0, asa_s: 0, aht_s: 0, abandon_rate: 0, occupancy: 0, csat: 0, csat_responses: 0, wait_p90_s: 0, ...over };
}

function report(columns: string[], rows: { keys: Record<string, string>; kpis: ReportKpis }[]): ReportJson {
  return { from: '', to: '', interval_minutes: 60, time_zone: 'UTC', columns, rows: rows.map((r) => ({ ...r.keys, kpis: r.kpis })), total: kpis() };
}

describe('report filters', () => {
  it('defaults to the last seven days and builds the query', () => {
    const f = defaultFilters(new Date(2026, 10, 30));
    expect(f.from).toBe('2026-11-24');
    expect(f.to).toBe('2026-11-30');
    const q = new URLSearchParams(reportQuery({ ...f, queue: 'Billing' }, ['weekday', 'time_of_day'], { histograms: '1' }));
    expect(q.get('group_by')).toBe('weekday,time_of_day');
    expect(q.get('queue')).toBe('Billing');
    expect(q.get('channel')).toBeNull();
    expect(q.get('histograms')).toBe('1');
    expect(new URLSearchParams(reportQuery(f, [])).get('group_by')).toBe('none');
  });
  it('rejects bad ranges', () => {
    const f = defaultFilters(new Date(2026, 10, 30));
    expect(validateFilters(f)).toBeNull();
    expect(validateFilters({ ...f, from: '2026-12-01' })).toMatch(/before/);
    expect(validateFilters({ ...f, from: '30.11.2026' })).toMatch(/YYYY/);
    expect(validateFilters({ ...f, from: '2025-01-01' })).toMatch(/400/);
  });
});

describe('interval series', () => {
  it('sorts by time and leaves SL/ASA undefined without outcomes', () => {
    const r = report(['interval'], [
      { keys: { interval: '2026-11-24T11:00:00+00:00' }, kpis: kpis({ offered: 3 }) },
      { keys: { interval: '2026-11-24T10:00:00+00:00' }, kpis: kpis({ offered: 10, handled: 8, abandoned: 2, service_level: 0.7, asa_s: 12 }) },
    ]);
    const s = intervalSeries(r);
    expect(s.map((p) => p.label)).toEqual(['2026-11-24T10:00:00+00:00', '2026-11-24T11:00:00+00:00']);
    expect(s[0]).toMatchObject({ offered: 10, serviceLevel: 0.7, asaS: 12 });
    expect(s[1]).toMatchObject({ offered: 3, serviceLevel: null, asaS: null });
    expect(shortTimeLabel('2026-11-24T10:00:00+00:00')).toBe('Tue 10:00');
    expect(shortTimeLabel('Billing')).toBe('Billing');
  });
});

describe('SL heatmap', () => {
  it('places weekday × time-of-day cells and keeps empty ones null', () => {
    const r = report(['weekday', 'time_of_day'], [
      { keys: { weekday: '0', time_of_day: '09:00' }, kpis: kpis({ offered: 5, handled: 4, abandoned: 1, service_level: 0.8 }) },
      { keys: { weekday: '6', time_of_day: '10:00' }, kpis: kpis({ offered: 2, handled: 2, service_level: 0.5 }) },
      { keys: { weekday: '2', time_of_day: '09:00' }, kpis: kpis({ offered: 1 }) },
    ]);
    const h = slHeatmap(r);
    expect(h.slots).toEqual(['09:00', '10:00']);
    expect(h.cells[0]).toEqual([0.8, null]);
    expect(h.cells[6]).toEqual([null, 0.5]);
    expect(h.cells[2]).toEqual([null, null]); // traffic but no outcome yet
    expect(h.offered[2][0]).toBe(1);
    expect(slColor(null)).toBe('#eef1f5');
    expect(slColor(1)).toMatch(/^hsl\(130,/);
    expect(slColor(0)).toMatch(/^hsl\(0,/);
  });
});

describe('histogram bars', () => {
  it('drops the empty tail and folds the last percent into one bar', () => {
    const buckets = [
      { lower_s: 0, upper_s: 10, count: 50 },
      { lower_s: 10, upper_s: 20, count: 30 },
      { lower_s: 20, upper_s: 30, count: 19 },
      { lower_s: 30, upper_s: 60, count: 0 },
      { lower_s: 60, upper_s: 120, count: 1 },
      { lower_s: 120, upper_s: null, count: 0 },
    ];
    const bars = histogramBars(buckets);
    expect(bars.map((b) => b.count)).toEqual([50, 30, 19, 1]);
    expect(bars[3].label).toBe('≥ 30s');
    expect(bars.reduce((s, b) => s + b.share, 0)).toBeCloseTo(1);
    expect(histogramBars([{ lower_s: 0, upper_s: 1, count: 0 }])).toEqual([]);
  });
});

describe('agent table and channel mix', () => {
  it('orders agents by handled and leaves unknown figures empty', () => {
    const r = report(['agent'], [
      { keys: { agent: 'Ada' }, kpis: kpis({ handled: 3, aht_s: 200, occupancy: 0.8, available_s: 3600, csat: 0.9, csat_responses: 4 }) },
      { keys: { agent: 'Bob' }, kpis: kpis({ handled: 7, aht_s: 180 }) },
      { keys: { agent: '' }, kpis: kpis({ offered: 9 }) },
    ]);
    const t = agentTable(r);
    expect(t.map((a) => a.agent)).toEqual(['Bob', 'Ada']);
    expect(t[0]).toMatchObject({ handled: 7, ahtS: 180, occupancy: null, csat: null, adherence: null });
    expect(t[1]).toMatchObject({ occupancy: 0.8, csat: 0.9, csatResponses: 4 });
  });
  it('computes channel shares', () => {
    const r = report(['channel'], [
      { keys: { channel: 'chat' }, kpis: kpis({ offered: 1 }) },
      { keys: { channel: 'voice' }, kpis: kpis({ offered: 3 }) },
      { keys: { channel: 'email' }, kpis: kpis({ offered: 0 }) },
    ]);
    expect(channelMix(r)).toEqual([
      { channel: 'voice', offered: 3, share: 0.75 },
      { channel: 'chat', offered: 1, share: 0.25 },
    ]);
  });
});

describe('axes', () => {
  it('rounds maxima and thins labels', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(12)).toBe(20);
    expect(niceMax(0.42)).toBe(0.5);
    expect(niceMax(500)).toBe(500);
    expect(labelEvery(10, 12)).toBe(1);
    expect(labelEvery(96, 12)).toBe(8);
  });
});
