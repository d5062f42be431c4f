import { describe, expect, it } from 'vitest';
import { unbatch, wsUrl } from './ws';

describe('wsUrl', () => {
  it('uses ws on http and wss on https, same host', () => {
    expect(wsUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/api/v1/ws');
    expect(wsUrl({ protocol: 'https:', host: 'cc.example' })).toBe('wss://cc.example/api/v1/ws');
  });
});

describe('unbatch', () => {
  it('passes a plain message through', () => {
    const msg = { type: 'state', agent: { agent: 3 } };
    expect(unbatch(msg)).toEqual([msg]);
  });

  it('opens a batch into its messages, in order', () => {
    const offer = { type: 'offer', contact: { id: 7 }, expires_at: 1000 };
    const state = { type: 'state', agent: { agent: 3 } };
    expect(unbatch({ type: 'batch', messages: [offer, state] })).toEqual([offer, state]);
  });

  it('drops what is not a message and a batch without a list', () => {
    const state = { type: 'state', agent: { agent: 3 } };
    expect(unbatch({ type: 'batch', messages: [null, 5, { no: 'type' }, state] })).toEqual([state]);
    expect(unbatch({ type: 'batch' })).toEqual([]);
  });
});
