import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { api, errorText } from '../api';
import { Badge, LiveDot, Notice } from '../components';
import { useNow } from '../hooks';
import { idFromSelect } from '../logic/forms';
import { desktopEventFromWs, desktopReducer, initialDesktop, sortedContacts } from '../logic/desktop';
import { formatClock, formatDuration, formatSince, fractionLeft, secondsLeft } from '../logic/time';
import type { AgentState, Contact, Disposition, Me, Presence, Queue, ReasonCode, User } from '../types';
import { connectLive, type WsStatus } from '../ws';

const ACTIVITY_LABEL: Record<string, string> = {
  offline: 'Offline',
  idle: 'Idle',
  ringing: 'Ringing',
  busy: 'Busy',
  wrap_up: 'Wrap-up',
  not_ready: 'Not ready',
};

const PRESENCE_LABEL: Record<Presence, string> = { offline: 'Logged out', available: 'Available', not_ready: 'Not ready' };

function isAgentState(x: unknown): x is AgentState {
  return !!x && typeof x === 'object' && 'presence' in x && 'activity' in x;
}

export function AgentDesktop(props: { user: User }) {
  const agentId = props.user.agent_id;
  const [state, dispatch] = useReducer(desktopReducer, agentId, initialDesktop);
  const [ws, setWs] = useState<WsStatus>('connecting');
  const [reasons, setReasons] = useState<ReasonCode[]>([]);
  const [dispositions, setDispositions] = useState<Disposition[]>([]);
  const [queues, setQueues] = useState<Queue[]>([]);
  const [reason, setReason] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [selected, setSelected] = useState<number | null>(null);
  const now = useNow(250);

  const loadSnapshot = async () => {
    const requestedAt = Date.now();
    try {
      const me = await api.get<Me>('/api/v1/me');
      dispatch({ type: 'snapshot', agent: me.agent, contacts: me.contacts ?? [], now: Date.now(), requestedAt });
    } catch (e) {
      setError(errorText(e));
    }
  };

  useEffect(() => {
    api
      .get<{ items: ReasonCode[] }>('/api/v1/reason-codes')
      .then((r) => {
        setReasons(r.items ?? []);
        const first = (r.items ?? []).find((x) => x.id !== 6 && x.id !== 7) ?? r.items?.[0];
        if (first) setReason((cur) => cur ?? first.id);
      })
      .catch((e) => setError(errorText(e)));
    api
      .get<{ items: Disposition[] }>('/api/v1/dispositions')
      .then((r) => setDispositions(r.items ?? []))
      .catch((e) => setError(errorText(e)));
    api
      .get<{ items: Queue[] }>('/api/v1/queues')
      .then((r) => setQueues(r.items ?? []))
      .catch(() => undefined);
    if (agentId === null) return;
    loadSnapshot();
    const live = connectLive({
      channel: 'agent',
      onStatus: setWs,
      onSubscribed: loadSnapshot,
      onMessage: (msg) => {
        if (msg.type === 'error') {
          setError(String(msg.detail ?? 'WebSocket error'));
          return;
        }
        const ev = desktopEventFromWs(msg, Date.now());
        if (ev) dispatch(ev);
      },
    });
    return () => live.close();
  }, [agentId]);

  // Forget a withdrawn-offer notice after a few seconds.
  useEffect(() => {
    if (!state.notice) return;
    const t = setTimeout(() => dispatch({ type: 'dismiss_notice' }), 6000);
    return () => clearTimeout(t);
  }, [state.notice]);

  if (agentId === null) {
    return (
      <div class="page">
        <h1>Agent desktop</h1>
        <p class="muted">Your user is not linked to an agent. An administrator can link it on the Users page.</p>
      </div>
    );
  }

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const setPresence = (presence: Presence) =>
    run(async () => {
      const body: { presence: Presence; reason?: number } = { presence };
      if (presence === 'not_ready' && reason !== null) body.reason = reason;
      const res = await api.put<unknown>(`/api/v1/agents/${agentId}/state`, body);
      if (isAgentState(res)) dispatch({ type: 'state', agent: res });
      else if (res && typeof res === 'object' && isAgentState((res as { agent?: unknown }).agent)) dispatch({ type: 'state', agent: (res as { agent: AgentState }).agent });
      else await loadSnapshot();
    });

  const act = (c: Contact, action: string, body: unknown = {}) =>
    run(async () => {
      const res = await api.post<Contact>(`/api/v1/contacts/${c.id}/${action}`, body);
      if (res && typeof res === 'object' && 'state' in res) dispatch({ type: 'contact', contact: res, now: Date.now() });
      else await loadSnapshot();
    });

  // An admin linked to an agent acts for that agent: name it (the server asks which agent
  // accepts when the caller is not an agent).
  const offerBody = props.user.role === 'agent' ? {} : { agent: agentId };
  const offers = sortedContacts(state, 'offered');
  const active = sortedContacts(state, 'connected');
  const wrapUps = sortedContacts(state, 'wrap_up');
  const all = [...active, ...wrapUps, ...offers];
  const focus = all.find((c) => c.id === selected) ?? all[0] ?? null;
  const queueName = (id: number) => queues.find((q) => q.id === id)?.name ?? `Queue ${id}`;
  const agent = state.agent;
  const presence: Presence = agent?.presence ?? 'offline';

  return (
    <div class="page desktop" data-testid="agent-desktop">
      <section class="card statebar" data-testid="agent-state">
        <div class="statebar-main">
          <div>
            <div class="eyebrow">{agent?.name ?? props.user.display_name}</div>
            <div class="state-line">
              <Badge kind={presence} testid="agent-presence">
                {PRESENCE_LABEL[presence]}
              </Badge>
              {agent?.presence === 'not_ready' && (agent.reason_name || agent.reason !== null) ? (
                <span class="muted" data-testid="agent-reason">
                  {agent.reason_name || reasons.find((r) => r.id === agent.reason)?.name || `reason ${agent.reason}`}
                </span>
              ) : null}
              <span class="activity" data-testid="agent-activity" data-activity={agent?.activity ?? 'offline'}>
                {ACTIVITY_LABEL[agent?.activity ?? 'offline'] ?? agent?.activity}
              </span>
              <span class="timer" data-testid="agent-time-in-state">
                {formatSince(agent?.since, now)}
              </span>
            </div>
          </div>
          <LiveDot status={ws} />
        </div>
        <div class="statebar-actions">
          <button
            type="button"
            class={`btn ${presence === 'available' ? 'btn-selected' : 'btn-success'}`}
            data-testid="state-available"
            disabled={busy || presence === 'available'}
            onClick={() => setPresence('available')}
          >
            Available
          </button>
          <div class="inline">
            <select
              data-testid="reason-select"
              aria-label="Not-ready reason"
              value={reason ?? ''}
              onChange={(e) => setReason(Number((e.target as HTMLSelectElement).value))}
            >
              {reasons.map((r) => (
                <option value={r.id}>{r.name}</option>
              ))}
            </select>
            <button type="button" class="btn btn-warn" data-testid="state-not-ready" disabled={busy} onClick={() => setPresence('not_ready')}>
              Not ready
            </button>
          </div>
          <button type="button" class="btn btn-ghost" data-testid="state-logout" disabled={busy || presence === 'offline'} onClick={() => setPresence('offline')}>
            Log out
          </button>
        </div>
      </section>

      {error ? (
        <div class="banner banner-error" role="alert" data-testid="desktop-error">
          <span>{error}</span>
          <button type="button" class="link" onClick={() => setError(null)} aria-label="Dismiss">
            ×
          </button>
        </div>
      ) : null}
      <Notice text={state.notice} testid="offer-notice" onClose={() => dispatch({ type: 'dismiss_notice' })} />

      <div class="desktop-grid">
        <div class="desktop-main">
          {offers.map((c) => {
            const exp = state.expires[c.id];
            const left = exp !== undefined ? secondsLeft(exp, now) : null;
            const frac = exp !== undefined ? fractionLeft(exp, state.offeredAt[c.id] ?? now, now) : 1;
            return (
              <section class="card offer" data-testid="offer-card" data-contact-id={c.id}>
                <div class="offer-head">
                  <div>
                    <div class="eyebrow">Incoming {c.channel}</div>
                    <h2>
                      {queueName(c.queue)} · contact #{c.id}
                    </h2>
                    <div class="muted">
                      Customer {c.customer || '—'} · priority {c.priority}
                    </div>
                  </div>
                  <div class="countdown" data-testid="offer-countdown" data-seconds={left ?? ''}>
                    {left === null ? '—' : `${left}s`}
                  </div>
                </div>
                <div class="progress">
                  <div class="progress-bar" style={{ width: `${Math.round(frac * 100)}%` }} />
                </div>
                <div class="actions">
                  <button type="button" class="btn btn-success" data-testid="offer-accept" disabled={busy} onClick={() => act(c, 'accept', offerBody)}>
                    Accept
                  </button>
                  <button type="button" class="btn btn-danger" data-testid="offer-reject" disabled={busy} onClick={() => act(c, 'reject', offerBody)}>
                    Reject
                  </button>
                </div>
              </section>
            );
          })}

          <section class="card">
            <h2>Active contacts</h2>
            {active.length === 0 ? (
              <p class="muted" data-testid="no-active">
                No active contacts.
              </p>
            ) : (
              active.map((c) => (
                <ActiveContact
                  key={c.id}
                  contact={c}
                  queues={queues}
                  busy={busy}
                  selected={focus?.id === c.id}
                  onSelect={() => setSelected(c.id)}
                  queueName={queueName}
                  act={act}
                />
              ))
            )}
          </section>

          {wrapUps.map((c) => (
            <WrapUp key={c.id} contact={c} dispositions={dispositions} busy={busy} queueName={queueName} onSubmit={(d, notes) => act(c, 'wrap-up', { disposition: d, notes })} />
          ))}
        </div>

        <aside class="card customer" data-testid="customer-panel">
          <h2>Customer</h2>
          {focus ? (
            <div>
              <dl class="kv">
                <dt>Contact</dt>
                <dd data-testid="customer-contact-id">#{focus.id}</dd>
                <dt>Customer</dt>
                <dd>{focus.customer || '—'}</dd>
                <dt>Channel</dt>
                <dd>{focus.channel}</dd>
                <dt>Queue</dt>
                <dd>{queueName(focus.queue)}</dd>
                <dt>Arrived</dt>
                <dd>{formatClock(focus.arrived_at)}</dd>
                {focus.state === 'offered' ? (
                  <>
                    <dt>Waiting</dt>
                    <dd>{formatDuration((now - focus.enqueued_at) / 1000)}</dd>
                  </>
                ) : null}
                <dt>Priority</dt>
                <dd>{focus.priority}</dd>
              </dl>
              <h3>Attributes</h3>
              {Object.keys(focus.attributes ?? {}).length === 0 ? (
                <p class="muted">No attributes.</p>
              ) : (
                <dl class="kv" data-testid="customer-attributes">
                  {Object.entries(focus.attributes).map(([k, v]) => (
                    <>
                      <dt>{k}</dt>
                      <dd data-testid={`attr-${k}`}>{v}</dd>
                    </>
                  ))}
                </dl>
              )}
              <p class="muted small">CRM lookup will appear here.</p>
            </div>
          ) : (
            <p class="muted">No contact selected.</p>
          )}
        </aside>
      </div>
    </div>
  );
}

