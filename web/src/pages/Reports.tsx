import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api';
import { BarChart, MixBar, SlHeatmap, VolumeChart } from '../charts';
import {
  agentTable,
  channelMix,
  defaultFilters,
  histogramBars,
  intervalSeries,
  reportQuery,
  slHeatmap,
  validateFilters,
  type DistributionsJson,
  type ReportFilters,
  type ReportJson,
} from '../logic/reports';
import { adherenceByAgent, type AdherenceHistoryRow } from '../logic/rta';
import { formatPercent, formatSecondsStat } from '../logic/time';
import type { Queue } from '../types';

const CHANNELS = ['voice', 'chat', 'email', 'sms', 'whatsapp', 'social', 'callback', 'task'];

interface Loaded {
  intervals: ReportJson;
  heatmap: ReportJson;
  agents: ReportJson;
  channels: ReportJson;
  distributions: DistributionsJson;
  adherence: Map<string, AdherenceHistoryRow>; // by agent name; empty when not readable
}

/** Historical reports: volume/SL/ASA by interval, SL heatmap, wait distribution, agents, channel mix. */
export function ReportsPage() {
  const [filters, setFilters] = useState<ReportFilters>(() => defaultFilters(new Date()));
  const [draft, setDraft] = useState<ReportFilters>(filters);
  const [queues, setQueues] = useState<Queue[]>([]);
  const [data, setData] = useState<Loaded | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api
      .get<{ items: Queue[] }>('/api/v1/queues')
      .then((r) => setQueues(r.items ?? []))
      .catch(() => undefined);
  }, []);

  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      setLoading(true);
      setError(null);
      try {
        const get = <T,>(path: string, groupBy: string[], extra: Record<string, string> = {}) => api.get<T>(`${path}?${reportQuery(filters, groupBy, extra)}`);
        const [intervals, heatmap, agents, channels, distributions] = await Promise.all([
          get<ReportJson>('/api/v1/reports/intervals', ['interval']),
          get<ReportJson>('/api/v1/reports/intervals', ['weekday', 'time_of_day']),
          get<ReportJson>('/api/v1/reports/intervals', ['agent']),
          get<ReportJson>('/api/v1/reports/intervals', ['channel']),
          get<DistributionsJson>('/api/v1/reports/distributions', []),
        ]);
        // Adherence per agent over the same days (UTC days; schedules from workforce management).
        const adherence = await api
          .get<{ agents: AdherenceHistoryRow[] }>(`/api/v1/adherence/history?from=${filters.from}&to=${filters.to}`)
          .then((h) => adherenceByAgent(h))
          .catch(() => adherenceByAgent(null));
        if (!cancelled) setData({ intervals, heatmap, agents, channels, distributions, adherence });
      } catch (e) {
        if (!cancelled) setError(errorText(e));
      } finally {
        if (!cancelled) setLoading(false);
      }
    };
    load();
    return () => {
      cancelled = true;
    };
  }, [filters]);

  const apply = (e: Event) => {
    e.preventDefault();
    const problem = validateFilters(draft);
    if (problem) {
      setError(problem);
      return;
    }
    setFilters({ ...draft });
  };

  const total = data?.intervals.total;
  const agents = data ? agentTable(data.agents) : [];
  const wait = data?.distributions.total.wait;

  return (
    <div class="page reports" data-testid="reports">
      <div class="page-head">
        <h1>Reports</h1>
        <a class="btn btn-sm" data-testid="reports-csv" href={`/api/v1/reports/intervals?${reportQuery(filters, ['interval', 'queue'], { format: 'csv' })}`} download="switchboard-report.csv">
          Export CSV
        </a>
      </div>
      <form class="card filters" onSubmit={apply} data-testid="reports-filters">
        <label>
          From <input type="date" value={draft.from} data-testid="reports-from" onInput={(e) => setDraft({ ...draft, from: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          To <input type="date" value={draft.to} data-testid="reports-to" onInput={(e) => setDraft({ ...draft, to: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          Interval
          <select value={String(draft.interval)} data-testid="reports-interval" onChange={(e) => setDraft({ ...draft, interval: Number((e.target as HTMLSelectElement).value) as 15 | 30 | 60 })}>
            <option value="15">15 min</option>
            <option value="30">30 min</option>
            <option value="60">60 min</option>
          </select>
        </label>
        <label>
          Queue
          <select value={draft.queue} data-testid="reports-queue" onChange={(e) => setDraft({ ...draft, queue: (e.target as HTMLSelectElement).value })}>
            <option value="">All queues</option>
            {queues.map((q) => (
              <option value={q.name}>{q.name}</option>
            ))}
          </select>
        </label>
        <label>
          Channel
          <select value={draft.channel} data-testid="reports-channel" onChange={(e) => setDraft({ ...draft, channel: (e.target as HTMLSelectElement).value })}>
            <option value="">All channels</option>
            {CHANNELS.map((c) => (
              <option value={c}>{c}</option>
            ))}
          </select>
        </label>
        <label>
          Time zone <input value={draft.tz} size={14} data-testid="reports-tz" onInput={(e) => setDraft({ ...draft, tz: (e.target as HTMLInputElement).value })} />
        </label>
        <button type="submit" class="btn" data-testid="reports-apply">
          Show
        </button>
        {loading ? <span class="muted">Loading…</span> : null}
      </form>
      {error ? (
        <div class="banner banner-error" role="alert" data-testid="reports-error">
          <span>{error}</span>
        </div>
      ) : null}
      {data && total ? (
        <>
          <div class="tiles">
            <Tile label="Offered" value={String(total.offered)} testid="reports-offered" />
            <Tile label="Handled" value={String(total.handled)} testid="reports-handled" />
            <Tile label="Abandoned" value={`${total.abandoned} (${formatPercent(total.offered > 0 ? total.abandon_rate : null)})`} testid="reports-abandoned" />
            <Tile label="Service level" value={formatPercent(total.handled + total.abandoned > 0 ? total.service_level : null)} testid="reports-sl" />
            <Tile label="ASA" value={formatSecondsStat(total.handled > 0 ? total.asa_s : null)} testid="reports-asa" />
            <Tile label="AHT" value={formatSecondsStat(Number(total.handle_samples ?? 0) > 0 ? total.aht_s : null)} testid="reports-aht" />
            <Tile label="Wait p90" value={formatSecondsStat(total.handled > 0 ? total.wait_p90_s : null)} testid="reports-p90" />
          </div>
          <section class="card">
            <h2>Volume, service level and ASA by interval</h2>
            <VolumeChart points={intervalSeries(data.intervals)} testid="reports-volume-chart" />
          </section>
          <section class="card">
            <h2>Service level by weekday and time of day</h2>
            <SlHeatmap heatmap={slHeatmap(data.heatmap)} testid="reports-heatmap" />
          </section>
          <section class="card">
            <h2>Wait time distribution (answered contacts)</h2>
            {wait && wait.count > 0 ? (
              <p class="muted small">
                p50 {formatSecondsStat(wait.p50_s)} · p90 {formatSecondsStat(wait.p90_s)} · p95 {formatSecondsStat(wait.p95_s)} · {wait.count} contacts
              </p>
            ) : null}
            <BarChart bars={histogramBars(wait?.histogram ?? [])} testid="reports-wait-histogram" ariaLabel="Wait time distribution" />
          </section>
          <section class="card">
            <h2>Channel mix</h2>
            <MixBar items={channelMix(data.channels)} testid="reports-channel-mix" />
          </section>
          <section class="card">
            <h2>Agents</h2>
            <table class="grid" data-testid="reports-agents">
              <thead>
                <tr>
                  <th>Agent</th>
                  <th class="num">Handled</th>
                  <th class="num">AHT</th>
                  <th class="num">Occupancy</th>
                  <th class="num" title="Schedule adherence over the range (UTC days): minutes in adherence / scheduled minutes; conformance on hover">
                    Adherence
                  </th>
                  <th class="num">CSAT</th>
                </tr>
              </thead>
              <tbody>
                {agents.length === 0 ? (
                  <tr>
                    <td colSpan={6} class="muted">
                      No agent handled contacts in this range.
                    </td>
                  </tr>
                ) : null}
                {agents.map((a) => (
                  <tr data-testid="reports-agent-row">
                    <td>{a.agent}</td>
                    <td class="num">{a.handled}</td>
                    <td class="num">{formatSecondsStat(a.ahtS)}</td>
                    <td class="num">{formatPercent(a.occupancy)}</td>
                    <td
                      class="num"
                      data-testid="reports-agent-adherence"
                      title={data.adherence.get(a.agent) ? `conformance ${formatPercent(data.adherence.get(a.agent)?.conformance)}` : 'no published schedule'}
                    >
                      {formatPercent(data.adherence.get(a.agent)?.adherence)}
                    </td>
                    <td class="num">{a.csat === null ? '—' : `${formatPercent(a.csat)} (${a.csatResponses})`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      ) : null}
    </div>
  );
}

function Tile(props: { label: string; value: string; testid: string }) {
  return (
    <div class="tile">
      <div class="tile-label">{props.label}</div>
      <div class="tile-value" data-testid={props.testid}>
        {props.value}
      </div>
    </div>
  );
}
