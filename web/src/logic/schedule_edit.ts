// Drag editing in the schedule grid (docs/scheduling.md, "In the server and the web app"): a drag
// across an agent's cells paints the range with an activity, a drag from the first or last cell
// of an activity moves that edge. While the mouse moves, the grid and its coverage row show the
// result computed here exactly as the server will (paint semantics of ScheduleStore::edit, the
// coverage of compute_coverage); on release the edit is saved through the activity API.

import { scheduleGrid, type Activity, type ActivityKind, type CoverageRow, type ScheduleGrid, type ScheduleJson } from './wfm';

/**
 * Paints `a` over one agent's activities (which never overlap): those it overlaps are cut back or
 * split around it. Returns the list by start; split-off parts keep the original's fields.
 */
export function paint(existing: Activity[], a: Activity): Activity[] {
  const out: Activity[] = [];
  for (const e of existing) {
    if (e.end <= a.start || e.start >= a.end) {
      out.push(e);
      continue;
    }
    const left = e.start < a.start;
    const right = e.end > a.end;
    if (left) out.push({ ...e, end: a.start, end_local: a.start_local });
    if (right) out.push({ ...e, id: left ? 0 : e.id, start: a.end, start_local: a.end_local });
    // Entirely covered: dropped.
  }
  out.push(a);
  return out.sort((x, y) => x.start - y.start);
}

/** The coverage rows of `s` recomputed from `activities`: work minutes per interval / its length, summed. */
export function coverageOf(s: ScheduleJson, activities: Activity[]): { intervals: CoverageRow[]; under: number; over: number } {
  const width = s.interval_minutes * 60_000;
  const rows = (s.coverage?.intervals ?? []).map((c) => ({ ...c, scheduled: 0 }));
  for (const a of activities) {
    if (a.kind !== 'work') continue;
    for (const c of rows) {
      const overlap = Math.min(a.end, c.start + width) - Math.max(a.start, c.start);
      if (overlap > 0) c.scheduled += overlap / width;
    }
  }
  let under = 0;
  let over = 0;
  for (const c of rows) {
    c.difference = c.scheduled - c.required;
    if (c.difference < 0) under -= c.difference;
    else over += c.difference;
  }
  return { intervals: rows, under, over };
}

/** `s` with other activities and the coverage that follows from them. */
export function withActivities(s: ScheduleJson, activities: Activity[]): ScheduleJson {
  return { ...s, activities, coverage: coverageOf(s, activities) };
}

export type DragMode = 'paint' | 'resize-start' | 'resize-end';

export interface Drag {
  agent: string;
  mode: DragMode;
  activityId: number | null; // resize: the activity whose edge moves
  from: number; // index into the grid's columns where the drag began
  to: number; // where it is now
  kind: ActivityKind; // paint: the activity painted
}

/**
 * What a drag that begins on column `col` of `agent`'s row does: on the first or last column of an
 * activity it moves that edge; anywhere else it paints.
 */
export function startDrag(s: ScheduleJson, columns: CoverageRow[], agent: string, col: number, kind: ActivityKind): Drag {
  const width = s.interval_minutes * 60_000;
  const c = columns[col];
  const mid = c.start + width / 2;
  const a = (s.activities ?? []).find((x) => x.agent === agent && x.start <= mid && x.end > mid);
  const base = { agent, from: col, to: col, kind, activityId: null };
  if (!a) return { ...base, mode: 'paint' };
  // The last cell wins for a one-cell activity: lengthening is the common drag.
  if (a.end > c.start && a.end <= c.start + width) return { ...base, mode: 'resize-end', activityId: a.id };
  if (a.start >= c.start && a.start < c.start + width) return { ...base, mode: 'resize-start', activityId: a.id };
  return { ...base, mode: 'paint' };
}

/** A drag that has not left its first cell is a click, not an edit. */
export function isClick(d: Drag): boolean {
  return d.from === d.to;
}

export interface DragEdit {
  op: 'add' | 'update';
  activityId: number | null;
  /** The body of POST/PUT …/activities (instants as epoch ms). */
  body: { agent: string; kind: ActivityKind; start: number; end: number; label: string };
  /** The activity as the preview shows it (local labels from the grid's columns). */
  activity: Activity;
}

/** The edit a drag makes, or null when it makes none (a click, or an edge dragged past the other). */
export function dragEdit(s: ScheduleJson, columns: CoverageRow[], d: Drag): DragEdit | null {
  if (isClick(d)) return null;
  const width = s.interval_minutes * 60_000;
  const lo = Math.min(d.from, d.to);
  const hi = Math.max(d.from, d.to);
  const local = (t: number) => columns.find((c) => c.start === t)?.local ?? new Date(t).toISOString();
  if (d.mode === 'paint') {
    const start = columns[lo].start;
    const end = columns[hi].start + width;
    const activity: Activity = { id: 0, schedule_id: s.id, agent: d.agent, kind: d.kind, start, end, start_local: columns[lo].local, end_local: local(end), label: '' };
    return { op: 'add', activityId: null, body: { agent: d.agent, kind: d.kind, start, end, label: '' }, activity };
  }
  const a = (s.activities ?? []).find((x) => x.id === d.activityId);
  if (!a) return null;
  let { start, end } = a;
  if (d.mode === 'resize-end') end = columns[d.to].start + width;
  else start = columns[d.to].start;
  if (end <= start || (start === a.start && end === a.end)) return null;
  const activity: Activity = { ...a, start, end, start_local: local(start), end_local: local(end) };
  return { op: 'update', activityId: a.id, body: { agent: a.agent, kind: a.kind, start, end, label: a.label }, activity };
}

/** The schedule as it will be once the drag's edit is saved (unchanged for a click). */
export function previewDrag(s: ScheduleJson, columns: CoverageRow[], d: Drag): ScheduleJson {
  const edit = dragEdit(s, columns, d);
  if (!edit) return s;
  const all = s.activities ?? [];
  const others = all.filter((a) => a.agent !== edit.activity.agent);
  const mine = all.filter((a) => a.agent === edit.activity.agent && a.id !== edit.activityId);
  return withActivities(s, [...others, ...paint(mine, edit.activity)]);
}

/**
 * The grid of `preview` on the columns of the grid the drag began on (so that cells stay put
 * while the preview changes which hours would be trimmed).
 */
export function previewGrid(preview: ScheduleJson, day: string, columns: CoverageRow[]): ScheduleGrid {
  const full = scheduleGrid(preview, day, false);
  const keep = new Set(columns.map((c) => c.start));
  const idx = full.columns.map((c, i) => (keep.has(c.start) ? i : -1)).filter((i) => i >= 0);
  return {
    columns: idx.map((i) => full.columns[i]),
    rows: full.rows.map((r) => ({ agent: r.agent, cells: idx.map((i) => r.cells[i]) })),
    coverage: idx.map((i) => full.coverage[i]),
  };
}
