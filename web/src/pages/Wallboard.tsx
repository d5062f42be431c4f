import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { api, errorText } from '../api';
import { Badge, LiveDot } from '../components';
import { useNow } from '../hooks';
import { canControlAgents } from '../logic/nav';
import { formatDuration, formatSince, formatPercent, formatSecondsStat, tickingSeconds } from '../logic/time';
import { activeAlertsReducer, alertEventsFromWs, alertSubject, formatAlertValue } from '../logic/alerts';
import { adherenceAlertEventsFromWs, adherenceAlertsReducer, adherenceAlertText } from '../logic/rta';
import { agentsByActivity, initialWallboard, totals, wallboardEventsFromWs, wallboardReducer } from '../logic/wallboard';
import type { AgentState, ChannelStats, Presence, QueueStats, ReasonCode, User } from '../types';
import { connectLive, type WsStatus } from '../ws';

const SUPERVISOR_REASON = 7;

export function Wallboard(props: { user: User }) {
  const [s, dispatch] = useReducer(wallboardReducer, initialWallboard);
  const [alerts, dispatchAlert] = useReducer(activeAlertsReducer, []);
  const [outOfAdherence, dispatchAdherence] = useReducer(adherenceAlertsReducer, []);
  const [ws, setWs] = useState<WsStatus>('connecting');
  const [error, setError] = useState<string | null>(null);
  const [reasons, setReasons] = useState<ReasonCode[]>([]);
  const [busyAgent, setBusyAgent] = useState<number | null>(null);
  const [allChannels, setAllChannels] = useState(false);
  const channelTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const now = useNow(500);
  const control = canControlAgents(props.user.role);

  const loadChannels = async () => {
    try {
      const r = await api.get<{ items: ChannelStats[] }>('/api/v1/stats/channels');
      dispatch({ type: 'channels', items: r.items ?? [], now: Date.now() });
    } catch (e) {
      setError(errorText(e));
    }
  };
  // Channel statistics are not pushed: reload them (at most once a second) when queues change.
  const scheduleChannels = () => {
    if (channelTimer.current) return;
    channelTimer.current = setTimeout(() => {
      channelTimer.current = null;
      loadChannels();
    }, 300);
  };

  const loadAll = async () => {
    try {
      const [q, a] = await Promise.all([
        api.get<{ items: QueueStats[] }>('/api/v1/stats/queues'),
        api.get<{ items: AgentState[] }>('/api/v1/stats/agents'),
      ]);
      dispatch({ type: 'queues', items: q.items ?? [], now: Date.now() });
      dispatch({ type: 'agents', items: a.items ?? [] });
      await loadChannels();
    } catch (e) {
      setError(errorText(e));
    }
  };

  useEffect(() => {
    loadAll();
    api
      .get<{ items: ReasonCode[] }>('/api/v1/reason-codes')
      .then((r) => setReasons(r.items ?? []))
      .catch(() => undefined);
    const live = connectLive({
      channel: 'supervisor',
      onStatus: setWs,
      onMessage: (msg) => {
        if (msg.type === 'error') {
          setError(String(msg.detail ?? 'WebSocket error'));
          return;
        }
        for (const ev of alertEventsFromWs(msg)) dispatchAlert(ev);
        for (const ev of adherenceAlertEventsFromWs(msg)) dispatchAdherence(ev);
        for (const ev of wallboardEventsFromWs(msg, Date.now())) {
          dispatch(ev);
          if (ev.type === 'queues') scheduleChannels();
        }
      },
    });
    return () => {
      live.close();
      if (channelTimer.current) clearTimeout(channelTimer.current);
    };
  }, []);

  const force = async (a: AgentState, presence: Presence) => {
    setBusyAgent(a.agent);
    setError(null);
    try {
      const body: { presence: Presence; reason?: number } = { presence };
      if (presence === 'not_ready') body.reason = reasons.some((r) => r.id === SUPERVISOR_REASON) || reasons.length === 0 ? SUPERVISOR_REASON : reasons[0].id;
      await api.put(`/api/v1/agents/${a.agent}/state`, body);
      const r = await api.get<{ items: AgentState[] }>('/api/v1/stats/agents');
      dispatch({ type: 'agents', items: r.items ?? [] });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusyAgent(null);
    }
  };

  const activeChannels = s.channels.filter((c) => c.waiting > 0 || (c.today?.offered ?? 0) > 0);
  const visibleChannels = allChannels ? s.channels : activeChannels;
  const t = totals(s.queues);
  const byActivity = agentsByActivity(s.agents);
  const loggedIn = s.agents.filter((a) => a.presence !== 'offline').length;
  const queueNames = new Map(s.queues.map((q) => [q.queue, q.name]));

  return (
    <div class="page wallboard" data-testid="wallboard">
      <div class="page-head">
        <h1>Wallboard</h1>
        <div class="inline">
          {!control ? (
            <Badge kind="readonly" testid="wb-readonly">
              read-only
            </Badge>
          ) : null}
          <LiveDot status={ws} />
        </div>
      </div>
      {error ? (
        <div class="banner banner-error" role="alert" data-testid="wallboard-error">
          <span>{error}</span>
          <button type="button" class="link" onClick={() => setError(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      ) : null}

      {alerts.length > 0 ? (
        <section class="card alerts-card" data-testid="wb-alerts">
          <h2>Active alerts</h2>
          <ul class="alert-list">
            {alerts.map((a) => (
              <li class={`alert-item alert-${a.severity}`} data-testid="wb-alert" data-alert-id={a.id}>
                <Badge kind={a.severity} testid="wb-alert-severity">
                  {a.severity}
                </Badge>
                <span class="alert-subject">{alertSubject(a, queueNames)}</span>
                <span class="alert-figure">
                  {a.metric.replace(/_/g, ' ')} {formatAlertValue(a.metric, a.value)}
                  {a.change !== null ? ` (${a.change >= 0 ? '+' : ''}${Math.round(a.change * 100)} % vs last week)` : ''}
                </span>
                <span class="muted timer">{formatSince(a.fired_at, now)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {outOfAdherence.length > 0 ? (
        <section class="card alerts-card" data-testid="wb-adherence">
          <h2>Out of adherence</h2>
          <ul class="alert-list">
            {outOfAdherence.map((a) => (
              <li class="alert-item alert-warning" data-testid="wb-adherence-alert" data-agent-id={a.agent}>
                <Badge kind="warning" testid="wb-adherence-badge">
                  adherence
                </Badge>
                <span class="alert-subject">{adherenceAlertText(a)}</span>
                <span class="muted timer">{formatSince(a.since, now)}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <div class="tiles">
        <Tile label="Waiting" value={String(t.waiting)} testid="wb-total-waiting" alert={t.waiting > 0} />
        <Tile label="Longest wait" value={formatDuration(tickingSeconds(t.longestWaitS, s.queuesAt, now, t.waiting > 0))} testid="wb-total-longest" />
        <Tile label="Offered today" value={String(t.offered)} testid="wb-total-offered" />
        <Tile label="Handled today" value={String(t.handled)} testid="wb-total-handled" />
        <Tile label="Abandoned today" value={String(t.abandoned)} testid="wb-total-abandoned" />
        <Tile label="Agents logged in" value={String(loggedIn)} testid="wb-total-agents" />
        <Tile label="Idle/busy/not ready" value={`${byActivity.idle ?? 0} / ${(byActivity.busy ?? 0) + (byActivity.ringing ?? 0) + (byActivity.wrap_up ?? 0)} / ${byActivity.not_ready ?? 0}`} testid="wb-total-activity" />
      </div>

      <section class="card">
        <h2>Queues</h2>
        <table class="grid" data-testid="wb-queues">
          <thead>
            <tr>
              <th>Queue</th>
              <th class="num">Waiting</th>
              <th class="num">Longest wait</th>
              <th class="num">SL today</th>
              <th class="num">ASA</th>
              <th class="num">AHT</th>
              <th class="num">Offered</th>
              <th class="num">Handled</th>
              <th class="num">Abandoned</th>
              <th class="num">Logged in</th>
              <th class="num">Available</th>
              <th class="num">Idle</th>
              <th class="num">Busy</th>
              <th class="num">Not ready</th>
            </tr>
          </thead>
          <tbody>
            {s.queues.length === 0 ? (
              <tr>
                <td colSpan={14} class="muted">
                  No queues.
                </td>
              </tr>
            ) : null}
            {s.queues.map((q) => (
              <tr data-testid="wb-queue-row" data-queue-id={q.queue} data-queue-name={q.name}>
                <td>{q.name}</td>
                <td class={`num${q.waiting > 0 ? ' hot' : ''}`} data-testid="wb-queue-waiting">
                  {q.waiting}
                </td>
                <td class="num" data-testid="wb-queue-longest">
                  {formatDuration(tickingSeconds(q.longest_wait_s ?? 0, s.queuesAt, now, q.waiting > 0))}
                </td>
                <td class="num" data-testid="wb-queue-sl">
                  {formatPercent(q.today?.service_level)}
                </td>
                <td class="num" data-testid="wb-queue-asa">
                  {formatSecondsStat(q.today?.asa_s)}
                </td>
                <td class="num">{formatSecondsStat(q.today?.aht_s)}</td>
                <td class="num" data-testid="wb-queue-offered">
                  {q.today?.offered ?? 0}
                </td>
                <td class="num" data-testid="wb-queue-handled">
                  {q.today?.handled ?? 0}
                </td>
                <td class="num" data-testid="wb-queue-abandoned">
                  {q.today?.abandoned ?? 0}
                </td>
                <td class="num" data-testid="wb-queue-logged-in">
                  {q.agents?.logged_in ?? 0}
                </td>
                <td class="num" data-testid="wb-queue-available">
                  {q.agents?.available ?? 0}
                </td>
                <td class="num">{q.agents?.idle ?? 0}</td>
                <td class="num">{q.agents?.busy ?? 0}</td>
                <td class="num">{q.agents?.not_ready ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section class="card">
        <div class="card-head">
          <h2>Channels</h2>
          {s.channels.length > activeChannels.length ? (
            <button type="button" class="btn btn-sm btn-ghost" data-testid="wb-channels-toggle" onClick={() => setAllChannels(!allChannels)}>
              {allChannels ? 'Only active channels' : `Show all ${s.channels.length} channels`}
            </button>
          ) : null}
        </div>
        <table class="grid" data-testid="wb-channels">
          <thead>
            <tr>
              <th>Channel</th>
              <th class="num">Waiting</th>
              <th class="num">Longest wait</th>
              <th class="num">SL today</th>
              <th class="num">ASA</th>
              <th class="num">AHT</th>
              <th class="num">Offered</th>
              <th class="num">Handled</th>
              <th class="num">Abandoned</th>
              <th class="num">Abandon rate</th>
            </tr>
          </thead>
          <tbody>
            {visibleChannels.length === 0 ? (
              <tr>
                <td colSpan={10} class="muted">
                  {s.channels.some((c) => c.today) ? 'No traffic today.' : 'No contacts waiting.'}
                </td>
              </tr>
            ) : null}
            {visibleChannels.map((c) => (
              <tr data-testid="wb-channel-row" data-channel={c.channel}>
                <td>{c.channel}</td>
                <td class={`num${c.waiting > 0 ? ' hot' : ''}`} data-testid="wb-channel-waiting">
                  {c.waiting}
                </td>
                <td class="num">{formatDuration(tickingSeconds(c.longest_wait_s ?? 0, s.channelsAt, now, c.waiting > 0))}</td>
                <td class="num">{formatPercent(c.today?.service_level)}</td>
                <td class="num">{formatSecondsStat(c.today?.asa_s)}</td>
                <td class="num">{formatSecondsStat(c.today?.aht_s)}</td>
                <td class="num">{count(c.today?.offered)}</td>
                <td class="num" data-testid="wb-channel-handled">
                  {count(c.today?.handled)}
                </td>
                <td class="num">{count(c.today?.abandoned)}</td>
                <td class="num">{formatPercent(c.today?.abandon_rate)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>Agents</h2>
        <table class="grid" data-testid="wb-agents">
          <thead>
            <tr>
              <th>Agent</th>
              <th>State</th>
              <th>Activity</th>
              <th class="num">In state</th>
              <th class="num">Contacts</th>
              {control ? <th class="row-actions">Change state</th> : null}
            </tr>
          </thead>
          <tbody>
            {s.agents.length === 0 ? (
              <tr>
                <td colSpan={6} class="muted">
                  No agents.
                </td>
              </tr>
            ) : null}
            {s.agents.map((a) => (
              <tr data-testid="wb-agent-row" data-agent-id={a.agent}>
                <td>{a.name}</td>
                <td>
                  <Badge kind={a.presence} testid="wb-agent-presence">
                    {a.presence === 'not_ready' ? `not ready${a.reason_name ? ` · ${a.reason_name}` : ''}` : a.presence}
                  </Badge>
                </td>
                <td data-testid="wb-agent-activity">{a.activity.replace('_', ' ')}</td>
                <td class="num timer" data-testid="wb-agent-time">
                  {formatSince(a.since, now)}
                </td>
                <td class="num">{a.contacts?.length ?? 0}</td>
                {control ? (
                  <td class="row-actions">
                    <button type="button" class="btn btn-sm" data-testid="wb-agent-available" disabled={busyAgent === a.agent || a.presence === 'available'} onClick={() => force(a, 'available')}>
                      Available
                    </button>
                    <button type="button" class="btn btn-sm" data-testid="wb-agent-not-ready" disabled={busyAgent === a.agent || a.presence === 'not_ready'} onClick={() => force(a, 'not_ready')}>
                      Not ready
                    </button>
                    <button type="button" class="btn btn-sm" data-testid="wb-agent-logout" disabled={busyAgent === a.agent || a.presence === 'offline'} onClick={() => force(a, 'offline')}>
                      Log out
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

/** A count that the server may not have sent. */
function count(v: number | undefined | null): string {
  return v === undefined || v === null ? '—' : String(v);
}

function Tile(props: { label: string; value: string; testid: string; alert?: boolean }) {
  return (
    <div class={`tile${props.alert ? ' tile-alert' : ''}`}>
      <div class="tile-label">{props.label}</div>
      <div class="tile-value" data-testid={props.testid}>
        {props.value}
      </div>
    </div>
  );
}
