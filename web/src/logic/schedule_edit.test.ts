import { describe, expect, it } from 'vitest';
import { coverageOf, dragEdit, isClick, paint, previewDrag, previewGrid, startDrag } from './schedule_edit';
import type { Activity, ScheduleJson } from './wfm';

const H = 3_600_000;
const DAY = Date.UTC(2026, 2, 2); // 2026-03-02, UTC schedule
const iso = (t: number) => new Date(t).toISOString().slice(0, 16) + ':00+00:00';

function act(id: number, agent: string, kind: Activity['kind'], from: number, to: number): Activity {
  return { id, schedule_id: 1, agent, kind, start: DAY + from * H, end: DAY + to * H, start_local: iso(DAY + from * H), end_local: iso(DAY + to * H), label: '' };
}

// One day of hourly intervals, 1 agent needed 09:00-17:00; Ada works 09-17, Bo 09-13.
function schedule(): ScheduleJson {
  const acts = [act(1, 'Ada', 'work', 9, 17), act(2, 'Bo', 'work', 9, 13)];
  const intervals = Array.from({ length: 24 }, (_, i) => ({ start: DAY + i * H, local: iso(DAY + i * H), required: i >= 9 && i < 17 ? 1 : 0, scheduled: 0, difference: 0 }));
  const s: ScheduleJson = { id: 1, name: 'x', team: '', time_zone: 'UTC', start: DAY, end: DAY + 24 * H, interval_minutes: 60, state: 'draft', revision: 1, solver: {}, agents: ['Ada', 'Bo'], activities: acts, coverage: { intervals, under: 0, over: 0 } };
  return { ...s, coverage: coverageOf(s, acts) };
}

describe('schedule drag editing', () => {
  it('paints like the server: cut back, split, covered', () => {
    const out = paint([act(1, 'Ada', 'work', 9, 17)], act(0, 'Ada', 'meeting', 11, 12));
    expect(out.map((a) => [a.kind, (a.start - DAY) / H, (a.end - DAY) / H, a.id])).toEqual([
      ['work', 9, 11, 1],
      ['meeting', 11, 12, 0],
      ['work', 12, 17, 0],
    ]);
    expect(out[0].end_local).toBe(iso(DAY + 11 * H));
    expect(paint([act(1, 'Ada', 'work', 9, 10)], act(0, 'Ada', 'off', 8, 12)).map((a) => a.kind)).toEqual(['off']);
  });

  it('recomputes coverage from the activities (work only, part intervals count in part)', () => {
    const s = schedule();
    const c = coverageOf(s, [act(1, 'Ada', 'work', 9.5, 17)]);
    expect(c.intervals[9].scheduled).toBe(0.5);
    expect(c.intervals[9].difference).toBe(-0.5);
    expect(c.under).toBe(0.5);
    expect(c.over).toBe(0);
    expect(s.coverage?.over).toBe(4); // Bo's 09-13 on top of Ada
  });

  it('paints a dragged range and shows the coverage at once', () => {
    const s = schedule();
    const columns = s.coverage!.intervals;
    // Drag over Bo's 10:00 and 11:00 cells with "meeting" selected.
    const d = startDrag(s, columns, 'Bo', 10, 'meeting');
    expect(d.mode).toBe('paint');
    expect(isClick(d)).toBe(true);
    expect(dragEdit(s, columns, d)).toBeNull();
    const moved = { ...d, to: 11 };
    const edit = dragEdit(s, columns, moved)!;
    expect(edit.op).toBe('add');
    expect(edit.body).toEqual({ agent: 'Bo', kind: 'meeting', start: DAY + 10 * H, end: DAY + 12 * H, label: '' });
    const p = previewDrag(s, columns, moved);
    expect(p.coverage!.intervals[10].difference).toBe(0); // Bo in the meeting: Ada alone
    expect(p.coverage!.intervals[9].difference).toBe(1);
    expect(p.coverage!.over).toBe(2);
    expect(p.activities!.filter((a) => a.agent === 'Bo').map((a) => a.kind)).toEqual(['work', 'meeting', 'work']);
    // Dragging right to left paints the same range.
    expect(dragEdit(s, columns, { ...d, from: 11, to: 10 })!.body.start).toBe(DAY + 10 * H);
  });

  it('moves an edge when the drag starts on the first or last cell of an activity', () => {
    const s = schedule();
    const columns = s.coverage!.intervals;
    const end = startDrag(s, columns, 'Bo', 12, 'meeting'); // Bo's last hour (12:00-13:00)
    expect(end.mode).toBe('resize-end');
    expect(end.activityId).toBe(2);
    const longer = dragEdit(s, columns, { ...end, to: 15 })!;
    expect(longer.op).toBe('update');
    expect(longer.activityId).toBe(2);
    expect(longer.body).toEqual({ agent: 'Bo', kind: 'work', start: DAY + 9 * H, end: DAY + 16 * H, label: '' });
    expect(previewDrag(s, columns, { ...end, to: 15 }).coverage!.over).toBe(7);
    const start = startDrag(s, columns, 'Ada', 9, 'meeting');
    expect(start.mode).toBe('resize-start');
    const later = dragEdit(s, columns, { ...start, to: 10 })!;
    expect(later.body.start).toBe(DAY + 10 * H);
    expect(later.body.end).toBe(DAY + 17 * H);
    // An edge dragged past the other edge is no edit.
    expect(dragEdit(s, columns, { ...start, to: 18 })).toBeNull();
    // The middle of an activity paints.
    expect(startDrag(s, columns, 'Ada', 12, 'break').mode).toBe('paint');
  });

  it('keeps the columns of the grid the drag began on', () => {
    const s = schedule();
    const columns = s.coverage!.intervals.slice(9, 17);
    const p = previewDrag(s, columns, { agent: 'Bo', mode: 'resize-end', activityId: 2, from: 3, to: 0, kind: 'work' });
    const g = previewGrid(p, '2026-03-02', columns);
    expect(g.columns.map((c) => c.start)).toEqual(columns.map((c) => c.start));
    expect(g.rows.find((r) => r.agent === 'Bo')!.cells.map((c) => c.kind)).toEqual(['work', null, null, null, null, null, null, null]);
    expect(g.coverage[1]).toBe(0);
  });
});
