import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api';
import { Field } from '../components';
import { formatPercent } from '../logic/time';
import { simulationSummary, staffingBody, staffingRoute, staffingSummary, type ForecastJson, type SimStaffingJson, type StaffingForm, type StaffingJson } from '../logic/wfm';

/**
 * Staffing table of a forecast: required and scheduled agents per interval, with what-if inputs;
 * or, with the method "simulation (multi-skill)", agents per group for every queue's newest
 * forecast by simulation with the real router.
 */
export function StaffingPage() {
  const [forecasts, setForecasts] = useState<ForecastJson[]>([]);
  const [forecastId, setForecastId] = useState<number | null>(null);
  const [form, setForm] = useState<StaffingForm>({ model: 'erlang_c', thresholdS: '20', targetSl: '80', shrinkage: '30', patienceS: '', ahtS: '240', whatIfHeadcount: '', volumeFactor: '', ahtFactor: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [table, setTable] = useState<StaffingJson | null>(null);
  const [sim, setSim] = useState<SimStaffingJson | null>(null);
  const [running, setRunning] = useState(false);

  useEffect(() => {
    api
      .get<{ forecasts: ForecastJson[] }>('/api/v1/wfm/forecasts')
      .then((r) => {
        setForecasts(r.forecasts);
        if (r.forecasts.length > 0) setForecastId(r.forecasts[0].id);
      })
      .catch((e) => setError(errorText(e)));
  }, []);

  const run = async (e: Event) => {
    e.preventDefault();
    const r = staffingBody(form);
    setErrors(r.errors);
    const route = staffingRoute(form.model, forecastId);
    if (!r.body || route === null) return;
    setError(null);
    setRunning(true);
    try {
      if (form.model === 'simulation') {
        setTable(null);
        setSim(await api.post<SimStaffingJson>(route, r.body));
      } else {
        setSim(null);
        setTable(await api.post<StaffingJson>(route, r.body));
      }
    } catch (err) {
      setError(errorText(err));
    } finally {
      setRunning(false);
    }
  };
  const set = (k: keyof StaffingForm) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const summary = table ? staffingSummary(table) : null;
  const simSummary = sim ? simulationSummary(sim) : null;
  const simulation = form.model === 'simulation';

  return (
    <div class="page" data-testid="wfm-staffing">
      <div class="page-head">
        <h1>Staffing</h1>
      </div>
      <form class="card filters" onSubmit={run} data-testid="staffing-form">
        <Field label="Forecast" hint={simulation ? 'simulation: every queue’s newest' : undefined}>
          <select disabled={simulation} value={forecastId === null ? '' : String(forecastId)} onChange={(e) => setForecastId(Number((e.target as HTMLSelectElement).value))} data-testid="staffing-forecast">
            {forecasts.map((f) => (
              <option value={String(f.id)}>
                #{f.id} {f.queue} ({f.method})
              </option>
            ))}
          </select>
        </Field>
        <Field label="Model">
          <select value={form.model} onChange={set('model')} data-testid="staffing-model">
            <option value="erlang_c">Erlang C</option>
            <option value="erlang_a">Erlang A (abandons)</option>
            <option value="simulation">Simulation (multi-skill)</option>
          </select>
        </Field>
        <Field label="Answer within (s)" error={errors.thresholdS}>
          <input type="number" value={form.thresholdS} onInput={set('thresholdS')} size={5} />
        </Field>
        <Field label="Service goal (%)" error={errors.targetSl}>
          <input type="number" value={form.targetSl} onInput={set('targetSl')} size={5} />
        </Field>
        <Field label="Shrinkage (%)" error={errors.shrinkage}>
          <input type="number" value={form.shrinkage} onInput={set('shrinkage')} size={5} />
        </Field>
        {form.model !== 'erlang_c' ? (
          <Field label="Patience (s)" error={errors.patienceS} hint={simulation ? 'empty: nobody abandons' : 'empty: from abandons'}>
            <input type="number" value={form.patienceS} onInput={set('patienceS')} size={5} />
          </Field>
        ) : null}
        <Field label="AHT if unknown (s)" error={errors.ahtS}>
          <input type="number" value={form.ahtS} onInput={set('ahtS')} size={5} />
        </Field>
        {!simulation || form.whatIfHeadcount || form.volumeFactor || form.ahtFactor ? (
          <>
            <Field label="What-if headcount" error={errors.whatIfHeadcount} hint="empty: required staff">
              <input type="number" value={form.whatIfHeadcount} onInput={set('whatIfHeadcount')} size={5} data-testid="staffing-headcount" />
            </Field>
            <Field label="Volume ×" error={errors.volumeFactor}>
              <input value={form.volumeFactor} onInput={set('volumeFactor')} size={4} placeholder="1" />
            </Field>
            <Field label="AHT ×" error={errors.ahtFactor}>
              <input value={form.ahtFactor} onInput={set('ahtFactor')} size={4} placeholder="1" />
            </Field>
          </>
        ) : null}
        <button type="submit" class="btn" disabled={running || (!simulation && forecastId === null)} data-testid="staffing-run">
          {running ? 'Calculating…' : 'Calculate'}
        </button>
      </form>
      {error ? (
        <div class="banner banner-error" role="alert" data-testid="staffing-error">
          <span>{error}</span>
        </div>
      ) : null}
      {table && summary ? (
        <section class="card">
          <h2>{table.what_if ? 'What the headcount achieves' : 'Required agents'} per interval</h2>
          <p class="muted small">
            Peak required {summary.peakRequired}, peak scheduled {summary.peakScheduled}, {Math.round(table.scheduled_agent_hours)} scheduled agent-hours; lowest service level {formatPercent(summary.minSl)}.
            {table.patience_s ? ` Patience ${Math.round(table.patience_s)} s${table.patience_estimate ? ` (estimated: ${table.patience_estimate.abandons} abandons of ${table.patience_estimate.calls} queued contacts)` : ''}.` : ''}
          </p>
          <table class="grid" data-testid="staffing-table">
            <thead>
              <tr>
                <th>Interval</th>
                <th class="num">Volume</th>
                <th class="num">AHT</th>
                <th class="num">Erlangs</th>
                <th class="num">Required</th>
                <th class="num">Scheduled</th>
                <th class="num">On phones</th>
                <th class="num">SL</th>
                <th class="num">ASA</th>
                {table.model === 'erlang_a' ? <th class="num">Abandon</th> : null}
                <th class="num">Occupancy</th>
              </tr>
            </thead>
            <tbody>
              {table.rows.map((r) => (
                <tr data-testid="staffing-row">
                  <td class="nowrap">{r.local.slice(0, 16).replace('T', ' ')}</td>
                  <td class="num">{r.volume.toFixed(1)}</td>
                  <td class="num">{Math.round(r.aht_s)} s</td>
                  <td class="num">{r.load_erlangs.toFixed(2)}</td>
                  <td class="num">{r.required}</td>
                  <td class="num">{r.scheduled}</td>
                  <td class="num">{r.agents}</td>
                  <td class={`num${r.volume > 0 && r.service_level < Number(form.targetSl) / 100 ? ' hot' : ''}`}>{formatPercent(r.service_level)}</td>
                  <td class="num">{r.stable ? `${r.asa_s.toFixed(1)} s` : '∞'}</td>
                  {table.model === 'erlang_a' ? <td class="num">{formatPercent(r.p_abandon)}</td> : null}
                  <td class="num">{formatPercent(r.occupancy)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {sim && simSummary ? (
        <section class="card" data-testid="staffing-simulation">
          <h2>Agents per group by simulation</h2>
          <p class="muted small">
            Peak {sim.peak_agents} on the phones ({sim.peak_scheduled} scheduled), {Math.round(sim.scheduled_agent_hours)} scheduled agent-hours;{' '}
            {simSummary.saved > 0 ? `pooling saves ${simSummary.saved} agents at the peak against separate Erlang C pools` : 'no saving against separate Erlang C pools at the peak'}
            {simSummary.misses > 0 ? `; ${simSummary.misses} intervals miss a goal (search limit)` : ''}. Forecasts:{' '}
            {sim.forecasts.map((f) => `${f.queue} #${f.forecast_id}`).join(', ')}; {sim.replications} replications of {sim.calls_per_replication} calls, {sim.evaluations} headcounts simulated.
          </p>
          <table class="grid" data-testid="simulation-table">
            <thead>
              <tr>
                <th>Interval</th>
                {sim.groups.map((g) => (
                  <th class="num" title={`takes ${g.queues.join(', ')}`}>
                    {g.name}
                  </th>
                ))}
                <th class="num">Total</th>
                <th class="num">Scheduled</th>
                <th class="num" title="Every queue as a pool of its own">
                  Erlang C
                </th>
                {simSummary.queues.map((q) => (
                  <th class="num">SL {q}</th>
                ))}
                {simSummary.queues.map((q) => (
                  <th class="num">ASA {q}</th>
                ))}
                {simSummary.abandons ? simSummary.queues.map((q) => <th class="num">Abandon {q}</th>) : null}
                <th class="num">Occupancy</th>
              </tr>
            </thead>
            <tbody>
              {simSummary.rows.map((r) => {
                const byQueue = new Map(r.queues.map((q) => [q.queue, q]));
                return (
                  <tr data-testid="simulation-row">
                    <td class="nowrap">{r.local.slice(0, 16).replace('T', ' ')}</td>
                    {r.agents.map((n) => (
                      <td class="num">{n}</td>
                    ))}
                    <td class="num">{r.total_agents}</td>
                    <td class="num">{r.total_scheduled}</td>
                    <td class="num">{r.erlang_c_separate}</td>
                    {simSummary.queues.map((name) => {
                      const q = byQueue.get(name);
                      return (
                        <td class={`num${q && !q.met ? ' hot' : ''}`}>{q && q.service_level !== null ? `${formatPercent(q.service_level)} ±${((q.sl_ci95 ?? 0) * 100).toFixed(1)}` : '–'}</td>
                      );
                    })}
                    {simSummary.queues.map((name) => {
                      const q = byQueue.get(name);
                      return <td class="num">{q && q.asa_s !== null ? `${q.asa_s.toFixed(1)} s` : '–'}</td>;
                    })}
                    {simSummary.abandons
                      ? simSummary.queues.map((name) => {
                          const q = byQueue.get(name);
                          return <td class="num">{q && q.abandon_rate !== null ? formatPercent(q.abandon_rate) : '–'}</td>;
                        })
                      : null}
                    <td class="num">{formatPercent(r.occupancy)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </section>
      ) : null}
    </div>
  );
}