function ActiveContact(props: {
  contact: Contact;
  queues: Queue[];
  busy: boolean;
  selected: boolean;
  onSelect: () => void;
  queueName: (id: number) => string;
  act: (c: Contact, action: string, body?: unknown) => Promise<void>;
}) {
  const c = props.contact;
  const [mode, setMode] = useState<'queue' | 'agent'>('queue');
  const [queue, setQueue] = useState<number | ''>('');
  const [agent, setAgent] = useState('');
  const ref = useRef<HTMLDivElement>(null);
  const transfer = () => {
    if (mode === 'queue' && queue !== '') props.act(c, 'transfer', { queue });
    else if (mode === 'agent' && agent.trim() !== '') props.act(c, 'transfer', { agent: Number(agent) });
  };
  return (
    <div ref={ref} class={`contact${props.selected ? ' selected' : ''}`} data-testid="active-contact" data-contact-id={c.id} onClick={props.onSelect}>
      <div class="contact-head">
        <div>
          <strong>
            #{c.id} · {c.channel}
          </strong>{' '}
          <span class="muted">{props.queueName(c.queue)}</span>
        </div>
        {c.on_hold ? (
          <Badge kind="hold" testid="contact-on-hold">
            On hold
          </Badge>
        ) : (
          <Badge kind="connected">Connected</Badge>
        )}
      </div>
      <div class="actions">
        {c.on_hold ? (
          <button type="button" class="btn" data-testid="contact-unhold" disabled={props.busy} onClick={() => props.act(c, 'unhold')}>
            Resume
          </button>
        ) : (
          <button type="button" class="btn" data-testid="contact-hold" disabled={props.busy} onClick={() => props.act(c, 'hold')}>
            Hold
          </button>
        )}
        <div class="inline transfer">
          <select aria-label="Transfer to" value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value as 'queue' | 'agent')} data-testid="transfer-mode">
            <option value="queue">to queue</option>
            <option value="agent">to agent id</option>
          </select>
          {mode === 'queue' ? (
            <select aria-label="Transfer queue" data-testid="transfer-queue" value={queue} onChange={(e) => setQueue(idFromSelect((e.target as HTMLSelectElement).value) ?? '')}>
              <option value="">Choose queue…</option>
              {props.queues.map((q) => (
                <option value={q.id}>{q.name}</option>
              ))}
            </select>
          ) : (
            <input aria-label="Transfer agent id" data-testid="transfer-agent" type="number" min="1" placeholder="agent id" value={agent} onInput={(e) => setAgent((e.target as HTMLInputElement).value)} />
          )}
          <button type="button" class="btn" data-testid="contact-transfer" disabled={props.busy || (mode === 'queue' ? queue === '' : agent.trim() === '')} onClick={transfer}>
            Transfer
          </button>
        </div>
        <button type="button" class="btn btn-danger" data-testid="contact-end" disabled={props.busy} onClick={() => props.act(c, 'end')}>
          End
        </button>
      </div>
    </div>
  );
}

