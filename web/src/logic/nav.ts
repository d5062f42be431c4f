import type { Role } from '../types';

export interface NavItem {
  path: string;
  label: string;
  testid: string;
}

const DESKTOP: NavItem = { path: '/desktop', label: 'Agent desktop', testid: 'nav-desktop' };
const WALLBOARD: NavItem = { path: '/wallboard', label: 'Wallboard', testid: 'nav-wallboard' };
const REPORTS: NavItem = { path: '/reports', label: 'Reports', testid: 'nav-reports' };
const PLANNING: NavItem[] = [
  { path: '/wfm/forecast', label: 'Forecast', testid: 'nav-wfm-forecast' },
  { path: '/wfm/staffing', label: 'Staffing', testid: 'nav-wfm-staffing' },
  { path: '/wfm/schedules', label: 'Schedules', testid: 'nav-wfm-schedules' },
];
const MY_SCHEDULE: NavItem = { path: '/my-schedule', label: 'My schedule', testid: 'nav-my-schedule' };
const RTA: NavItem = { path: '/rta', label: 'Adherence', testid: 'nav-rta' };
const ALERTS: NavItem = { path: '/alerts', label: 'Alerts', testid: 'nav-alerts' };
const ADMIN: NavItem[] = [
  { path: '/admin/queues', label: 'Queues', testid: 'nav-admin-queues' },
  { path: '/admin/skills', label: 'Skills', testid: 'nav-admin-skills' },
  { path: '/admin/profiles', label: 'Routing profiles', testid: 'nav-admin-profiles' },
  { path: '/admin/agents', label: 'Agents', testid: 'nav-admin-agents' },
  { path: '/admin/users', label: 'Users', testid: 'nav-admin-users' },
  { path: '/admin/codes', label: 'Codes', testid: 'nav-admin-codes' },
];

/**
 * What each role may see (admin: all; supervisor: wallboard, real-time adherence, reports, alert
 * rules and workforce planning; analyst: wallboard, reports and workforce planning; agent: desktop and
 * their schedule; anyone linked to an agent: their schedule).
 */
export function navFor(role: Role, hasAgent: boolean): NavItem[] {
  switch (role) {
    case 'admin':
      return [...(hasAgent ? [DESKTOP, MY_SCHEDULE] : []), WALLBOARD, RTA, REPORTS, ALERTS, ...PLANNING, ...ADMIN];
    case 'supervisor':
      return [WALLBOARD, RTA, REPORTS, ALERTS, ...PLANNING, ...(hasAgent ? [MY_SCHEDULE] : [])];
    case 'analyst':
      return [WALLBOARD, REPORTS, ...PLANNING, ...(hasAgent ? [MY_SCHEDULE] : [])];
    case 'agent':
      return [DESKTOP, MY_SCHEDULE];
  }
}

export function homeFor(role: Role, hasAgent: boolean): string {
  return navFor(role, hasAgent)[0]?.path ?? '/login';
}

export function mayVisit(role: Role, hasAgent: boolean, path: string): boolean {
  return navFor(role, hasAgent).some((n) => n.path === path);
}

/** Wallboard actions (changing an agent's state) are for supervisors and admins only. */
export function canControlAgents(role: Role): boolean {
  return role === 'admin' || role === 'supervisor';
}
