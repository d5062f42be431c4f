import type { Agent, Channel, Problem, Profile, Queue, Skill, User } from '../types';
import { CHANNELS } from '../types';

// Pure helpers for the admin forms: defaults, request bodies, problem+json error mapping.

export interface FieldErrors {
  /** Message per field path as the server named it ("name", "capacity.voice", "relaxation[0].after_s"). */
  byField: Record<string, string>;
  /** The detail line and any errors without a field. */
  general: string[];
}

export function fieldErrors(problem: Problem | null | undefined): FieldErrors {
  const out: FieldErrors = { byField: {}, general: [] };
  if (!problem) return out;
  for (const e of problem.errors ?? []) {
    if (e && e.field) {
      const key = normalizeField(e.field);
      out.byField[key] = out.byField[key] ? `${out.byField[key]}; ${e.message}` : e.message;
    } else if (e && e.message) out.general.push(e.message);
  }
  // A validation answer without `errors` but with a "field: message" detail still points at
  // its field.
  if ((problem.errors ?? []).length === 0 && problem.detail && (problem.status === 400 || problem.type?.endsWith('/validation'))) {
    const m = /^([A-Za-z_][\w.\[\]]*): (.+)$/.exec(problem.detail);
    if (m) out.byField[normalizeField(m[1])] = m[2];
  }
  if (problem.detail) out.general.unshift(problem.detail);
  else if (problem.title && out.general.length === 0) out.general.unshift(problem.title);
  return out;
}

/** "relaxation.0.after_s", "/relaxation/0/after_s" and "relaxation[0].after_s" all become the last form. */
export function normalizeField(field: string): string {
  let f = field.trim().replace(/^\$?\.?\/?/, '');
  f = f.replace(/\//g, '.');
  f = f.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  return f;
}

/** The error for `field` or any nested field below it ("hours" matches "hours.windows[0].weekday"). */
export function errorFor(errors: FieldErrors, field: string): string | undefined {
  if (errors.byField[field]) return errors.byField[field];
  const nested = Object.keys(errors.byField).filter((k) => k.startsWith(`${field}.`) || k.startsWith(`${field}[`));
  if (nested.length === 0) return undefined;
  return nested.map((k) => `${k}: ${errors.byField[k]}`).join('; ');
}

export function withoutId<T extends { id?: number }>(obj: T): Omit<T, 'id'> {
  const copy = { ...obj };
  delete copy.id;
  return copy;
}

export function defaultQueue(): Omit<Queue, 'id'> {
  return {
    name: '',
    strategy: 'longest_idle',
    sl_threshold_s: 20,
    sl_target: 0.8,
    max_waiting: 0,
    overflow_after_s: 0,
    overflow_queue: null,
    aging_interval_s: 0,
    relaxation: [],
    offer_timeout_s: 20,
    max_missed_offers: 3,
    wrap_up_s: 0,
    default_handle_time_s: 180,
    hours: { always_open: true, utc_offset_minutes: 0, windows: [] },
  };
}

/** A queue from the server with every documented field present (older servers may omit some). */
export function normalizeQueue(q: Partial<Queue>): Omit<Queue, 'id'> & { id?: number } {
  const d = defaultQueue();
  return {
    ...d,
    ...q,
    relaxation: q.relaxation ?? [],
    hours: { ...d.hours, ...(q.hours ?? {}), windows: q.hours?.windows ?? [] },
  };
}

export function defaultProfile(): Omit<Profile, 'id'> {
  return { name: '', capacity: { voice: 1, chat: 0, email: 0 }, max_total: 1, exclusive: [] };
}

/** Capacity with zero channels dropped ("channels not listed have capacity 0"). */
export function profileBody(p: Omit<Profile, 'id'> & { id?: number }): Omit<Profile, 'id'> {
  const capacity: Partial<Record<Channel, number>> = {};
  for (const ch of CHANNELS) {
    const v = p.capacity[ch];
    if (v !== undefined && v !== 0) capacity[ch] = v;
  }
  return { name: p.name, capacity, max_total: p.max_total, exclusive: CHANNELS.filter((c) => p.exclusive.includes(c)) };
}

/** Agent form state: ids are null until chosen (ids may be 0, so 0 is no "none" marker). */
export interface AgentDraft {
  id?: number;
  name: string;
  profile: number | null;
  skills: { skill: number | null; proficiency: number }[];
  queues: { queue: number | null; tier: number }[];
}

export function defaultAgent(): AgentDraft {
  return { name: '', profile: null, skills: [], queues: [] };
}

export function agentToDraft(a: Agent): AgentDraft {
  return { id: a.id, name: a.name, profile: a.profile ?? null, skills: [...(a.skills ?? [])], queues: [...(a.queues ?? [])] };
}

/** "" (the "Choose…" option) -> null, anything else -> its number. */
export function idFromSelect(value: string): number | null {
  return value === '' ? null : Number(value);
}

export function defaultSkill(): Omit<Skill, 'id'> {
  return { name: '' };
}

export interface UserDraft {
  id?: number;
  username: string;
  display_name: string;
  role: User['role'];
  agent_id: number | null;
  password: string;
  disabled: boolean;
}

export function defaultUserDraft(): UserDraft {
  return { username: '', display_name: '', role: 'agent', agent_id: null, password: '', disabled: false };
}

export function userToDraft(u: User): UserDraft {
  return { id: u.id, username: u.username, display_name: u.display_name, role: u.role, agent_id: u.agent_id, password: '', disabled: u.disabled };
}

/** POST body for a new user. */
export function userCreateBody(d: UserDraft): Record<string, unknown> {
  const body: Record<string, unknown> = { username: d.username, password: d.password, display_name: d.display_name, role: d.role };
  if (d.agent_id !== null) body.agent_id = d.agent_id;
  return body;
}

/** PATCH body: only what changed; a blank password keeps the old one. */
export function userPatchBody(before: User, d: UserDraft): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (d.display_name !== before.display_name) body.display_name = d.display_name;
  if (d.role !== before.role) body.role = d.role;
  if (d.agent_id !== before.agent_id) body.agent_id = d.agent_id;
  if (d.disabled !== before.disabled) body.disabled = d.disabled;
  if (d.password) body.password = d.password;
  return body;
}

/** Number from an <input type=number>; blank -> fallback (so the server sees a number or null). */
export function numberFrom(value: string, fallback: number | null = null): number | null {
  if (value.trim() === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

// 0 = Monday .. 6 = Sunday (src/domain/model.h OpeningWindow).
export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** 480 -> "08:00". */
export function minuteToHHMM(minute: number): string {
  const m = Math.max(0, Math.min(1440, Math.floor(minute)));
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/** "08:30" -> 510; invalid -> null. */
export function hhmmToMinute(s: string): number | null {
  const m = /^(\d{1,2}):(\d{2})$/.exec(s.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const mi = Number(m[2]);
  if (h > 24 || mi > 59 || (h === 24 && mi > 0)) return null;
  return h * 60 + mi;
}
