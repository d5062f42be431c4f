import { describe, expect, it } from 'vitest';
import { wsUrl } from './ws';

describe('wsUrl', () => {
  it('uses ws on http and wss on https, same host', () => {
    expect(wsUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/api/v1/ws');
    expect(wsUrl({ protocol: 'https:', host: 'cc.example' })).toBe('wss://cc.example/api/v1/ws');
  });
});
