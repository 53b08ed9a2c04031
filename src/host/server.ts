/**
 * The browser host: the built renderer over HTTP and the contract over a WebSocket, bound to
 * 127.0.0.1 only. Every call must carry the per-launch token; WebSocket upgrades from another
 * origin are refused; static files never come from outside the build folder.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { WsRequestSchema, type WsResponse } from '../shared/contract';
import { CONTENT_SECURITY_POLICY } from '../shared/security';
import type { Api } from '../main/api';
import { contentType, resolveStatic } from './staticFiles';

export interface HostOptions {
  api: Api;
  staticDir: string;
  port?: number;
  /** Fixed token for tests; a random 32-byte one otherwise. */
  token?: string;
}

export interface RunningHost {
  url: string;
  origin: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Largest frame we accept: calls are small; anything bigger is not ours. */
const MAX_FRAME_BYTES = 1 << 20;

function tokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startHost(opts: HostOptions): Promise<RunningHost> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  let origin = '';

  const server = createServer((req, res) =>
    // A failure while serving (e.g. the file vanished between the check and the read) is a 500,
    // never an unhandled rejection that would end the host process.
    serveStatic(opts.staticDir, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end();
    }),
  );
  server.on('clientError', (_err, socket) => socket.destroy());
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  server.on('upgrade', (req, socket, head) => {
    const refuse = (code: number, why: string) => {
      socket.write(`HTTP/1.1 ${code} ${why}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    // A socket error (client gone mid-handshake) must not become an uncaught exception.
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      // `new URL` throws on targets like "http://[/ws": uncaught, that took the whole host down.
      url = new URL(req.url ?? '/', origin);
    } catch {
      return refuse(400, 'Bad Request');
    }
    if (url.pathname !== '/ws') return refuse(404, 'Not Found');
    if (req.headers.origin !== origin) return refuse(403, 'Forbidden origin');
    if (!tokenMatches(token, url.searchParams.get('token'))) return refuse(401, 'Token required');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const clients = new Set<WebSocket>();
  const unsubscribe = opts.api.onEvent((event, payload) => {
    const frame = JSON.stringify({ event, payload } satisfies WsResponse);
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.send(frame);
  });

  wss.on('connection', (ws: WebSocket) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    // ws emits 'error' for a frame over maxPayload (and other protocol errors) and then closes the
    // socket (1009 etc.); without a listener that error was uncaught and killed the host.
    ws.on('error', () => clients.delete(ws));
    ws.on('message', async (data) => {
      let id = -1;
      const reply = (msg: WsResponse) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(msg));
      try {
        let raw: unknown;
        try {
          raw = JSON.parse(data.toString());
        } catch {
          throw new Error('Invalid message: not JSON');
        }
        const frame = WsRequestSchema.safeParse(raw);
        if (!frame.success)
          throw new Error(
            `Invalid message: expected {id, token, call, args} (${frame.error.issues[0]?.message})`,
          );
        id = frame.data.id;
        if (!tokenMatches(token, frame.data.token)) throw new Error('Refused: missing or wrong token');
        const result = await opts.api.handle(frame.data.call, frame.data.args);
        reply({ id, ok: true, result });
      } catch (e) {
        reply({ id, ok: false, error: (e as Error).message });
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: `${origin}/#token=${token}`,
    origin,
    port,
    token,
    async close() {
      unsubscribe();
      for (const ws of clients) ws.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const headers = {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cache-Control': 'no-store',
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { ...headers, Allow: 'GET, HEAD' }).end();
    return;
  }
  const file = await resolveStatic(root, req.url ?? '/');
  if (!file) {
    res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('Not found');
    return;
  }
  const body = await fs.readFile(file);
  res.writeHead(200, { ...headers, 'Content-Type': contentType(file), 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}
