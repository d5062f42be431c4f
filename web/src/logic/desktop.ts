import type { AgentState, Contact } from '../types';

// Agent desktop state, driven by /api/v1/me snapshots, agent-channel WebSocket messages and
// the Contact answers of REST actions. Pure: (state, event) -> state.

export interface DesktopState {
  agentId: number | null;
  agent: AgentState | null;
  /** The agent's contacts (offered, connected, wrap-up) by id. */
  contacts: Record<number, Contact>;
  /** Offer deadlines (epoch ms) by contact id, from offer messages or offer_expires_at. */
  expires: Record<number, number>;
  /** When each offer was first seen (epoch ms), for the countdown bar. */
  offeredAt: Record<number, number>;
  /** When each contact was last changed by a live message or an action answer (epoch ms). */
  touchedAt: Record<number, number>;
  /** Last withdrawn offer, shown briefly to the agent. */
  notice: string | null;
}

export type DesktopEvent =
  /** A full state read over REST; `requestedAt` is when the request went out, so live changes
   *  that arrived while it travelled are kept. */
  | { type: 'snapshot'; agent: AgentState | null; contacts: Contact[]; now: number; requestedAt?: number }
  | { type: 'offer'; contact: Contact; expires_at?: number; now: number }
  | { type: 'offer_withdrawn'; contact: number; reason?: string; now?: number }
  | { type: 'contact'; contact: Contact; now: number }
  | { type: 'state'; agent: AgentState }
  | { type: 'dismiss_notice' };

export function initialDesktop(agentId: number | null): DesktopState {
  return { agentId, agent: null, contacts: {}, expires: {}, offeredAt: {}, touchedAt: {}, notice: null };
}

/** Is this contact still the agent's business? */
export function belongsTo(c: Contact, agentId: number | null): boolean {
  if (c.state === 'ended' || c.state === 'queued') return false;
  if (agentId === null) return true;
  if (c.state === 'offered') return (c.offered_to ?? []).includes(agentId) || c.agent === agentId;
  return c.agent === agentId;
}

function without<T>(rec: Record<number, T>, id: number): Record<number, T> {
  if (!(id in rec)) return rec;
  const copy = { ...rec };
  delete copy[id];
  return copy;
}

function upsert(state: DesktopState, c: Contact, now: number, expiresAt?: number): DesktopState {
  if (!belongsTo(c, state.agentId)) {
    return {
      ...state,
      contacts: without(state.contacts, c.id),
      expires: without(state.expires, c.id),
      offeredAt: without(state.offeredAt, c.id),
      touchedAt: { ...state.touchedAt, [c.id]: now },
    };
  }
  const next: DesktopState = { ...state, contacts: { ...state.contacts, [c.id]: c }, touchedAt: { ...state.touchedAt, [c.id]: now } };
  if (c.state === 'offered') {
    const exp = expiresAt ?? c.offer_expires_at ?? state.expires[c.id];
    if (exp !== undefined) next.expires = { ...state.expires, [c.id]: exp };
    if (!(c.id in state.offeredAt)) next.offeredAt = { ...state.offeredAt, [c.id]: now };
  } else {
    next.expires = without(state.expires, c.id);
    next.offeredAt = without(state.offeredAt, c.id);
  }
  return next;
}

function keep(next: DesktopState, prev: DesktopState, id: number): DesktopState {
  const out: DesktopState = { ...next, contacts: { ...next.contacts, [id]: prev.contacts[id] } };
  if (id in prev.expires) out.expires = { ...next.expires, [id]: prev.expires[id] };
  if (id in prev.offeredAt) out.offeredAt = { ...next.offeredAt, [id]: prev.offeredAt[id] };
  return out;
}

const WITHDRAWN: Record<string, string> = {
  rejected: 'Offer rejected',
  timed_out: 'Offer timed out',
  rescinded: 'Offer withdrawn',
  abandoned: 'The customer hung up',
};

