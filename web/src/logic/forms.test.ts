import { describe, expect, it } from 'vitest';
import type { User } from '../types';
import { errorFor, fieldErrors, hhmmToMinute, minuteToHHMM, normalizeField, normalizeQueue, numberFrom, profileBody, userCreateBody, userPatchBody, userToDraft, withoutId } from './forms';

describe('problem+json errors', () => {
  it('maps errors to fields and keeps the detail', () => {
    const e = fieldErrors({
      status: 400,
      detail: 'queue: unknown queue 42',
      errors: [
        { field: 'queue', message: 'unknown queue 42' },
        { field: 'capacity.voice', message: 'must be ≥ 0' },
        { field: 'queue', message: 'second' },
        { field: '', message: 'general' },
      ],
    });
    expect(e.byField.queue).toBe('unknown queue 42; second');
    expect(e.byField['capacity.voice']).toBe('must be ≥ 0');
    expect(e.general).toEqual(['queue: unknown queue 42', 'general']);
  });
  it('takes the field from a "field: message" detail when errors is missing', () => {
    const e = fieldErrors({ status: 400, type: 'https://switchboard.dev/problems/validation', detail: 'password: must be at least 10 characters' });
    expect(e.byField.password).toBe('must be at least 10 characters');
    expect(e.general).toEqual(['password: must be at least 10 characters']);
    expect(fieldErrors({ status: 409, detail: 'name: duplicate' }).byField).toEqual({});
  });
  it('uses the title without a detail', () => {
    expect(fieldErrors({ title: 'Conflict' }).general).toEqual(['Conflict']);
    expect(fieldErrors(undefined).general).toEqual([]);
  });
  it('normalises field paths', () => {
    expect(normalizeField('relaxation.0.after_s')).toBe('relaxation[0].after_s');
    expect(normalizeField('/hours/windows/1/weekday')).toBe('hours.windows[1].weekday');
    expect(normalizeField('relaxation[0].after_s')).toBe('relaxation[0].after_s');
    expect(normalizeField('$.name')).toBe('name');
  });
  it('finds nested errors under a parent field', () => {
    const e = fieldErrors({ errors: [{ field: 'hours.windows.0.weekday', message: 'bad day' }] });
    expect(errorFor(e, 'hours.windows[0].weekday')).toBe('bad day');
    expect(errorFor(e, 'hours')).toBe('hours.windows[0].weekday: bad day');
    expect(errorFor(e, 'name')).toBeUndefined();
  });
});

describe('bodies', () => {
  it('drops the id and zero capacities, orders exclusive channels', () => {
    expect(withoutId({ id: 3, name: 'x' })).toEqual({ name: 'x' });
    expect(profileBody({ id: 1, name: 'p', capacity: { voice: 1, chat: 0, email: 5 }, max_total: 3, exclusive: ['email', 'voice'] })).toEqual({
      name: 'p', capacity: { voice: 1, email: 5 }, max_total: 3, exclusive: ['voice', 'email'],
    });
  });
  it('fills missing queue fields with defaults', () => {
    const q = normalizeQueue({ id: 2, name: 'Sales', hours: { always_open: false } as never });
    expect(q.strategy).toBe('longest_idle');
    expect(q.hours).toEqual({ always_open: false, utc_offset_minutes: 0, windows: [] });
    expect(q.relaxation).toEqual([]);
  });
  it('builds user create and patch bodies', () => {
    const u: User = { id: 4, username: 'ann', display_name: 'Ann', role: 'agent', agent_id: 2, disabled: false };
    expect(userCreateBody({ ...userToDraft(u), password: 'secret-password' })).toEqual({ username: 'ann', password: 'secret-password', display_name: 'Ann', role: 'agent', agent_id: 2 });
    expect(userCreateBody({ ...userToDraft(u), agent_id: null, password: 'p' })).not.toHaveProperty('agent_id');
    expect(userPatchBody(u, userToDraft(u))).toEqual({});
    expect(userPatchBody(u, { ...userToDraft(u), role: 'supervisor', agent_id: null, password: 'new-password' })).toEqual({ role: 'supervisor', agent_id: null, password: 'new-password' });
  });
});

describe('small converters', () => {
  it('converts times of day', () => {
    expect(minuteToHHMM(480)).toBe('08:00');
    expect(minuteToHHMM(1440)).toBe('24:00');
    expect(hhmmToMinute('08:30')).toBe(510);
    expect(hhmmToMinute('24:00')).toBe(1440);
    expect(hhmmToMinute('25:00')).toBeNull();
    expect(hhmmToMinute('nope')).toBeNull();
  });
  it('reads numbers', () => {
    expect(numberFrom('12')).toBe(12);
    expect(numberFrom('', 0)).toBe(0);
    expect(numberFrom('x')).toBeNull();
  });
});

describe('ids from selects', () => {
  it('keeps id 0 and maps the empty choice to null', async () => {
    const { idFromSelect, agentToDraft, defaultAgent } = await import('./forms');
    expect(idFromSelect('0')).toBe(0);
    expect(idFromSelect('')).toBeNull();
    expect(defaultAgent().profile).toBeNull();
    expect(agentToDraft({ id: 0, name: 'a', profile: 0, skills: [{ skill: 0, proficiency: 3 }], queues: [] }).profile).toBe(0);
  });
});
