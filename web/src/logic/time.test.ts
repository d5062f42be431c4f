import { describe, expect, it } from 'vitest';
import { elapsedSeconds, formatDuration, formatSince, formatPercent, formatSecondsStat, fractionLeft, nextBackoffMs, secondsLeft, tickingSeconds } from './time';

describe('formatDuration', () => {
  it('formats minutes and hours', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(9.9)).toBe('0:09');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
  });
  it('clamps negative and non-finite values', () => {
    expect(formatDuration(-5)).toBe('0:00');
    expect(formatDuration(Number.NaN)).toBe('0:00');
  });
});

describe('countdown', () => {
  it('rounds up the seconds left and stops at zero', () => {
    expect(secondsLeft(10_000, 0)).toBe(10);
    expect(secondsLeft(10_000, 100)).toBe(10);
    expect(secondsLeft(10_000, 9_001)).toBe(1);
    expect(secondsLeft(10_000, 10_000)).toBe(0);
    expect(secondsLeft(10_000, 20_000)).toBe(0);
  });
  it('gives the fraction of the window left', () => {
    expect(fractionLeft(20_000, 0, 0)).toBe(1);
    expect(fractionLeft(20_000, 0, 5_000)).toBe(0.75);
    expect(fractionLeft(20_000, 0, 30_000)).toBe(0);
    expect(fractionLeft(20_000, 20_000, 0)).toBe(0);
  });
});

describe('ticking timers', () => {
  it('elapsed seconds never go negative', () => {
    expect(elapsedSeconds(1_000, 62_500)).toBe(61);
    expect(elapsedSeconds(5_000, 1_000)).toBe(0);
  });
  it('time in state is a dash without an instant', () => {
    expect(formatSince(0, 1_000_000)).toBe('—');
    expect(formatSince(null, 1_000_000)).toBe('—');
    expect(formatSince(1_000_000 - 75_000, 1_000_000)).toBe('1:15');
  });
  it('longest wait grows only while someone waits', () => {
    expect(tickingSeconds(10, 1_000, 4_000, true)).toBe(13);
    expect(tickingSeconds(10, 1_000, 4_000, false)).toBe(10);
  });
});

describe('stat formatting', () => {
  it('formats percentages and seconds', () => {
    expect(formatPercent(0.8123)).toBe('81.2%');
    expect(formatPercent(null)).toBe('—');
    expect(formatSecondsStat(12.34)).toBe('12.3 s');
    expect(formatSecondsStat(125)).toBe('2:05');
    expect(formatSecondsStat(undefined)).toBe('—');
  });
});

describe('backoff', () => {
  it('doubles up to ten seconds', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(nextBackoffMs)).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000]);
  });
});
