import { describe, expect, it } from 'vitest';
import type { QueueStats } from '../types';
import { agentsByActivity, initialWallboard, totals, wallboardEventsFromWs, wallboardReducer } from './wallboard';

function qs(over: Partial<QueueStats>): QueueStats {
  return {
    queue: 1, name: 'Q', waiting: 0, longest_wait_s: 0,
    agents: { logged_in: 0, available: 0, idle: 0, busy: 0, not_ready: 0 },
    today: { offered: 0, handled: 0, abandoned: 0, service_level: null, asa_s: null, aht_s: null, abandon_rate: null },
    ...over,
  };
}

describe('wallboard', () => {
  it('sorts queues by name and records when they arrived', () => {
    const s = wallboardReducer(initialWallboard, { type: 'queues', items: [qs({ queue: 2, name: 'b' }), qs({ queue: 1, name: 'a' })], now: 42 });
    expect(s.queues.map((q) => q.queue)).toEqual([1, 2]);
    expect(s.queuesAt).toBe(42);
  });
  it('adds up totals; longest wait only counts queues with someone waiting', () => {
    const t = totals([
      qs({ waiting: 2, longest_wait_s: 30, today: { ...qs({}).today, handled: 3, offered: 5, abandoned: 1 } }),
      qs({ waiting: 0, longest_wait_s: 99, today: { ...qs({}).today, handled: 1, offered: 1 } }),
    ]);
    expect(t).toEqual({ waiting: 2, longestWaitS: 30, offered: 6, handled: 4, abandoned: 1 });
  });
  it('parses supervisor messages, including a combined full state', () => {
    expect(wallboardEventsFromWs({ type: 'queues', items: [] }, 1).map((e) => e.type)).toEqual(['queues']);
    expect(wallboardEventsFromWs({ type: 'agents', items: [] }, 1).map((e) => e.type)).toEqual(['agents']);
    expect(wallboardEventsFromWs({ type: 'state', queues: [], agents: [] }, 1).map((e) => e.type)).toEqual(['queues', 'agents']);
    expect(wallboardEventsFromWs({ type: 'subscribed', channel: 'supervisor' }, 1)).toEqual([]);
  });
  it('counts agents by activity', () => {
    const a = (activity: string) => ({ agent: 1, name: 'x', presence: 'available', reason: null, activity, since: 0, contacts: [] }) as never;
    expect(agentsByActivity([a('idle'), a('busy'), a('idle')])).toEqual({ idle: 2, busy: 1 });
  });
});
