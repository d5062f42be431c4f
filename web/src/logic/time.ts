// Pure formatting and timing helpers (unit-tested).

/** 75 -> "1:15", 3725 -> "1:02:05"; negative values clamp to 0. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) seconds = 0;
  const total = Math.floor(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  if (h > 0) return `${h}:${String(m).padStart(2, '0')}:${ss}`;
  return `${m}:${ss}`;
}

/** Whole seconds left until `expiresAt` (epoch ms), never negative; rounds up so 0 means expired. */
export function secondsLeft(expiresAt: number, now: number): number {
  return Math.max(0, Math.ceil((expiresAt - now) / 1000));
}

/** Fraction of the offer window still left, 0..1, for a progress bar. */
export function fractionLeft(expiresAt: number, offeredAt: number, now: number): number {
  const span = expiresAt - offeredAt;
  if (!(span > 0)) return 0;
  return Math.min(1, Math.max(0, (expiresAt - now) / span));
}

/** "m:ss" since an instant, or "—" when the server has none (0: never logged in). */
export function formatSince(since: number | null | undefined, now: number): string {
  if (!since || since <= 0) return '—';
  return formatDuration(elapsedSeconds(since, now));
}

/** Seconds since `since` (epoch ms). */
export function elapsedSeconds(since: number, now: number): number {
  return Math.max(0, Math.floor((now - since) / 1000));
}

/**
 * A value reported as `baseSeconds` at `receivedAt` that keeps growing while `growing`
 * (longest wait ticks between server updates).
 */
export function tickingSeconds(baseSeconds: number, receivedAt: number, now: number, growing: boolean): number {
  if (!growing) return baseSeconds;
  return baseSeconds + Math.max(0, (now - receivedAt) / 1000);
}

/** 0.8123 -> "81.2%"; null/undefined -> "—". */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(1)}%`;
}

/** Seconds with one decimal below a minute, m:ss above; null -> "—". */
export function formatSecondsStat(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return formatDuration(seconds);
}

/** Reconnect backoff: 0.5 s, 1 s, 2 s, 4 s, 8 s, capped at 10 s. */
export function nextBackoffMs(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.max(0, attempt));
}

/** "14:03:22" in local time for an epoch-ms instant. */
export function formatClock(at: number): string {
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}
