import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api';
import { Badge, LiveDot } from '../components';
import { useNow } from '../hooks';
import {
  actualLabel,
  formatMinutes,
  initialRta,
  rtaFromWs,
  rtaLines,
  scheduledLabel,
  teamsOf,
  type RtaBoard,
  type RtaState,
} from '../logic/rta';
import { formatClock, formatDuration, formatPercent } from '../logic/time';
import { connectLive, type WsStatus } from '../ws';

const STATUS_TEXT = { out: 'Out of adherence', grace: 'In grace', in: 'In adherence' } as const;

/** Real-time adherence: each scheduled agent's activity against their state, worst first. */
export function RtaPage() {
  const [state, setState] = useState<RtaState>(initialRta);
  const [ws, setWs] = useState<WsStatus>('connecting');
  const [error, setError] = useState<string | null>(null);
  const [team, setTeam] = useState('');
  const now = useNow(1000);

  const load = async () => {
    try {
      const board = await api.get<RtaBoard>('/api/v1/adherence/live');
      setState({ board, receivedAt: Date.now() });
      setError(null);
    } catch (e) {
      setError(errorText(e));
    }
  };

  useEffect(() => {
    load();
    const live = connectLive({
      channel: 'supervisor',
      onStatus: setWs,
      onSubscribed: load,
      onMessage: (msg) => {
        if (msg.type === 'error') {
          setError(String(msg.detail ?? 'WebSocket error'));
          return;
        }
        const board = rtaFromWs(msg);
        if (board) setState({ board, receivedAt: Date.now() });
      },
    });
    return () => live.close();
  }, []);

  const lines = rtaLines(state, now, team);
  const out = lines.filter((l) => l.status === 'out').length;
  const teams = teamsOf(state.board);

  return (
    <div class="page rta" data-testid="rta">
      <div class="page-head">
        <h1>Real-time adherence</h1>
        <div class="inline">
          <label class="inline small">
            Team{' '}
            <select value={team} onChange={(e) => setTeam((e.target as HTMLSelectElement).value)} data-testid="rta-team">
              <option value="">All</option>
              {teams.map((t) => (
                <option value={t}>{t}</option>
              ))}
            </select>
          </label>
          <LiveDot status={ws} />
        </div>
      </div>
      {error ? (
        <div class="banner banner-error" data-testid="rta-error">
          {error}
        </div>
      ) : null}
      {state.board?.schedule_error ? (
        <div class="banner banner-error" data-testid="rta-schedule-error">
          Schedules could not be read: {state.board.schedule_error}
        </div>
      ) : null}
      <p class="muted small" data-testid="rta-summary">
        {lines.length} scheduled agents · <strong>{out}</strong> out of adherence · grace {state.board ? `${state.board.grace_s} s` : '—'}
      </p>
      <table class="grid" data-testid="rta-table">
        <thead>
          <tr>
            <th>Agent</th>
            <th>Team</th>
            <th>Scheduled</th>
            <th>Actual</th>
            <th>Status</th>
            <th class="num">Out since</th>
            <th class="num">Out for</th>
            <th class="num">Out today</th>
            <th class="num">Adherence today</th>
          </tr>
        </thead>
        <tbody>
          {lines.length === 0 ? (
            <tr>
              <td colSpan={9} class="muted">
                {state.board ? 'No agent has a published schedule.' : 'Loading…'}
              </td>
            </tr>
          ) : null}
          {lines.map((l) => (
            <tr data-testid="rta-row" data-status={l.status}>
              <td>{l.row.name}</td>
              <td>{l.row.team ?? '—'}</td>
              <td>{scheduledLabel(l.row, formatClock)}</td>
              <td>{actualLabel(l.row)}</td>
              <td>
                <Badge kind={l.status === 'out' ? 'critical' : l.status === 'grace' ? 'warning' : 'available'} testid="rta-status">
                  {STATUS_TEXT[l.status]}
                </Badge>
              </td>
              <td class="num">{l.status === 'out' ? formatClock(l.row.out_since ?? l.row.mismatch_since ?? 0) : '—'}</td>
              <td class="num">{l.status === 'out' ? formatDuration(l.outForS) : '—'}</td>
              <td class="num" data-testid="rta-out-today">
                {formatMinutes(l.outTodayS)}
              </td>
              <td class="num">{formatPercent(l.row.adherence_today)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
