import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, errorText } from '../api';
import { Badge, ErrorBanner, Field, fieldError } from '../components';
import { useNow } from '../hooks';
import {
  alertDuration,
  alertSubject,
  defaultRuleDraft,
  describeRule,
  formatAlertValue,
  formatThreshold,
  historyPath,
  ruleBody,
  ruleToDraft,
  type Alert,
  type AlertMetric,
  type AlertRule,
  type RuleDraft,
} from '../logic/alerts';
import type { Queue } from '../types';
import { CrudPage, inputValue, useList } from './admin/Crud';

// Alert rules (threshold and baseline change, with their hysteresis settings) and the alert
// history. The rules are evaluated by the server (docs/alerts.md); this page edits them.

export function AlertRulesPage() {
  const [metrics, setMetrics] = useState<AlertMetric[]>([]);
  const [bump, setBump] = useState(0);
  const queues = useList<Queue>('/api/v1/queues');
  const queueNames = new Map(queues.map((q) => [q.id, q.name]));

  useEffect(() => {
    api
      .get<{ metrics: AlertMetric[] }>('/api/v1/alert-rules')
      .then((r) => setMetrics(r.metrics ?? []))
      .catch(() => setMetrics([]));
  }, []);

  // Client-side checks answer like the server does (a 400 with field errors).
  const body = (d: RuleDraft) => {
    const { body: b, errors } = ruleBody(d, metrics);
    if (!b) {
      throw new ApiError(400, {
        status: 400,
        title: 'Invalid alert rule',
        detail: 'Some fields need attention.',
        errors: Object.entries(errors).map(([field, message]) => ({ field, message })),
      });
    }
    return b;
  };

  return (
    <div>
      <CrudPage<AlertRule, RuleDraft>
        title="Alert rules"
        path="/api/v1/alert-rules"
        prefix="alert-rules"
        noun="rule"
        description="A rule watches a live figure (sampled every few seconds) or an interval figure (once per closed interval), against a threshold or against the same interval last week. The clear threshold and the run lengths keep an alert from flapping."
        columns={[
          { label: 'Name', render: (r) => r.name },
          {
            label: 'Severity',
            render: (r) => <Badge kind={r.severity}>{r.severity}</Badge>,
          },
          { label: 'Fires when', render: (r) => <span data-testid="alert-rule-summary">{describeRule(r, queueNames)}</span> },
          { label: 'Enabled', render: (r) => (r.enabled ? 'yes' : 'no') },
        ]}
        empty={defaultRuleDraft}
        toDraft={ruleToDraft}
        createBody={body}
        updateBody={body}
        onSaved={() => setBump((b) => b + 1)}
        rowActions={(r, reload, setError) => (
          <button
            type="button"
            class="btn btn-sm btn-ghost"
            data-testid="alert-rules-delete"
            onClick={async () => {
              if (!window.confirm(`Delete the rule "${r.name}"? Its active alerts close.`)) return;
              try {
                await api.del(`/api/v1/alert-rules/${r.id}`);
                setError(null);
                await reload();
                setBump((b) => b + 1);
              } catch (e) {
                setError(errorText(e));
              }
            }}
          >
            Delete
          </button>
        )}
        renderForm={(d, set, errors) => <RuleForm draft={d} set={set} errors={errors} metrics={metrics} queues={queues} />}
      />
      <AlertHistory queueNames={queueNames} bump={bump} />
    </div>
  );
}

