/**
 * The contract over the browser host's WebSocket. Same interface as Electron's `window.skysift`,
 * so the rest of the renderer cannot tell which host it runs under.
 */
import {
  parseEvent,
  parseResult,
  WsResponseSchema,
  type CallArgs,
  type CallName,
  type CallResult,
  type EventName,
  type EventPayload,
  type SkysiftBridge,
} from '../../../shared/contract';

interface Pending {
  call: CallName;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export function tokenFromLocation(loc: Location): string | null {
  const hash = new URLSearchParams(loc.hash.replace(/^#/, ''));
  return hash.get('token');
}

export function connectWs(url: string, token: string): SkysiftBridge {
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let socket: WebSocket;
  let ready: Promise<void>;

  const open = () => {
    socket = new WebSocket(`${url}?token=${encodeURIComponent(token)}`);
    ready = new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener(
        'error',
        () => reject(new Error('Cannot reach the Skysift host: is it still running?')),
        { once: true },
      );
    });
    socket.addEventListener('message', (ev) => {
      const msg = WsResponseSchema.safeParse(JSON.parse(String(ev.data)));
      if (!msg.success) return;
      const m = msg.data;
      if ('event' in m) {
        const set = listeners.get(m.event);
        if (set) for (const l of set) l(m.payload);
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) {
        try {
          p.resolve(parseResult(p.call, m.result));
        } catch (e) {
          p.reject(e as Error);
        }
      } else p.reject(new Error(m.error));
    });
    socket.addEventListener('close', () => {
      for (const p of pending.values()) p.reject(new Error('Connection to the Skysift host closed'));
      pending.clear();
    });
  };
  open();

  return {
    async invoke<N extends CallName>(call: N, args: CallArgs<N>): Promise<CallResult<N>> {
      if (socket.readyState === WebSocket.CLOSED) open();
      await ready;
      const id = nextId++;
      return new Promise<CallResult<N>>((resolve, reject) => {
        pending.set(id, { call, resolve: resolve as (v: unknown) => void, reject });
        socket.send(JSON.stringify({ id, token, call, args }));
      });
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
      const wrapped = (p: unknown) => listener(parseEvent(event, p));
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(wrapped);
      return () => listeners.get(event)?.delete(wrapped);
    },
  };
}
