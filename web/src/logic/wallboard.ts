import type { AgentState, ChannelStats, QueueStats } from '../types';

// Wallboard state: the latest supervisor-channel lists plus when they arrived (for ticking waits).

export interface WallboardState {
  queues: QueueStats[];
  queuesAt: number;
  channels: ChannelStats[];
  channelsAt: number;
  agents: AgentState[];
}

export const initialWallboard: WallboardState = { queues: [], queuesAt: 0, channels: [], channelsAt: 0, agents: [] };

export type WallboardEvent =
  | { type: 'queues'; items: QueueStats[]; now: number }
  | { type: 'channels'; items: ChannelStats[]; now: number }
  | { type: 'agents'; items: AgentState[] };

export function wallboardReducer(s: WallboardState, ev: WallboardEvent): WallboardState {
  switch (ev.type) {
    case 'queues':
      return { ...s, queues: [...ev.items].sort((a, b) => a.name.localeCompare(b.name) || a.queue - b.queue), queuesAt: ev.now };
    case 'channels':
      return { ...s, channels: ev.items, channelsAt: ev.now };
    case 'agents':
      return { ...s, agents: [...ev.items].sort((a, b) => a.name.localeCompare(b.name) || a.agent - b.agent) };
  }
}

/** Events carried by one supervisor-channel message (a full-state message may carry both lists). */
export function wallboardEventsFromWs(msg: { type: string; [k: string]: unknown }, now: number): WallboardEvent[] {
  const out: WallboardEvent[] = [];
  if (msg.type === 'queues' && Array.isArray(msg.items)) out.push({ type: 'queues', items: msg.items as QueueStats[], now });
  else if (msg.type === 'agents' && Array.isArray(msg.items)) out.push({ type: 'agents', items: msg.items as AgentState[] });
  else if (msg.type === 'channels' && Array.isArray(msg.items)) out.push({ type: 'channels', items: msg.items as ChannelStats[], now });
  else {
    if (Array.isArray(msg.queues)) out.push({ type: 'queues', items: msg.queues as QueueStats[], now });
    if (Array.isArray(msg.agents)) out.push({ type: 'agents', items: msg.agents as AgentState[] });
    if (Array.isArray(msg.channels)) out.push({ type: 'channels', items: msg.channels as ChannelStats[], now });
  }
  return out;
}

export interface Totals {
  waiting: number;
  longestWaitS: number;
  offered: number;
  handled: number;
  abandoned: number;
}

export function totals(queues: QueueStats[]): Totals {
  const t: Totals = { waiting: 0, longestWaitS: 0, offered: 0, handled: 0, abandoned: 0 };
  for (const q of queues) {
    t.waiting += q.waiting ?? 0;
    t.longestWaitS = Math.max(t.longestWaitS, q.waiting > 0 ? (q.longest_wait_s ?? 0) : 0);
    t.offered += q.today?.offered ?? 0;
    t.handled += q.today?.handled ?? 0;
    t.abandoned += q.today?.abandoned ?? 0;
  }
  return t;
}

/** Agents counted by activity: {idle: 3, busy: 2, ...}. */
export function agentsByActivity(agents: AgentState[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of agents) out[a.activity] = (out[a.activity] ?? 0) + 1;
  return out;
}