function WrapUp(props: {
  contact: Contact;
  dispositions: Disposition[];
  busy: boolean;
  queueName: (id: number) => string;
  onSubmit: (disposition: number, notes: string) => void;
}) {
  const c = props.contact;
  const [disposition, setDisposition] = useState<number | ''>('');
  const [notes, setNotes] = useState('');
  return (
    <section class="card wrapup" data-testid="wrapup-form" data-contact-id={c.id}>
      <h2>
        Wrap-up · #{c.id} <span class="muted">{props.queueName(c.queue)}</span>
      </h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (disposition !== '') props.onSubmit(disposition, notes);
        }}
      >
        <label class="field">
          <span class="field-label">Disposition</span>
          <select data-testid="wrapup-disposition" value={disposition} required onChange={(e) => setDisposition(idFromSelect((e.target as HTMLSelectElement).value) ?? '')}>
            <option value="">Choose…</option>
            {props.dispositions.map((d) => (
              <option value={d.id}>
                {d.name}
                {d.conversion ? ' (conversion)' : ''}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field-label">Notes</span>
          <textarea data-testid="wrapup-notes" rows={3} value={notes} onInput={(e) => setNotes((e.target as HTMLTextAreaElement).value)} />
        </label>
        <button type="submit" class="btn btn-primary" data-testid="wrapup-submit" disabled={props.busy || disposition === ''}>
          Complete wrap-up
        </button>
      </form>
    </section>
  );
}