function RuleForm(props: {
  draft: RuleDraft;
  set: (d: RuleDraft) => void;
  errors: Parameters<typeof fieldError>[0];
  metrics: AlertMetric[];
  queues: Queue[];
}) {
  const { draft: d, set, errors, metrics, queues } = props;
  const metric = metrics.find((m) => m.name === d.metric);
  const baseline = d.kind === 'baseline_change';
  const unitHint = baseline
    ? 'a relative change: 0.5 = 50 % more than the same interval last week, -0.3 = 30 % less'
    : metric?.unit === 'ratio'
      ? 'a ratio: 0.8 = 80 %'
      : metric?.unit === 's'
        ? 'seconds'
        : 'a count';
  const text = (key: keyof RuleDraft, label: string, hint?: string) => (
    <Field label={label} name={key} error={fieldError(errors, key)} hint={hint}>
      <input data-testid={`alert-rule-${key}`} value={d[key] as string} onInput={(e) => set({ ...d, [key]: inputValue(e) })} />
    </Field>
  );
  return (
    <div>
      {text('name', 'Name')}
      <Field label="Figure" name="metric" error={fieldError(errors, 'metric')} hint={metric ? `${metric.description} (${metric.source})` : undefined}>
        <select data-testid="alert-rule-metric" value={d.metric} onChange={(e) => set({ ...d, metric: inputValue(e) })}>
          {metrics.map((m) => (
            <option value={m.name}>
              {m.name} ({m.source})
            </option>
          ))}
        </select>
      </Field>
      <Field label="Kind" name="kind" error={fieldError(errors, 'kind')}>
        <select data-testid="alert-rule-kind" value={d.kind} onChange={(e) => set({ ...d, kind: inputValue(e) as RuleDraft['kind'] })}>
          <option value="threshold">threshold</option>
          <option value="baseline_change">change against last week (interval figures)</option>
        </select>
      </Field>
      <Field label="Fires when the figure is" name="comparison" error={fieldError(errors, 'comparison')}>
        <select data-testid="alert-rule-comparison" value={d.comparison} onChange={(e) => set({ ...d, comparison: inputValue(e) as RuleDraft['comparison'] })}>
          <option value="above">above the threshold</option>
          <option value="below">below the threshold</option>
        </select>
      </Field>
      {text('threshold', 'Threshold', unitHint)}
      {text('clear_threshold', 'Clear threshold', 'empty: clears on the good side of the threshold; set it apart for a hysteresis band')}
      <Field label="About" name="scope" error={fieldError(errors, 'scope')}>
        <select data-testid="alert-rule-scope" value={d.scope} onChange={(e) => set({ ...d, scope: inputValue(e) as RuleDraft['scope'] })}>
          <option value="center">the whole center</option>
          <option value="queue">one queue</option>
          <option value="each_queue">each queue separately</option>
        </select>
      </Field>
      {d.scope === 'queue' ? (
        <Field label="Queue" name="queue" error={fieldError(errors, 'queue')}>
          <select data-testid="alert-rule-queue" value={d.queue} onChange={(e) => set({ ...d, queue: inputValue(e) })}>
            <option value="">—</option>
            {queues.map((q) => (
              <option value={String(q.id)}>{q.name}</option>
            ))}
          </select>
        </Field>
      ) : null}
      <Field label="Severity" name="severity" error={fieldError(errors, 'severity')}>
        <select data-testid="alert-rule-severity" value={d.severity} onChange={(e) => set({ ...d, severity: inputValue(e) as RuleDraft['severity'] })}>
          <option value="warning">warning</option>
          <option value="critical">critical</option>
        </select>
      </Field>
      {text('fire_after', 'Fire after (evaluations in a row)')}
      {text('fire_for_s', 'Fire after (seconds breaching)')}
      {text('clear_after', 'Clear after (evaluations in a row)')}
      {text('clear_for_s', 'Clear after (seconds recovered)')}
      {metric?.source === 'interval' ? text('min_offered', 'Only with at least this many offered') : null}
      {baseline ? text('min_baseline', 'Ignore baselines at or below') : null}
      <label class="check">
        <input type="checkbox" data-testid="alert-rule-enabled" checked={d.enabled} onChange={(e) => set({ ...d, enabled: (e.target as HTMLInputElement).checked })} />{' '}
        Enabled
      </label>
    </div>
  );
}

function AlertHistory(props: { queueNames: Map<number, string>; bump: number }) {
  const [items, setItems] = useState<Alert[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [onlyActive, setOnlyActive] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const now = useNow(30000);

  const load = async (more: boolean) => {
    try {
      const res = await api.get<{ items: Alert[]; next_cursor: string | null }>(historyPath({ onlyActive, cursor: more ? cursor : null }));
      setItems((prev) => (more ? [...prev, ...res.items] : res.items));
      setCursor(res.next_cursor ?? null);
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  };
  useEffect(() => {
    load(false);
  }, [onlyActive, props.bump]);

  return (
    <section class="card" data-testid="alert-history">
      <div class="page-head">
        <h2>Alert history</h2>
        <label class="check">
          <input type="checkbox" data-testid="alert-history-active" checked={onlyActive} onChange={(e) => setOnlyActive((e.target as HTMLInputElement).checked)} /> Active only
        </label>
        <button type="button" class="btn btn-sm" onClick={() => load(false)}>
          Refresh
        </button>
      </div>
      {error ? <ErrorBanner messages={[error]} testid="alert-history-error" /> : null}
      <table class="grid">
        <thead>
          <tr>
            <th>Fired</th>
            <th>Alert</th>
            <th>Severity</th>
            <th class="num">Value</th>
            <th class="num">Threshold</th>
            <th>State</th>
            <th>Lasted</th>
            <th>Message</th>
          </tr>
        </thead>
        <tbody>
          {items.length === 0 ? (
            <tr>
              <td colSpan={8} class="muted">
                No alerts.
              </td>
            </tr>
          ) : null}
          {items.map((a) => (
            <tr data-testid="alert-history-row" data-id={a.id}>
              <td>{new Date(a.fired_at).toLocaleString()}</td>
              <td>{alertSubject(a, props.queueNames)}</td>
              <td>
                <Badge kind={a.severity}>{a.severity}</Badge>
              </td>
              <td class="num">{a.change !== null ? `${formatAlertValue(a.metric, a.value)} (${a.change >= 0 ? '+' : ''}${(a.change * 100).toFixed(0)} %)` : formatAlertValue(a.metric, a.value)}</td>
              <td class="num">{formatThreshold({ kind: a.change !== null ? 'baseline_change' : 'threshold', metric: a.metric }, a.threshold)}</td>
              <td>{a.state === 'active' ? 'active' : `cleared (${a.cleared_reason ?? 'recovered'})`}</td>
              <td>{alertDuration(a, now)}</td>
              <td>{a.message}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {cursor ? (
        <button type="button" class="btn btn-sm" data-testid="alert-history-more" onClick={() => load(true)}>
          Older alerts
        </button>
      ) : null}
    </section>
  );
}
