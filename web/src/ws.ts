import { nextBackoffMs } from './logic/time';

// WebSocket client for /api/v1/ws: subscribes to one channel, reconnects with backoff.

export type WsStatus = 'connecting' | 'open' | 'closed';

export interface LiveSocket {
  close(): void;
}

export interface LiveOptions {
  channel: 'agent' | 'supervisor';
  onMessage: (msg: { type: string; [k: string]: unknown }) => void;
  onStatus: (status: WsStatus) => void;
  /** Called after every (re)subscription so the page can reload the full state over REST. */
  onSubscribed?: () => void;
}

type LiveMessage = { type: string; [k: string]: unknown };

/**
 * The messages one frame carries, in order: the agent channel sends what one push round has for
 * an agent (an offer and the agent's state, say) as `{"type": "batch", "messages": [...]}`.
 */
export function unbatch(msg: LiveMessage): LiveMessage[] {
  if (msg.type !== 'batch') return [msg];
  if (!Array.isArray(msg.messages)) return [];
  return msg.messages.filter(
    (m): m is LiveMessage => !!m && typeof m === 'object' && typeof (m as LiveMessage).type === 'string',
  );
}

export function wsUrl(loc: { protocol: string; host: string }): string {
  return `${loc.protocol === 'https:' ? 'wss' : 'ws'}://${loc.host}/api/v1/ws`;
}

export function connectLive(opts: LiveOptions): LiveSocket {
  let ws: WebSocket | null = null;
  let stopped = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const open = () => {
    if (stopped) return;
    opts.onStatus('connecting');
    const sock = new WebSocket(wsUrl(location));
    ws = sock;
    sock.onopen = () => {
      sock.send(JSON.stringify({ type: 'subscribe', channel: opts.channel }));
    };
    sock.onmessage = (ev) => {
      let msg: { type: string; [k: string]: unknown };
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      for (const m of unbatch(msg)) {
        if (m.type === 'subscribed') {
          attempt = 0;
          opts.onStatus('open');
          opts.onSubscribed?.();
        }
        opts.onMessage(m);
      }
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = null;
      opts.onStatus('closed');
      if (stopped) return;
      timer = setTimeout(open, nextBackoffMs(attempt++));
    };
    sock.onerror = () => {
      // onclose follows and schedules the reconnect.
    };
  };

  open();
  return {
    close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const s = ws;
      ws = null;
      s?.close();
    },
  };
}
