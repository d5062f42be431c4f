import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, errorText, request, setCsrfToken, setUnauthenticatedHandler } from './api';

function stubFetch(res: Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return res.clone();
  });
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
  setUnauthenticatedHandler(null);
});

describe('request', () => {
  it('sends the CSRF token on unsafe methods only', async () => {
    setCsrfToken('tok');
    const calls = stubFetch(new Response('{"id":1}', { status: 201, headers: { 'Content-Type': 'application/json' } }));
    expect(await request('POST', '/api/v1/skills', { name: 'x' })).toEqual({ id: 1 });
    await request('GET', '/api/v1/skills');
    const h0 = calls[0].init.headers as Record<string, string>;
    const h1 = calls[1].init.headers as Record<string, string>;
    expect(h0['X-CSRF-Token']).toBe('tok');
    expect(h0['Content-Type']).toBe('application/json');
    expect(calls[0].init.body).toBe('{"name":"x"}');
    expect(h1['X-CSRF-Token']).toBeUndefined();
  });

  it('turns problem+json into an ApiError with its fields', async () => {
    stubFetch(
      new Response(JSON.stringify({ status: 400, title: 'Invalid request', detail: 'name: must not be empty', errors: [{ field: 'name', message: 'must not be empty' }] }), {
        status: 400,
        headers: { 'Content-Type': 'application/problem+json' },
      }),
    );
    const err = (await request('POST', '/api/v1/skills', {}).catch((e) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(400);
    expect(err.problem.errors).toEqual([{ field: 'name', message: 'must not be empty' }]);
    expect(errorText(err)).toBe('name: must not be empty');
  });

  it('keeps a non-JSON error body as the detail', async () => {
    stubFetch(new Response('upstream exploded', { status: 502, statusText: 'Bad Gateway' }));
    const err = (await request('GET', '/api/v1/me').catch((e) => e)) as ApiError;
    expect(err.status).toBe(502);
    expect(errorText(err)).toBe('upstream exploded');
  });

  it('reports an expired session once, unless asked to stay quiet', async () => {
    const onExpired = vi.fn();
    setUnauthenticatedHandler(onExpired);
    stubFetch(new Response('{"status":401,"detail":"log in again"}', { status: 401 }));
    await request('GET', '/api/v1/me').catch(() => undefined);
    expect(onExpired).toHaveBeenCalledTimes(1);
    await request('GET', '/api/v1/auth/me', undefined, { quiet401: true }).catch(() => undefined);
    expect(onExpired).toHaveBeenCalledTimes(1);
  });

  it('answers undefined for 204', async () => {
    stubFetch(new Response(null, { status: 204 }));
    expect(await request('POST', '/api/v1/auth/logout', {})).toBeUndefined();
  });
});
