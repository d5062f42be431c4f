// The RTA (real-time adherence) board: shaping of GET /api/v1/adherence/live and of the
// supervisor channel's `adherence` pushes (docs/api.md, "Adherence"), and the adherence column
// of the reports agent table (GET /api/v1/adherence/history).

export type Activity = 'work' | 'break' | 'lunch' | 'training' | 'meeting' | 'off';
export type ActualStateName = 'logged_out' | 'available' | 'busy' | 'wrap_up' | 'not_ready';

export interface RtaRow {
  agent: number;
  name: string;
  team: string | null;
  scheduled: { activity: Activity; start: number; end: number } | null;
  actual: { state: ActualStateName; since: number | null; reason?: number; reason_name?: string };
  mismatch: boolean;
  mismatch_since: number | null;
  out_of_adherence: boolean;
  out_since: number | null;
  out_for_s: number;
  out_today_s: number;
  adherence_today: number | null;
  conformance_today: number | null;
}

export interface RtaBoard {
  now: number; // server time of the answer (epoch ms)
  grace_s: number;
  out_of_adherence: number;
  schedule_error: string | null;
  agents: RtaRow[];
}

/** A board as received: `receivedAt` is the browser's clock when it arrived. */
export interface RtaState {
  board: RtaBoard | null;
  receivedAt: number;
}

export const initialRta: RtaState = { board: null, receivedAt: 0 };

/** The board of a supervisor-channel message, or null for other messages. */
export function rtaFromWs(msg: { type: string; [k: string]: unknown }): RtaBoard | null {
  if (msg.type !== 'adherence') return null;
  const rta = msg.rta as RtaBoard | undefined;
  if (!rta || !Array.isArray(rta.agents)) return null;
  return rta;
}

/** Server time now, from the board's time and how long ago it arrived (no clock skew). */
export function serverNow(s: RtaState, now: number): number {
  if (!s.board) return now;
  return s.board.now + Math.max(0, now - s.receivedAt);
}

export type RtaStatus = 'out' | 'grace' | 'in';

/**
 * Where the agent stands at server time `at`: out of adherence, in a mismatch still within the
 * grace (it turns `out` by itself once the grace has passed), or in adherence.
 */
export function statusAt(row: RtaRow, graceS: number, at: number): RtaStatus {
  if (row.out_of_adherence) return 'out';
  if (!row.mismatch || row.mismatch_since === null) return 'in';
  return at - row.mismatch_since > graceS * 1000 ? 'out' : 'grace';
}

/** Seconds out of adherence at server time `at` (0 when in adherence or within the grace). */
export function outForAt(row: RtaRow, graceS: number, at: number): number {
  if (statusAt(row, graceS, at) !== 'out') return 0;
  const since = row.out_since ?? row.mismatch_since ?? at;
  return Math.max(0, (at - since) / 1000);
}

/**
 * Seconds out of adherence today at server time `at`: the server's figure plus the time the
 * current episode has run since the board was made (a mismatch that passed the grace meanwhile
 * counts from its start, as the server would count it).
 */
export function outTodayAt(row: RtaRow, graceS: number, boardNow: number, at: number): number {
  const status = statusAt(row, graceS, at);
  if (status !== 'out') return row.out_today_s;
  if (row.out_of_adherence) return row.out_today_s + Math.max(0, (at - boardNow) / 1000);
  // Passed the grace since the board was made: the whole mismatch so far is out.
  return row.out_today_s + outForAt(row, graceS, at);
}

export interface RtaLine {
  row: RtaRow;
  status: RtaStatus;
  outForS: number;
  outTodayS: number;
}

/** The board's lines at browser time `now`, worst first (as the server orders them). */
export function rtaLines(s: RtaState, now: number, team = ''): RtaLine[] {
  if (!s.board) return [];
  const board = s.board;
  const at = serverNow(s, now);
  const lines = board.agents
    .filter((row) => team === '' || row.team === team)
    .map((row) => ({
      row,
      status: statusAt(row, board.grace_s, at),
      outForS: outForAt(row, board.grace_s, at),
      outTodayS: outTodayAt(row, board.grace_s, board.now, at),
    }));
  return sortWorstFirst(lines);
}

const STATUS_RANK: Record<RtaStatus, number> = { out: 0, grace: 1, in: 2 };

/** Out of adherence longest first, then in a grace, then most time out today, then by name. */
export function sortWorstFirst(lines: RtaLine[]): RtaLine[] {
  return [...lines].sort(
    (a, b) =>
      STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
      b.outForS - a.outForS ||
      b.outTodayS - a.outTodayS ||
      a.row.name.localeCompare(b.row.name),
  );
}

