import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api';
import { Field } from '../components';

// The stored scheduling rules (GET/POST/PUT/DELETE /api/v1/wfm/shift-templates, /contracts,
// /time-off; docs/scheduling.md): generating a schedule uses them unless the request brings its
// own. Admins and supervisors change them; analysts read them.

export interface TemplateJson {
  name: string;
  length: string;
  earliest_start: string;
  latest_start: string;
  start_step_min: number;
  days: string[];
  breaks: { name: string; length_min: number; earliest_after_min: number; latest_after_min: number; paid: boolean }[];
}
export interface ContractJson {
  agent: string;
  templates: string[];
  min_hours: number;
  max_hours: number;
  max_days: number;
  availability: Record<string, string[]>;
}
export interface TimeOffJson {
  id: number;
  agent: string;
  first_day: string;
  last_day: string;
  reason: string;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** The template a form describes: one lunch and one short break, placed by the scheduler. */
export function templateFromForm(f: { name: string; length: string; earliest: string; latest: string; days: string[]; lunchMin: string }): Record<string, unknown> {
  const lunch = Number(f.lunchMin);
  const [h, m] = f.length.split(':').map(Number);
  const length = (h || 0) * 60 + (m || 0);
  const breaks = lunch > 0 && length > 5 * 60 ? [{ name: 'lunch', length_min: lunch, earliest_after_min: Math.floor(length / 2 / 30) * 30 - 60, latest_after_min: Math.floor(length / 2 / 30) * 30 + 30, paid: false }] : [];
  return { name: f.name.trim(), length: f.length, earliest_start: f.earliest, latest_start: f.latest, days: f.days, breaks };
}

/** A labelled text input bound to `field` of a form's state. */
function FormInput<F extends Record<string, unknown>>(props: { label: string; form: F; set: (f: F) => void; field: keyof F & string; type?: string; size?: number; testid?: string }) {
  return (
    <Field label={props.label}>
      <input type={props.type} value={props.form[props.field] as string} onInput={(e) => props.set({ ...props.form, [props.field]: (e.target as HTMLInputElement).value })} size={props.size} data-testid={props.testid} />
    </Field>
  );
}

/** The agent a contract or time-off form is for. */
function AgentSelect(props: { agents: string[]; value: string; onChange: (agent: string) => void }) {
  return (
    <Field label="Agent">
      <select value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        {props.agents.map((a) => (
          <option value={a}>{a}</option>
        ))}
      </select>
    </Field>
  );
}

export function SchedulingRules(props: { mayEdit: boolean; agents: string[]; onChange?: (templates: TemplateJson[]) => void }) {
  const [templates, setTemplates] = useState<TemplateJson[]>([]);
  const [contracts, setContracts] = useState<ContractJson[]>([]);
  const [timeOff, setTimeOff] = useState<TimeOffJson[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [tf, setTf] = useState({ name: 'day', length: '8:00', earliest: '08:00', latest: '10:00', days: WEEKDAYS.slice(0, 5), lunchMin: '30' });
  const [cf, setCf] = useState({ agent: '', min: '0', max: '40', maxDays: '5', templates: '' });
  const [of, setOf] = useState({ agent: '', first: '', last: '', reason: '' });

  const load = async () => {
    try {
      const [t, c, o] = await Promise.all([
        api.get<{ templates: TemplateJson[] }>('/api/v1/wfm/shift-templates'),
        api.get<{ contracts: ContractJson[] }>('/api/v1/wfm/contracts'),
        api.get<{ time_off: TimeOffJson[] }>('/api/v1/wfm/time-off'),
      ]);
      setTemplates(t.templates);
      setContracts(c.contracts);
      setTimeOff(o.time_off);
      props.onChange?.(t.templates);
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    load();
  }, []);
  const act = (fn: () => Promise<unknown>) => async (e?: Event) => {
    e?.preventDefault();
    setError(null);
    try {
      await fn();
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const agentOf = (v: string) => v || props.agents[0] || '';

  return (
    <section class="card" data-testid="scheduling-rules">
      <h2>Scheduling rules</h2>
      <p class="muted small">Generating a draft uses these templates, each agent's contract (else 0–40 h, 5 days) and their time off.</p>
      {error ? (
        <div class="banner banner-error" role="alert" data-testid="rules-error">
          <span>{error}</span>
        </div>
      ) : null}
      <h3>Shift templates</h3>
      <table class="grid" data-testid="rules-templates">
        <tbody>
          {templates.map((t) => (
            <tr data-testid="rules-template" data-name={t.name}>
              <td>{t.name}</td>
              <td>
                {t.length} starting {t.earliest_start}–{t.latest_start}
              </td>
              <td>{t.days.join(' ')}</td>
              <td class="muted">{t.breaks.map((b) => `${b.name} ${b.length_min} min`).join(', ')}</td>
              {props.mayEdit ? (
                <td>
                  <button type="button" class="btn btn-sm btn-ghost" onClick={act(() => api.del(`/api/v1/wfm/shift-templates/${encodeURIComponent(t.name)}`))}>
                    Delete
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {props.mayEdit ? (
        <form class="filters" onSubmit={act(() => api.put(`/api/v1/wfm/shift-templates/${encodeURIComponent(tf.name.trim())}`, templateFromForm(tf)))} data-testid="rules-template-form">
          <FormInput label="Name" form={tf} set={setTf} field="name" size={8} testid="rules-template-name" />
          <FormInput label="Length" form={tf} set={setTf} field="length" size={5} testid="rules-template-length" />
          <FormInput label="Starts from" form={tf} set={setTf} field="earliest" size={5} />
          <FormInput label="to" form={tf} set={setTf} field="latest" size={5} />
          <FormInput label="Lunch (min)" form={tf} set={setTf} field="lunchMin" size={3} />
          <span class="inline small">
            {WEEKDAYS.map((d) => (
              <label>
                <input type="checkbox" checked={tf.days.includes(d)} onChange={(e) => setTf({ ...tf, days: (e.target as HTMLInputElement).checked ? [...tf.days, d] : tf.days.filter((x) => x !== d) })} />
                {d}
              </label>
            ))}
          </span>
          <button type="submit" class="btn btn-sm" data-testid="rules-template-save">
            Save template
          </button>
        </form>
      ) : null}

      <h3>Contracts</h3>
      <table class="grid" data-testid="rules-contracts">
        <tbody>
          {contracts.map((c) => (
            <tr data-testid="rules-contract" data-agent={c.agent}>
              <td>{c.agent}</td>
              <td>
                {c.min_hours}–{c.max_hours} h, up to {c.max_days} days
              </td>
              <td class="muted">{c.templates.length > 0 ? c.templates.join(', ') : 'any template'}</td>
              {props.mayEdit ? (
                <td>
                  <button type="button" class="btn btn-sm btn-ghost" onClick={act(() => api.del(`/api/v1/wfm/contracts/${encodeURIComponent(c.agent)}`))}>
                    Delete
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {props.mayEdit ? (
        <form
          class="filters"
          onSubmit={act(() =>
            api.put(`/api/v1/wfm/contracts/${encodeURIComponent(agentOf(cf.agent))}`, {
              min_hours: Number(cf.min),
              max_hours: Number(cf.max),
              max_days: Number(cf.maxDays),
              templates: cf.templates.split(',').map((s) => s.trim()).filter(Boolean),
            }),
          )}
          data-testid="rules-contract-form"
        >
          <AgentSelect agents={props.agents} value={agentOf(cf.agent)} onChange={(agent) => setCf({ ...cf, agent })} />
          <FormInput label="Hours min" form={cf} set={setCf} field="min" size={3} />
          <FormInput label="max" form={cf} set={setCf} field="max" size={3} />
          <FormInput label="Days" form={cf} set={setCf} field="maxDays" size={2} />
          <FormInput label="Templates (comma)" form={cf} set={setCf} field="templates" size={10} />
          <button type="submit" class="btn btn-sm">
            Save contract
          </button>
        </form>
      ) : null}

      <h3>Time off</h3>
      <table class="grid" data-testid="rules-time-off">
        <tbody>
          {timeOff.map((t) => (
            <tr data-testid="rules-time-off-row">
              <td>{t.agent}</td>
              <td>
                {t.first_day}
                {t.last_day !== t.first_day ? ` – ${t.last_day}` : ''}
              </td>
              <td class="muted">{t.reason}</td>
              {props.mayEdit ? (
                <td>
                  <button type="button" class="btn btn-sm btn-ghost" onClick={act(() => api.del(`/api/v1/wfm/time-off/${t.id}`))}>
                    Delete
                  </button>
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {props.mayEdit ? (
        <form class="filters" onSubmit={act(() => api.post('/api/v1/wfm/time-off', { agent: agentOf(of.agent), first_day: of.first, last_day: of.last || of.first, reason: of.reason }))} data-testid="rules-time-off-form">
          <AgentSelect agents={props.agents} value={agentOf(of.agent)} onChange={(agent) => setOf({ ...of, agent })} />
          <FormInput label="From" form={of} set={setOf} field="first" type="date" />
          <FormInput label="To" form={of} set={setOf} field="last" type="date" />
          <FormInput label="Reason" form={of} set={setOf} field="reason" size={10} />
          <button type="submit" class="btn btn-sm">
            Add time off
          </button>
        </form>
      ) : null}
    </section>
  );
}