export function desktopReducer(state: DesktopState, ev: DesktopEvent): DesktopState {
  switch (ev.type) {
    case 'snapshot': {
      const since = ev.requestedAt ?? ev.now;
      let next: DesktopState = {
        ...state,
        agent: ev.agent,
        agentId: ev.agent?.agent ?? state.agentId,
        contacts: {},
        expires: {},
        offeredAt: {},
      };
      const inSnapshot = new Set<number>();
      for (const c of ev.contacts) {
        inSnapshot.add(c.id);
        // A live change newer than the request wins over the snapshot's copy.
        if ((state.touchedAt[c.id] ?? -Infinity) > since) {
          const live = state.contacts[c.id];
          if (live) next = keep(next, state, c.id);
          continue;
        }
        next = upsert(next, c, state.offeredAt[c.id] ?? ev.now, state.expires[c.id]);
        if (c.id in state.offeredAt && c.id in next.offeredAt) next.offeredAt = { ...next.offeredAt, [c.id]: state.offeredAt[c.id] };
      }
      // Contacts that arrived live after the request went out are not in the snapshot yet.
      for (const id of Object.keys(state.contacts).map(Number)) {
        if (!inSnapshot.has(id) && (state.touchedAt[id] ?? -Infinity) > since) next = keep(next, state, id);
      }
      return next;
    }
    case 'offer':
      return upsert(state, { ...ev.contact, state: 'offered' }, ev.now, ev.expires_at);
    case 'offer_withdrawn': {
      const c = state.contacts[ev.contact];
      if (!c || c.state !== 'offered') return state;
      return {
        ...state,
        contacts: without(state.contacts, ev.contact),
        expires: without(state.expires, ev.contact),
        offeredAt: without(state.offeredAt, ev.contact),
        touchedAt: ev.now === undefined ? state.touchedAt : { ...state.touchedAt, [ev.contact]: ev.now },
        notice: `${WITHDRAWN[ev.reason ?? ''] ?? 'Offer withdrawn'} (contact ${ev.contact})`,
      };
    }
    case 'contact':
      return upsert(state, ev.contact, ev.now);
    case 'state':
      if (state.agentId !== null && ev.agent.agent !== state.agentId) return state;
      return { ...state, agent: ev.agent, agentId: ev.agent.agent };
    case 'dismiss_notice':
      return { ...state, notice: null };
  }
}

/** Parses a raw WebSocket message into a desktop event (null for others). */
export function desktopEventFromWs(msg: { type: string; [k: string]: unknown }, now: number): DesktopEvent | null {
  switch (msg.type) {
    case 'offer':
      if (!msg.contact || typeof msg.contact !== 'object') return null;
      return { type: 'offer', contact: msg.contact as Contact, expires_at: typeof msg.expires_at === 'number' ? msg.expires_at : undefined, now };
    case 'offer_withdrawn':
      return { type: 'offer_withdrawn', contact: Number(msg.contact), reason: typeof msg.reason === 'string' ? msg.reason : undefined, now };
    case 'contact':
      if (!msg.contact || typeof msg.contact !== 'object') return null;
      return { type: 'contact', contact: msg.contact as Contact, now };
    case 'state':
      if (!msg.agent || typeof msg.agent !== 'object') return null;
      return { type: 'state', agent: msg.agent as AgentState };
    default:
      // A full-state message carrying {agent, contacts} (whatever its type is called).
      if (Array.isArray(msg.contacts) && 'agent' in msg && (msg.agent === null || typeof msg.agent === 'object')) {
        return { type: 'snapshot', agent: msg.agent as AgentState | null, contacts: msg.contacts as Contact[], now };
      }
      return null;
  }
}

export function sortedContacts(state: DesktopState, which: Contact['state']): Contact[] {
  return Object.values(state.contacts)
    .filter((c) => c.state === which)
    .sort((a, b) => a.id - b.id);
}