/** "Not ready (break)", "Busy", "Logged out". */
export function actualLabel(row: RtaRow): string {
  switch (row.actual.state) {
    case 'logged_out':
      return 'Logged out';
    case 'available':
      return 'Available';
    case 'busy':
      return 'Busy';
    case 'wrap_up':
      return 'Wrap-up';
    case 'not_ready':
      return row.actual.reason_name ? `Not ready (${row.actual.reason_name})` : 'Not ready';
  }
  return row.actual.state;
}

/** "Break 12:00–12:15" style label of the scheduled activity; "Unscheduled" without one. */
export function scheduledLabel(row: RtaRow, clock: (at: number) => string): string {
  if (!row.scheduled) return 'Unscheduled';
  const a = row.scheduled.activity;
  return `${a.charAt(0).toUpperCase()}${a.slice(1)} ${clock(row.scheduled.start)}–${clock(row.scheduled.end)}`;
}

/** Whole minutes, rounded down: 59 s -> "0 min", 150 s -> "2 min". */
export function formatMinutes(seconds: number): string {
  return `${Math.floor(Math.max(0, seconds) / 60)} min`;
}

/** Distinct teams of the board, sorted. */
export function teamsOf(board: RtaBoard | null): string[] {
  if (!board) return [];
  const set = new Set<string>();
  for (const r of board.agents) if (r.team) set.add(r.team);
  return [...set].sort((a, b) => a.localeCompare(b));
}

export interface AdherenceHistoryRow {
  agent: number;
  name: string;
  adherence: number | null;
  conformance: number | null;
}

/** Adherence and conformance per agent name over a range (the reports agent table's column). */
export function adherenceByAgent(history: { agents?: AdherenceHistoryRow[] } | null): Map<string, AdherenceHistoryRow> {
  const out = new Map<string, AdherenceHistoryRow>();
  for (const a of history?.agents ?? []) out.set(a.name, a);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Adherence alerts on the wallboard: the supervisor channel's `adherence_alert` pushes (an agent
// went out of adherence, `out: true`, or came back, `out: false`) and the `adherence` board
// pushes (which say who is out right now) keep a list of the agents out of adherence.

export interface AdherenceAlert {
  agent: number;
  name: string;
  since: number; // when the mismatch began (epoch ms)
  scheduled: Activity | null;
  actual: ActualStateName;
}

export type AdherenceAlertEvent =
  | { type: 'alert'; out: boolean; alert: AdherenceAlert }
  | { type: 'board'; board: RtaBoard };

/** Longest out first, then by name. */
function sortOut(list: AdherenceAlert[]): AdherenceAlert[] {
  return [...list].sort((a, b) => a.since - b.since || a.name.localeCompare(b.name));
}

export function adherenceAlertsReducer(out: AdherenceAlert[], ev: AdherenceAlertEvent): AdherenceAlert[] {
  if (ev.type === 'board') {
    return sortOut(
      ev.board.agents
        .filter((r) => r.out_of_adherence)
        .map((r) => ({
          agent: r.agent,
          name: r.name,
          since: r.out_since ?? r.mismatch_since ?? ev.board.now,
          scheduled: r.scheduled?.activity ?? null,
          actual: r.actual.state,
        })),
    );
  }
  const rest = out.filter((a) => a.agent !== ev.alert.agent);
  return ev.out ? sortOut([...rest, ev.alert]) : rest;
}

/** The adherence-alert events of one supervisor-channel message (none for other messages). */
export function adherenceAlertEventsFromWs(msg: { type: string; [k: string]: unknown }): AdherenceAlertEvent[] {
  if (msg.type === 'adherence_alert' && typeof msg.agent === 'number' && typeof msg.out === 'boolean') {
    return [
      {
        type: 'alert',
        out: msg.out,
        alert: {
          agent: msg.agent,
          name: typeof msg.name === 'string' ? msg.name : `agent ${msg.agent}`,
          since: typeof msg.since === 'number' ? msg.since : typeof msg.at === 'number' ? msg.at : 0,
          scheduled: (msg.scheduled as Activity | null) ?? null,
          actual: msg.actual as ActualStateName,
        },
      },
    ];
  }
  const board = rtaFromWs(msg);
  return board ? [{ type: 'board', board }] : [];
}

/** "Ada: scheduled break, logged out" — one line of the wallboard's adherence list. */
export function adherenceAlertText(a: AdherenceAlert): string {
  const actual = a.actual.replace(/_/g, ' ');
  return `${a.name}: scheduled ${a.scheduled ?? 'nothing'}, ${actual}`;
}
