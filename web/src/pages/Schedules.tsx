import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorText } from '../api';
import { Field } from '../components';
import { canControlAgents } from '../logic/nav';
import {
  ACTIVITY_KINDS,
  activityBody,
  coverageClass,
  defaultScheduleRequest,
  scheduleDays,
  scheduleGrid,
  type ActivityForm,
  type ActivityKind,
  type CoverageRow,
  type ForecastJson,
  type ScheduleJson,
} from '../logic/wfm';
import { dragEdit, isClick, previewDrag, previewGrid, startDrag, type Drag } from '../logic/schedule_edit';
import type { AgentState, User } from '../types';
import { SchedulingRules, type TemplateJson } from './SchedulingRules';

export const ACTIVITY_COLOURS: Record<ActivityKind, string> = {
  work: '#4c9f70',
  break: '#f2c14e',
  lunch: '#f08a4b',
  training: '#5b8def',
  meeting: '#9b6bd3',
  off: '#c7ced6',
};
const COVERAGE_COLOURS: Record<string, string> = { 'cov-under': '#f8d7da', 'cov-ok': '#e6f4ea', 'cov-over': '#fff3cd' };

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** Team schedules: generate a draft, see the interval × agent grid with coverage, edit, publish. */
export function SchedulesPage(props: { user: User }) {
  const mayEdit = canControlAgents(props.user.role);
  const [list, setList] = useState<ScheduleJson[]>([]);
  const [forecasts, setForecasts] = useState<ForecastJson[]>([]);
  const [schedule, setSchedule] = useState<ScheduleJson | null>(null);
  const [day, setDay] = useState('');
  const [gen, setGen] = useState({ startDate: today(), days: '7', forecastId: '', required: '2' });
  const [edit, setEdit] = useState<ActivityForm & { activityId: string }>({ agent: '', kind: 'meeting', date: today(), from: '10:00', to: '11:00', label: '', activityId: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [storedTemplates, setStoredTemplates] = useState<TemplateJson[]>([]);
  const [centerAgents, setCenterAgents] = useState<string[]>([]);
  // Drag editing: the activity painted, the drag under way (with the columns it began on).
  const [paintKind, setPaintKind] = useState<ActivityKind>('meeting');
  const [drag, setDrag] = useState<(Drag & { columns: CoverageRow[] }) | null>(null);
  const dragRef = useRef<(Drag & { columns: CoverageRow[] }) | null>(null);

  const show = (s: ScheduleJson, keepDay = false) => {
    setSchedule(s);
    const days = scheduleDays(s);
    if (!keepDay || !days.includes(day)) setDay(days[0] ?? '');
    setEdit((e) => ({ ...e, agent: e.agent || s.agents?.[0] || '', date: keepDay && days.includes(e.date) ? e.date : days[0] ?? e.date }));
  };
  const reload = async () => {
    const r = await api.get<{ schedules: ScheduleJson[] }>('/api/v1/wfm/schedules');
    setList(r.schedules);
    return r.schedules;
  };
  const open = async (id: number) => {
    try {
      show(await api.get<ScheduleJson>(`/api/v1/wfm/schedules/${id}`));
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    reload()
      .then((s) => (s.length > 0 ? open(s[0].id) : undefined))
      .catch((e) => setError(errorText(e)));
    api
      .get<{ items: AgentState[] }>('/api/v1/stats/agents')
      .then((r) => setCenterAgents((r.items ?? []).map((a) => a.name).sort()))
      .catch(() => undefined);
    api
      .get<{ forecasts: ForecastJson[] }>('/api/v1/wfm/forecasts')
      .then((r) => setForecasts(r.forecasts))
      .catch(() => undefined);
  }, []);

  const generate = async (e: Event) => {
    e.preventDefault();
    const days = Number(gen.days);
    if (!Number.isInteger(days) || days < 1 || days > 14) {
      setErrors({ days: 'Whole days, 1 to 14' });
      return;
    }
    setErrors({});
    setBusy(true);
    setError(null);
    try {
      const body = defaultScheduleRequest(gen.startDate, days, gen.forecastId ? Number(gen.forecastId) : null, Number(gen.required) || 1);
      // Stored templates (and contracts, time off) apply when the request brings none.
      if (storedTemplates.length > 0) delete body.templates;
      const s = await api.post<ScheduleJson>('/api/v1/wfm/schedules', body);
      await reload();
      show(s);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const applyEdit = async (mode: 'add' | 'update' | 'remove') => {
    if (!schedule) return;
    setError(null);
    try {
      let s: ScheduleJson;
      if (mode === 'remove') {
        if (!edit.activityId) return setErrors({ activity: 'Click an activity in the grid first' });
        s = await api.del<ScheduleJson>(`/api/v1/wfm/schedules/${schedule.id}/activities/${edit.activityId}`);
      } else {
        const r = activityBody(edit);
        setErrors(r.errors);
        if (!r.body) return;
        if (mode === 'update') {
          if (!edit.activityId) return setErrors({ activity: 'Click an activity in the grid first' });
          s = await api.put<ScheduleJson>(`/api/v1/wfm/schedules/${schedule.id}/activities/${edit.activityId}`, r.body);
        } else {
          s = await api.post<ScheduleJson>(`/api/v1/wfm/schedules/${schedule.id}/activities`, r.body);
        }
      }
      setErrors({});
      show(s, true);
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const publish = async () => {
    if (!schedule) return;
    try {
      show(await api.post<ScheduleJson>(`/api/v1/wfm/schedules/${schedule.id}/publish`), true);
      await reload();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const pick = (activityId: number | null) => {
    const a = schedule?.activities?.find((x) => x.id === activityId);
    if (!a) return;
    setEdit({ agent: a.agent, kind: a.kind, date: a.start_local.slice(0, 10), from: a.start_local.slice(11, 16), to: a.end_local.slice(0, 10) === a.start_local.slice(0, 10) ? a.end_local.slice(11, 16) : '24:00', label: a.label, activityId: String(a.id) });
  };

  // A drag across an agent's cells: paint the range, or move an activity's edge (see
  // logic/schedule_edit.ts); the grid and coverage show the result while the mouse moves.
  const beginDrag = (agent: string, col: number, columns: CoverageRow[]) => (e: MouseEvent) => {
    if (!schedule || !mayEdit || schedule.state === 'superseded' || e.button !== 0) return;
    e.preventDefault();
    const d = { ...startDrag(schedule, columns, agent, col, paintKind), columns };
    dragRef.current = d;
    setDrag(d);
  };
  const moveDrag = (agent: string, col: number) => () => {
    const d = dragRef.current;
    if (!d || d.agent !== agent || d.to === col) return;
    const next = { ...d, to: col };
    dragRef.current = next;
    setDrag(next);
  };
  const endDrag = async () => {
    const d = dragRef.current;
    dragRef.current = null;
    if (!d || !schedule) return setDrag(null);
    if (isClick(d)) {
      setDrag(null);
      const cell = scheduleGrid(schedule, day).rows.find((r) => r.agent === d.agent)?.cells[d.from];
      return pick(cell?.activityId ?? null);
    }
    const change = dragEdit(schedule, d.columns, d);
    if (!change) return setDrag(null);
    setError(null);
    try {
      const s =
        change.op === 'add'
          ? await api.post<ScheduleJson>(`/api/v1/wfm/schedules/${schedule.id}/activities`, change.body)
          : await api.put<ScheduleJson>(`/api/v1/wfm/schedules/${schedule.id}/activities/${change.activityId}`, change.body);
      show(s, true);
      await reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setDrag(null);
    }
  };
  useEffect(() => {
    const up = () => {
      if (dragRef.current) endDrag();
    };
    window.addEventListener('mouseup', up);
    return () => window.removeEventListener('mouseup', up);
  });

  const baseGrid = schedule && day ? scheduleGrid(schedule, day) : null;
  const preview = drag && schedule ? previewDrag(schedule, drag.columns, drag) : null;
  const grid = preview && drag ? previewGrid(preview, day, drag.columns) : baseGrid;
  const shownCoverage = preview?.coverage ?? schedule?.coverage;
  const setE = (k: keyof ActivityForm) => (e: Event) => setEdit({ ...edit, [k]: (e.target as HTMLInputElement).value });

  return (
    <div class="page" data-testid="wfm-schedules">
      <div class="page-head">
        <h1>Schedules</h1>
      </div>
      <form class="card filters" onSubmit={generate} data-testid="schedule-generate">
        <Field label="First day">
          <input type="date" value={gen.startDate} onInput={(e) => setGen({ ...gen, startDate: (e.target as HTMLInputElement).value })} data-testid="schedule-start" />
        </Field>
        <Field label="Days" error={errors.days}>
          <input type="number" min={1} max={14} value={gen.days} onInput={(e) => setGen({ ...gen, days: (e.target as HTMLInputElement).value })} data-testid="schedule-days" />
        </Field>
        <Field label="Requirement from">
          <select value={gen.forecastId} onChange={(e) => setGen({ ...gen, forecastId: (e.target as HTMLSelectElement).value })} data-testid="schedule-forecast">
            <option value="">flat 09:00–17:00</option>
            {forecasts
              .filter((f) => f.interval_minutes === 30)
              .map((f) => (
                <option value={String(f.id)}>
                  forecast #{f.id} {f.queue} (30 % shrinkage)
                </option>
              ))}
          </select>
        </Field>
        {gen.forecastId ? null : (
          <Field label="Agents needed">
            <input type="number" min={0} value={gen.required} onInput={(e) => setGen({ ...gen, required: (e.target as HTMLInputElement).value })} data-testid="schedule-required" size={4} />
          </Field>
        )}
        <span class="muted small" data-testid="schedule-rules-note">
          {storedTemplates.length > 0
            ? `Stored templates (${storedTemplates.map((t) => t.name).join(', ')}), contracts and time off.`
            : '8-hour day shifts starting 08:00–10:00 with a 30-minute lunch, every configured agent up to 40 h and 5 days.'}
        </span>
        <button type="submit" class="btn" disabled={busy} data-testid="schedule-make">
          {busy ? 'Scheduling…' : 'Generate draft'}
        </button>
      </form>
      {error ? (
        <div class="banner banner-error" role="alert" data-testid="schedule-error">
          <span>{error}</span>
        </div>
      ) : null}
      <section class="card">
        <h2>Schedules</h2>
        {list.length === 0 ? <p class="muted">No schedule yet.</p> : null}
        <table class="grid" data-testid="schedule-list">
          <tbody>
            {list.map((s) => (
              <tr class={schedule?.id === s.id ? 'selected' : ''} onClick={() => open(s.id)} style={{ cursor: 'pointer' }}>
                <td>#{s.id}</td>
                <td>{s.name}</td>
                <td>
                  <span class={`badge badge-${s.state === 'published' ? 'ok' : 'muted'}`}>{s.state}</span>
                </td>
                <td class="muted">rev {s.revision}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {schedule ? (
        <section class="card" data-testid="schedule-view">
          <div class="page-head">
            <h2>
              #{schedule.id} {schedule.name}{' '}
              <span class="badge" data-testid="schedule-state">
                {schedule.state}
              </span>
            </h2>
            {mayEdit && schedule.state === 'draft' ? (
              <button type="button" class="btn" onClick={publish} data-testid="schedule-publish">
                Publish
              </button>
            ) : null}
          </div>
          <p class="muted small" data-testid="schedule-summary">
            Solver {String(schedule.solver.solver ?? '—')}; coverage short <span data-testid="schedule-under">{shownCoverage?.under.toFixed(1)}</span> and over <span data-testid="schedule-over">{shownCoverage?.over.toFixed(1)}</span> agent-intervals ({schedule.time_zone}).
          </p>
          <div class="filters">
            {scheduleDays(schedule).map((d) => (
              <button type="button" class={`btn btn-sm${d === day ? '' : ' btn-ghost'}`} onClick={() => setDay(d)} data-testid="schedule-day">
                {d}
              </button>
            ))}
          </div>
          {grid && grid.columns.length > 0 ? (
            <div style={{ overflowX: 'auto' }}>
              <table class="grid schedule-grid" data-testid="schedule-grid" style={{ fontSize: '11px' }}>
                <thead>
                  <tr>
                    <th>Agent</th>
                    {grid.columns.map((c) => (
                      <th style={{ padding: '2px' }}>{c.local.slice(11, 16)}</th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {grid.rows.map((r) => (
                    <tr data-testid="schedule-row" data-agent={r.agent}>
                      <td class="nowrap">{r.agent}</td>
                      {r.cells.map((c, i) => (
                        <td
                          title={c.title}
                          data-kind={c.kind ?? ''}
                          data-col={i}
                          data-testid="schedule-cell"
                          onMouseDown={beginDrag(r.agent, i, grid.columns)}
                          onMouseEnter={moveDrag(r.agent, i)}
                          onClick={mayEdit ? undefined : () => pick(c.activityId)}
                          style={{ padding: '0', minWidth: '18px', height: '18px', userSelect: 'none', cursor: mayEdit ? 'crosshair' : c.activityId ? 'pointer' : 'default', background: c.kind ? ACTIVITY_COLOURS[c.kind] : 'transparent' }}
                        />
                      ))}
                    </tr>
                  ))}
                  <tr data-testid="coverage-row">
                    <td class="nowrap">
                      <strong>Coverage</strong>
                    </td>
                    {grid.coverage.map((d) => (
                      <td class="num" data-testid="coverage-cell" style={{ padding: '2px', background: COVERAGE_COLOURS[coverageClass(d)] }}>
                        {d > 0 ? `+${d}` : d}
                      </td>
                    ))}
                  </tr>
                </tbody>
              </table>
              <div class="legend">
                {ACTIVITY_KINDS.map((k) => (
                  <span>
                    <span class="key" style={{ background: ACTIVITY_COLOURS[k] }} /> {k}{' '}
                  </span>
                ))}
                · coverage = scheduled − required
              </div>
              {mayEdit && schedule.state !== 'superseded' ? (
                <p class="muted small">
                  Drag across an agent's cells to paint them with{' '}
                  <select value={paintKind} onChange={(e) => setPaintKind((e.target as HTMLSelectElement).value as ActivityKind)} data-testid="paint-kind">
                    {ACTIVITY_KINDS.map((k) => (
                      <option value={k}>{k}</option>
                    ))}
                  </select>
                  ; drag the first or last cell of an activity to move that edge; click an activity to edit it below.
                </p>
              ) : null}
            </div>
          ) : (
            <p class="muted">Nobody is scheduled and nothing is required on {day}.</p>
          )}
          {mayEdit && schedule.state !== 'superseded' ? (
            <form class="filters" onSubmit={(e) => (e.preventDefault(), applyEdit('add'))} data-testid="activity-form">
              <Field label="Agent" error={errors.agent}>
                <select value={edit.agent} onChange={setE('agent')} data-testid="activity-agent">
                  {(schedule.agents ?? []).map((a) => (
                    <option value={a}>{a}</option>
                  ))}
                </select>
              </Field>
              <Field label="Activity" error={errors.kind}>
                <select value={edit.kind} onChange={setE('kind')} data-testid="activity-kind">
                  {ACTIVITY_KINDS.map((k) => (
                    <option value={k}>{k}</option>
                  ))}
                </select>
              </Field>
              <Field label="Day" error={errors.date}>
                <input type="date" value={edit.date} onInput={setE('date')} data-testid="activity-date" />
              </Field>
              <Field label="From" error={errors.from}>
                <input value={edit.from} onInput={setE('from')} size={5} data-testid="activity-from" />
              </Field>
              <Field label="To" error={errors.to}>
                <input value={edit.to} onInput={setE('to')} size={5} data-testid="activity-to" />
              </Field>
              <Field label="Label">
                <input value={edit.label} onInput={setE('label')} size={10} />
              </Field>
              <button type="submit" class="btn btn-sm" data-testid="activity-add">
                Add
              </button>
              <button type="button" class="btn btn-sm" onClick={() => applyEdit('update')} disabled={!edit.activityId} data-testid="activity-update">
                Change #{edit.activityId || '—'}
              </button>
              <button type="button" class="btn btn-sm btn-ghost" onClick={() => applyEdit('remove')} disabled={!edit.activityId} data-testid="activity-remove">
                Remove
              </button>
              {errors.activity ? <span class="field-error">{errors.activity}</span> : null}
            </form>
          ) : null}
        </section>
      ) : null}
      <SchedulingRules mayEdit={mayEdit} agents={centerAgents} onChange={setStoredTemplates} />
    </div>
  );
}
