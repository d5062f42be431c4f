import { describe, expect, it } from 'vitest';
import { canControlAgents, homeFor, mayVisit, navFor } from './nav';

describe('navigation by role', () => {
  it('admin sees everything', () => {
    const paths = navFor('admin', false).map((n) => n.path);
    expect(paths).toEqual(['/wallboard', '/rta', '/reports', '/alerts', '/wfm/forecast', '/wfm/staffing', '/wfm/schedules', '/admin/queues', '/admin/skills', '/admin/profiles', '/admin/agents', '/admin/users', '/admin/codes']);
    expect(navFor('admin', true)[0].path).toBe('/desktop');
  });
  it('supervisor and analyst see the wallboard, reports and planning; supervisors also real-time adherence', () => {
    expect(navFor('supervisor', false).map((n) => n.path)).toEqual(['/wallboard', '/rta', '/reports', '/alerts', '/wfm/forecast', '/wfm/staffing', '/wfm/schedules']);
    expect(mayVisit('analyst', false, '/alerts')).toBe(false);
    expect(navFor('analyst', false).map((n) => n.path)).toEqual(['/wallboard', '/reports', '/wfm/forecast', '/wfm/staffing', '/wfm/schedules']);
    expect(mayVisit('supervisor', true, '/my-schedule')).toBe(true);
    expect(mayVisit('analyst', false, '/rta')).toBe(false);
    expect(mayVisit('supervisor', false, '/admin/users')).toBe(false);
  });
  it('agent sees the desktop and their schedule', () => {
    expect(navFor('agent', true).map((n) => n.path)).toEqual(['/desktop', '/my-schedule']);
    expect(mayVisit('agent', true, '/wfm/schedules')).toBe(false);
    expect(homeFor('agent', true)).toBe('/desktop');
    expect(mayVisit('agent', true, '/wallboard')).toBe(false);
    expect(mayVisit('agent', true, '/reports')).toBe(false);
    expect(mayVisit('agent', true, '/rta')).toBe(false);
  });
  it('only admins and supervisors change agent states', () => {
    expect(canControlAgents('admin')).toBe(true);
    expect(canControlAgents('supervisor')).toBe(true);
    expect(canControlAgents('analyst')).toBe(false);
    expect(canControlAgents('agent')).toBe(false);
  });
});
