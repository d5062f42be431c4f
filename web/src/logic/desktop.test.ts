import { describe, expect, it } from 'vitest';
import type { AgentState, Contact } from '../types';
import { desktopEventFromWs, desktopReducer, initialDesktop, sortedContacts } from './desktop';

function contact(over: Partial<Contact>): Contact {
  return {
    id: 1, channel: 'voice', queue: 1, state: 'queued', priority: 0, customer: 0, agent: null, offered_to: [],
    on_hold: false, callback: false, arrived_at: 0, enqueued_at: 0, attributes: {}, ...over,
  };
}

const agent: AgentState = { agent: 7, name: 'Ann', presence: 'available', reason: null, activity: 'idle', since: 0, contacts: [] };

describe('desktopReducer', () => {
  it('shows an offer with its deadline and drops it when withdrawn', () => {
    let s = initialDesktop(7);
    s = desktopReducer(s, { type: 'offer', contact: contact({ id: 5, state: 'offered', offered_to: [7] }), expires_at: 20_000, now: 1_000 });
    expect(sortedContacts(s, 'offered').map((c) => c.id)).toEqual([5]);
    expect(s.expires[5]).toBe(20_000);
    expect(s.offeredAt[5]).toBe(1_000);
    s = desktopReducer(s, { type: 'offer_withdrawn', contact: 5, reason: 'timed_out' });
    expect(sortedContacts(s, 'offered')).toEqual([]);
    expect(s.expires[5]).toBeUndefined();
    expect(s.notice).toContain('timed out');
  });

  it('moves a contact through connected, wrap-up and ended', () => {
    let s = initialDesktop(7);
    s = desktopReducer(s, { type: 'offer', contact: contact({ id: 5, state: 'offered', offered_to: [7] }), expires_at: 20_000, now: 0 });
    s = desktopReducer(s, { type: 'contact', contact: contact({ id: 5, state: 'connected', agent: 7 }), now: 1 });
    expect(sortedContacts(s, 'connected').map((c) => c.id)).toEqual([5]);
    expect(s.expires[5]).toBeUndefined();
    s = desktopReducer(s, { type: 'contact', contact: contact({ id: 5, state: 'connected', agent: 7, on_hold: true }), now: 2 });
    expect(s.contacts[5].on_hold).toBe(true);
    s = desktopReducer(s, { type: 'contact', contact: contact({ id: 5, state: 'wrap_up', agent: 7 }), now: 3 });
    expect(sortedContacts(s, 'wrap_up').map((c) => c.id)).toEqual([5]);
    s = desktopReducer(s, { type: 'contact', contact: contact({ id: 5, state: 'ended', agent: 7 }), now: 4 });
    expect(Object.keys(s.contacts)).toEqual([]);
  });

  it('forgets a contact transferred to someone else', () => {
    let s = initialDesktop(7);
    s = desktopReducer(s, { type: 'contact', contact: contact({ id: 3, state: 'connected', agent: 7 }), now: 0 });
    s = desktopReducer(s, { type: 'contact', contact: contact({ id: 3, state: 'queued', agent: null }), now: 1 });
    expect(s.contacts[3]).toBeUndefined();
    s = desktopReducer(s, { type: 'contact', contact: contact({ id: 4, state: 'connected', agent: 8 }), now: 1 });
    expect(s.contacts[4]).toBeUndefined();
  });

  it('ignores a withdrawal of a contact already accepted', () => {
    let s = initialDesktop(7);
    s = desktopReducer(s, { type: 'contact', contact: contact({ id: 3, state: 'connected', agent: 7 }), now: 0 });
    const after = desktopReducer(s, { type: 'offer_withdrawn', contact: 3, reason: 'rescinded' });
    expect(after).toBe(s);
  });

  it('replaces everything with a snapshot but keeps known offer timing', () => {
    let s = initialDesktop(7);
    s = desktopReducer(s, { type: 'offer', contact: contact({ id: 9, state: 'offered', offered_to: [7] }), expires_at: 50_000, now: 10_000 });
    s = desktopReducer(s, { type: 'contact', contact: contact({ id: 2, state: 'connected', agent: 7 }), now: 0 });
    s = desktopReducer(s, {
      type: 'snapshot',
      agent,
      contacts: [contact({ id: 9, state: 'offered', offered_to: [7] })],
      now: 20_000,
    });
    expect(Object.keys(s.contacts)).toEqual(['9']);
    expect(s.expires[9]).toBe(50_000);
    expect(s.offeredAt[9]).toBe(10_000);
    expect(s.agent?.name).toBe('Ann');
  });

  it('keeps live changes that arrived while a snapshot request travelled', () => {
    let s = initialDesktop(7);
    s = desktopReducer(s, { type: 'contact', contact: contact({ id: 1, state: 'connected', agent: 7 }), now: 100 });
    // requested at 50: an offer arrives at 120, contact 1 goes to wrap-up at 130
    s = desktopReducer(s, { type: 'offer', contact: contact({ id: 2, state: 'offered', offered_to: [7] }), expires_at: 9_000, now: 120 });
    s = desktopReducer(s, { type: 'contact', contact: contact({ id: 1, state: 'wrap_up', agent: 7 }), now: 130 });
    s = desktopReducer(s, { type: 'snapshot', agent, contacts: [contact({ id: 1, state: 'connected', agent: 7 })], now: 140, requestedAt: 50 });
    expect(s.contacts[1].state).toBe('wrap_up');
    expect(s.contacts[2].state).toBe('offered');
    expect(s.expires[2]).toBe(9_000);
    // a later snapshot (requested after those changes) is authoritative
    s = desktopReducer(s, { type: 'snapshot', agent, contacts: [], now: 300, requestedAt: 200 });
    expect(Object.keys(s.contacts)).toEqual([]);
  });

  it('does not bring back an offer withdrawn while a snapshot request travelled', () => {
    let s = initialDesktop(7);
    s = desktopReducer(s, { type: 'offer', contact: contact({ id: 2, state: 'offered', offered_to: [7] }), expires_at: 9_000, now: 10 });
    s = desktopReducer(s, { type: 'offer_withdrawn', contact: 2, reason: 'abandoned', now: 120 });
    s = desktopReducer(s, { type: 'snapshot', agent, contacts: [contact({ id: 2, state: 'offered', offered_to: [7] })], now: 140, requestedAt: 100 });
    expect(s.contacts[2]).toBeUndefined();
  });

  it('takes offer_expires_at from the contact when the message has no expires_at', () => {
    const s = desktopReducer(initialDesktop(7), { type: 'contact', contact: contact({ id: 1, state: 'offered', offered_to: [7], offer_expires_at: 99 }), now: 0 });
    expect(s.expires[1]).toBe(99);
  });

  it('ignores state messages about other agents', () => {
    const s = initialDesktop(7);
    expect(desktopReducer(s, { type: 'state', agent: { ...agent, agent: 8 } })).toBe(s);
    expect(desktopReducer(s, { type: 'state', agent }).agent).toEqual(agent);
  });
});

describe('desktopEventFromWs', () => {
  it('parses the documented agent-channel messages', () => {
    expect(desktopEventFromWs({ type: 'offer', contact: contact({ id: 1 }), expires_at: 5 }, 0)).toMatchObject({ type: 'offer', expires_at: 5 });
    expect(desktopEventFromWs({ type: 'offer_withdrawn', contact: 1, reason: 'rejected' }, 0)).toEqual({ type: 'offer_withdrawn', contact: 1, reason: 'rejected', now: 0 });
    expect(desktopEventFromWs({ type: 'contact', contact: contact({ id: 1 }) }, 0)?.type).toBe('contact');
    expect(desktopEventFromWs({ type: 'state', agent }, 0)).toEqual({ type: 'state', agent });
    expect(desktopEventFromWs({ type: 'subscribed', channel: 'agent' }, 0)).toBeNull();
  });
  it('treats a message with agent and contacts as a full state', () => {
    expect(desktopEventFromWs({ type: 'full', agent, contacts: [] }, 0)?.type).toBe('snapshot');
  });
});
