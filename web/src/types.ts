// Shapes from docs/api.md.

export type Role = 'admin' | 'supervisor' | 'agent' | 'analyst';
export const ROLES: Role[] = ['admin', 'supervisor', 'agent', 'analyst'];

export const CHANNELS = ['voice', 'chat', 'email', 'sms', 'whatsapp', 'social', 'callback', 'task'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface User {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  agent_id: number | null;
  disabled: boolean;
}

export interface Session {
  user: User;
  csrf_token: string;
}

export interface ProblemField {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: ProblemField[];
}

export interface Skill {
  id: number;
  name: string;
}

export interface Profile {
  id: number;
  name: string;
  capacity: Partial<Record<Channel, number>>;
  max_total: number;
  exclusive: Channel[];
}

export const STRATEGIES = ['longest_idle', 'most_proficient', 'round_robin_memory', 'least_occupied', 'ring_all'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export const RELAXATION_ACTIONS = ['lower_proficiency', 'drop_optional', 'widen_tier'] as const;
export type RelaxationAction = (typeof RELAXATION_ACTIONS)[number];

export interface Relaxation {
  after_s: number;
  action: RelaxationAction;
  amount: number;
}

export interface HoursWindow {
  weekday: number;
  open_minute: number;
  close_minute: number;
}

export interface Hours {
  always_open: boolean;
  utc_offset_minutes: number;
  windows: HoursWindow[];
}

export interface Queue {
  id: number;
  name: string;
  strategy: Strategy;
  sl_threshold_s: number;
  sl_target: number;
  max_waiting: number;
  overflow_after_s: number;
  overflow_queue: number | null;
  aging_interval_s: number;
  relaxation: Relaxation[];
  offer_timeout_s: number;
  max_missed_offers: number;
  wrap_up_s: number;
  default_handle_time_s: number;
  hours: Hours;
}

export interface Agent {
  id: number;
  name: string;
  profile: number;
  skills: { skill: number; proficiency: number }[];
  queues: { queue: number; tier: number }[];
}

export interface ReasonCode {
  id: number;
  name: string;
}

export interface Disposition {
  id: number;
  name: string;
  conversion: boolean;
}

export type ContactState = 'queued' | 'offered' | 'connected' | 'wrap_up' | 'ended';

export interface Contact {
  id: number;
  channel: Channel;
  queue: number;
  state: ContactState;
  priority: number;
  customer: number;
  agent: number | null;
  offered_to: number[];
  on_hold: boolean;
  callback: boolean;
  arrived_at: number;
  enqueued_at: number;
  offer_expires_at?: number;
  estimated_wait_s?: number;
  attributes: Record<string, string>;
  blocked?: string;
}

export type Presence = 'offline' | 'available' | 'not_ready';
export type Activity = 'offline' | 'idle' | 'ringing' | 'busy' | 'wrap_up' | 'not_ready';

export interface AgentState {
  agent: number;
  name: string;
  presence: Presence;
  reason: number | null;
  reason_name?: string | null;
  activity: Activity;
  since: number;
  contacts: number[];
}

export interface Me {
  user: User;
  agent: AgentState | null;
  contacts: Contact[];
}

export interface TodayStats {
  offered: number;
  handled: number;
  abandoned: number;
  service_level: number | null;
  asa_s: number | null;
  aht_s: number | null;
  abandon_rate: number | null;
}

export interface QueueStats {
  queue: number;
  name: string;
  waiting: number;
  longest_wait_s: number;
  agents: { logged_in: number; available: number; idle: number; busy: number; not_ready: number };
  today: TodayStats;
}

export interface ChannelStats {
  channel: Channel;
  waiting: number;
  longest_wait_s: number;
  today: TodayStats;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}
