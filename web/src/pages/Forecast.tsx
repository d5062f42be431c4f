import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api';
import { Field } from '../components';
import { labelEvery, niceMax } from '../logic/reports';
import { bandPath, forecastBody, forecastSeries, type AccuracyFigures, type AccuracyJson, type ForecastForm, type ForecastJson, type ForecastPoint } from '../logic/wfm';
import type { Queue } from '../types';

const METHODS = ['auto', 'seasonal_naive', 'weekday_mean', 'holt_winters', 'profile'];

/** Forecasts: make one from a queue's history (or a CSV), see history vs forecast, and its accuracy. */
export function ForecastPage() {
  const [queues, setQueues] = useState<Queue[]>([]);
  const [list, setList] = useState<ForecastJson[]>([]);
  const [selected, setSelected] = useState<ForecastJson | null>(null);
  const [accuracy, setAccuracy] = useState<AccuracyJson | null>(null);
  const [queueAccuracy, setQueueAccuracy] = useState<AccuracyJson | null>(null);
  const [form, setForm] = useState<ForecastForm>({ queue: '', horizonDays: '7', historyDays: '56', intervalMinutes: '30', method: 'auto', timeZone: 'UTC', csv: '', intervals: true });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const reload = async (pick?: number) => {
    const r = await api.get<{ forecasts: ForecastJson[] }>('/api/v1/wfm/forecasts');
    setList(r.forecasts);
    const id = pick ?? r.forecasts[0]?.id;
    if (id !== undefined) await open(id);
  };
  const open = async (id: number) => {
    try {
      const f = await api.get<ForecastJson>(`/api/v1/wfm/forecasts/${id}`);
      setSelected(f);
      setAccuracy(await api.get<AccuracyJson>(`/api/v1/wfm/forecasts/${id}/accuracy`).catch(() => null));
      setQueueAccuracy(await api.get<AccuracyJson>(`/api/v1/wfm/accuracy?queue=${encodeURIComponent(f.queue)}`).catch(() => null));
    } catch (e) {
      setError(errorText(e));
    }
  };

  useEffect(() => {
    api
      .get<{ items: Queue[] }>('/api/v1/queues')
      .then((r) => {
        setQueues(r.items ?? []);
        if (r.items?.length) setForm((f) => (f.queue ? f : { ...f, queue: r.items[0].name }));
      })
      .catch(() => undefined);
    reload().catch((e) => setError(errorText(e)));
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const r = forecastBody(form);
    setErrors(r.errors);
    if (!r.body) return;
    setBusy(true);
    setError(null);
    try {
      const f = await api.post<ForecastJson>('/api/v1/wfm/forecasts', r.body);
      await reload(f.id);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const set = (k: keyof ForecastForm) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });

  return (
    <div class="page" data-testid="wfm-forecast">
      <div class="page-head">
        <h1>Forecast</h1>
      </div>
      <form class="card filters" onSubmit={submit} data-testid="forecast-form">
        <Field label="Queue" error={errors.queue} name="queue">
          <input list="wfm-queues" value={form.queue} onInput={set('queue')} data-testid="forecast-queue" size={14} />
          <datalist id="wfm-queues">
            {queues.map((q) => (
              <option value={q.name} />
            ))}
          </datalist>
        </Field>
        <Field label="Days ahead" error={errors.horizonDays} name="horizonDays">
          <input type="number" min={1} max={62} value={form.horizonDays} onInput={set('horizonDays')} data-testid="forecast-horizon" />
        </Field>
        <Field label="History (days)" error={errors.historyDays} name="historyDays">
          <input type="number" min={7} max={400} value={form.historyDays} onInput={set('historyDays')} />
        </Field>
        <Field label="Interval">
          <select value={form.intervalMinutes} onChange={set('intervalMinutes')}>
            <option value="15">15 min</option>
            <option value="30">30 min</option>
            <option value="60">60 min</option>
          </select>
        </Field>
        <Field label="Method">
          <select value={form.method} onChange={set('method')} data-testid="forecast-method">
            {METHODS.map((m) => (
              <option value={m}>{m}</option>
            ))}
          </select>
        </Field>
        <Field label="Time zone">
          <input value={form.timeZone} onInput={set('timeZone')} size={12} />
        </Field>
        <Field label="Prediction intervals">
          <label class="nowrap">
            <input type="checkbox" checked={form.intervals} onChange={(e) => setForm({ ...form, intervals: (e.target as HTMLInputElement).checked })} data-testid="forecast-intervals" /> 80 % and 95 %
          </label>
        </Field>
        <Field label="…or history CSV (start,volume[,aht_s])">
          <textarea rows={2} cols={32} value={form.csv} onInput={set('csv')} placeholder="start,volume,aht_s" />
        </Field>
        <button type="submit" class="btn" disabled={busy} data-testid="forecast-make">
          {busy ? 'Forecasting…' : 'Make and publish'}
        </button>
      </form>
      {error ? (
        <div class="banner banner-error" role="alert" data-testid="forecast-error">
          <span>{error}</span>
        </div>
      ) : null}
      <section class="card">
        <h2>Published forecasts</h2>
        {list.length === 0 ? <p class="muted">No forecast yet.</p> : null}
        <table class="grid" data-testid="forecast-list">
          <tbody>
            {list.map((f) => (
              <tr class={selected?.id === f.id ? 'selected' : ''} onClick={() => open(f.id)} style={{ cursor: 'pointer' }}>
                <td>#{f.id}</td>
                <td>{f.queue}</td>
                <td>{f.method}</td>
                <td>{f.source}</td>
                <td class="muted">{new Date(f.created_at).toISOString().slice(0, 16).replace('T', ' ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {selected ? (
        <>
          <section class="card">
            <h2>
              {selected.queue}: history and forecast ({selected.method}, {selected.interval_minutes}-minute intervals, {selected.time_zone})
            </h2>
            <p class="muted small">
              Forecast total {Math.round(selected.total_volume ?? 0)} contacts.{' '}
              {selected.details?.interval_basis
                ? `Shaded: 80 % and 95 % prediction intervals (${selected.details.interval_basis === 'backtest' ? `from ${selected.details.interval_errors ?? 0} day-ahead back-test errors` : 'history too short to back-test: counting noise only'}). `
                : 'No prediction intervals stored with this forecast. '}
              Back-test wMAPE of each candidate:{' '}
              {(selected.details?.backtest_wmape ?? []).map((b) => `${b.method} ${b.wmape.toFixed(1)} %`).join(', ') || 'not run'}.
            </p>
            <ForecastChart points={forecastSeries(selected)} />
          </section>
          <section class="card">
            <h2>Accuracy</h2>
            <AccuracyTable title={`Forecast #${selected.id}`} acc={accuracy} testid="forecast-accuracy" />
            <AccuracyTable title={`All forecasts of ${selected.queue}`} acc={queueAccuracy} testid="queue-accuracy" />
          </section>
        </>
      ) : null}
    </div>
  );
}

function pct(v: number): string {
  return `${v.toFixed(1)} %`;
}

function AccuracyTable(props: { title: string; acc: AccuracyJson | null; testid: string }) {
  const a = props.acc;
  const row = (label: string, f: AccuracyFigures) => (
    <tr>
      <td>{label}</td>
      <td class="num">{f.intervals}</td>
      <td class="num">{pct(f.mape)}</td>
      <td class="num">{pct(f.wmape)}</td>
      <td class="num">{f.mase.toFixed(3)}</td>
      <td class="num">{pct(f.bias)}</td>
    </tr>
  );
  return (
    <div data-testid={props.testid}>
      <h3>{props.title}</h3>
      {!a || a.overall.intervals === 0 ? (
        <p class="muted">Nothing to score yet{a ? ` (${a.intervals_pending} intervals still to come)` : ''}.</p>
      ) : (
        <table class="grid">
          <thead>
            <tr>
              <th>Horizon</th>
              <th class="num">Intervals</th>
              <th class="num">MAPE</th>
              <th class="num">wMAPE</th>
              <th class="num">MASE</th>
              <th class="num">Bias</th>
            </tr>
          </thead>
          <tbody>
            {a.by_horizon.map((f) => row(`${f.horizon_days} day${f.horizon_days === 1 ? '' : 's'} ahead`, f))}
            {row('All', a.overall)}
          </tbody>
        </table>
      )}
    </div>
  );
}

const W = 760;
const H = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 30 };

/** Actual volume (bars) and forecast (line) by interval. */
function ForecastChart(props: { points: ForecastPoint[] }) {
  const pts = props.points;
  if (pts.length === 0) return <p class="muted">No data.</p>;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const max = niceMax(Math.max(1, ...pts.map((p) => Math.max(p.actual ?? 0, p.forecast ?? 0, p.band95?.[1] ?? 0))));
  const step = innerW / pts.length;
  const x = (i: number) => PAD.left + i * step + step / 2;
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  let d = '';
  let pen = false;
  pts.forEach((p, i) => {
    if (p.forecast === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(p.forecast).toFixed(1)}`;
    pen = true;
  });
  const every = labelEvery(pts.length, 8);
  return (
    <div class="chart" data-testid="forecast-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Actual and forecast volume by interval">
        {[0, 0.25, 0.5, 0.75, 1].map((f) => (
          <g>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(max * f)} y2={y(max * f)} class="grid-line" />
            <text x={PAD.left - 6} y={y(max * f) + 4} class="axis" text-anchor="end">
              {Math.round(max * f)}
            </text>
          </g>
        ))}
        {pts.map((p, i) =>
          p.actual === null ? null : (
            <rect x={x(i) - Math.max(1, step * 0.35)} y={y(p.actual)} width={Math.max(1, step * 0.7)} height={PAD.top + innerH - y(p.actual)} class="bar-offered">
              <title>{`${p.label}: actual ${p.actual}${p.forecast === null ? '' : `, forecast ${p.forecast.toFixed(1)}`}`}</title>
            </rect>
          ),
        )}
        <path d={bandPath(pts, 'band95', x, y)} fill="currentColor" fill-opacity="0.12" stroke="none" data-testid="forecast-band95" />
        <path d={bandPath(pts, 'band80', x, y)} fill="currentColor" fill-opacity="0.22" stroke="none" data-testid="forecast-band80" />
        <path d={d} class="line-sl" data-testid="forecast-line" />
        {pts.map((p, i) =>
          i % every === 0 ? (
            <text x={x(i)} y={H - PAD.bottom + 16} class="axis" text-anchor="middle">
              {p.label.slice(5, 16)}
            </text>
          ) : null,
        )}
      </svg>
      <div class="legend">
        <span class="key key-offered" /> actual offered <span class="key key-sl" /> forecast{pts.some((p) => p.band80) ? ' (shaded: 80 % and 95 % intervals)' : ''}
      </div>
    </div>
  );
}
