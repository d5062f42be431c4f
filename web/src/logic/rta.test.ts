import { describe, expect, it } from 'vitest';
import {
  actualLabel,
  adherenceAlertEventsFromWs,
  adherenceAlertsReducer,
  adherenceAlertText,
  adherenceByAgent,
  formatMinutes,
  outForAt,
  outTodayAt,
  rtaFromWs,
  rtaLines,
  scheduledLabel,
  serverNow,
  statusAt,
  teamsOf,
  type RtaBoard,
  type RtaRow,
} from './rta';

const T0 = Date.UTC(2026, 11, 1, 9, 2, 0);

function row(over: Partial<RtaRow>): RtaRow {
  return {
    agent: 0,
    name: 'Ada',
    team: 'Blue',
    scheduled: { activity: 'work', start: Date.UTC(2026, 11, 1, 9), end: Date.UTC(2026, 11, 1, 12) },
    actual: { state: 'available', since: Date.UTC(2026, 11, 1, 9) },
    mismatch: false,
    mismatch_since: null,
    out_of_adherence: false,
    out_since: null,
    out_for_s: 0,
    out_today_s: 0,
    adherence_today: 1,
    conformance_today: 1,
    ...over,
  };
}

const bob = row({
  agent: 1,
  name: 'Bob',
  actual: { state: 'logged_out', since: null },
  mismatch: true,
  mismatch_since: T0 - 120_000,
  out_of_adherence: true,
  out_since: T0 - 120_000,
  out_for_s: 120,
  out_today_s: 120,
});
// Cy went on a break 30 s ago: within the 60 s grace.
const cy = row({
  agent: 2,
  name: 'Cy',
  team: 'Red',
  actual: { state: 'not_ready', since: T0 - 30_000, reason: 1, reason_name: 'break' },
  mismatch: true,
  mismatch_since: T0 - 30_000,
  out_today_s: 300,
});
const ada = row({});

const board: RtaBoard = { now: T0, grace_s: 60, out_of_adherence: 1, schedule_error: null, agents: [ada, cy, bob] };

describe('RTA status', () => {
  it('is out, in a grace, or in adherence', () => {
    expect(statusAt(bob, 60, T0)).toBe('out');
    expect(statusAt(cy, 60, T0)).toBe('grace');
    expect(statusAt(ada, 60, T0)).toBe('in');
    // The grace passes by itself between pushes: at 61 s Cy is out.
    expect(statusAt(cy, 60, T0 + 30_000)).toBe('grace'); // exactly 60 s: still forgiven
    expect(statusAt(cy, 60, T0 + 31_000)).toBe('out');
  });
  it('ticks the time out and the minutes out today', () => {
    expect(outForAt(bob, 60, T0 + 10_000)).toBe(130);
    expect(outTodayAt(bob, 60, T0, T0 + 10_000)).toBe(130);
    expect(outForAt(cy, 60, T0)).toBe(0);
    expect(outTodayAt(cy, 60, T0, T0)).toBe(300);
    // Once past the grace, the whole 61 s count, from the mismatch's start.
    expect(outForAt(cy, 60, T0 + 31_000)).toBe(61);
    expect(outTodayAt(cy, 60, T0, T0 + 31_000)).toBe(361);
  });
  it('uses the server clock of the board', () => {
    const s = { board, receivedAt: 5_000 };
    expect(serverNow(s, 7_000)).toBe(T0 + 2_000);
    expect(serverNow({ board: null, receivedAt: 0 }, 7_000)).toBe(7_000);
  });
});

describe('RTA lines', () => {
  it('sorts worst first and filters by team', () => {
    const s = { board, receivedAt: 1_000 };
    expect(rtaLines(s, 1_000).map((l) => l.row.name)).toEqual(['Bob', 'Cy', 'Ada']);
    expect(rtaLines(s, 1_000, 'Red').map((l) => l.row.name)).toEqual(['Cy']);
    // 40 s later Cy is out too, but for less time than Bob.
    const later = rtaLines(s, 41_000);
    expect(later.map((l) => [l.row.name, l.status])).toEqual([
      ['Bob', 'out'],
      ['Cy', 'out'],
      ['Ada', 'in'],
    ]);
    expect(later[0].outForS).toBe(160);
    expect(later[1].outForS).toBe(70);
    expect(rtaLines({ board: null, receivedAt: 0 }, 0)).toEqual([]);
  });
  it('reads pushes and labels', () => {
    expect(rtaFromWs({ type: 'adherence', rta: board })).toBe(board);
    expect(rtaFromWs({ type: 'queues', items: [] })).toBeNull();
    expect(rtaFromWs({ type: 'adherence' })).toBeNull();
    expect(actualLabel(cy)).toBe('Not ready (break)');
    expect(actualLabel(bob)).toBe('Logged out');
    expect(actualLabel(row({ actual: { state: 'wrap_up', since: 1 } }))).toBe('Wrap-up');
    const clock = (t: number) => new Date(t).toISOString().slice(11, 16);
    expect(scheduledLabel(ada, clock)).toBe('Work 09:00–12:00');
    expect(scheduledLabel(row({ scheduled: null }), clock)).toBe('Unscheduled');
    expect(formatMinutes(59)).toBe('0 min');
    expect(formatMinutes(150)).toBe('2 min');
    expect(teamsOf(board)).toEqual(['Blue', 'Red']);
  });
  it('maps history to the reports agent table by name', () => {
    const m = adherenceByAgent({ agents: [{ agent: 0, name: 'Ada', adherence: 0.95, conformance: 0.99 }] });
    expect(m.get('Ada')?.adherence).toBe(0.95);
    expect(m.get('Bob')).toBeUndefined();
    expect(adherenceByAgent(null).size).toBe(0);
  });
  it('keeps the wallboard list of agents out of adherence from adherence_alert pushes', () => {
    const push = (agent: number, name: string, out: boolean, since: number) =>
      adherenceAlertEventsFromWs({ type: 'adherence_alert', agent, name, out, at: since + 60_000, since, scheduled: 'work', actual: 'logged_out' });
    let list = adherenceAlertsReducer([], push(1, 'Bob', true, T0 - 120_000)[0]);
    list = adherenceAlertsReducer(list, push(2, 'Cy', true, T0 - 300_000)[0]);
    // Longest out first.
    expect(list.map((a) => a.name)).toEqual(['Cy', 'Bob']);
    expect(adherenceAlertText(list[1])).toBe('Bob: scheduled work, logged out');
    // A repeated push does not duplicate; coming back removes the agent.
    list = adherenceAlertsReducer(list, push(1, 'Bob', true, T0 - 120_000)[0]);
    expect(list).toHaveLength(2);
    list = adherenceAlertsReducer(list, push(2, 'Cy', false, T0 - 300_000)[0]);
    expect(list.map((a) => a.agent)).toEqual([1]);
    // A board push says who is out now (Bob); other messages are not adherence events.
    const events = adherenceAlertEventsFromWs({ type: 'adherence', rta: { ...board, agents: [ada, bob, cy] } });
    expect(events).toHaveLength(1);
    expect(adherenceAlertsReducer([], events[0])).toEqual([
      { agent: 1, name: 'Bob', since: T0 - 120_000, scheduled: 'work', actual: 'logged_out' },
    ]);
    expect(adherenceAlertEventsFromWs({ type: 'alert', event: 'fired' })).toEqual([]);
    expect(adherenceAlertEventsFromWs({ type: 'adherence_alert', agent: 'x' })).toEqual([]);
  });
});
