import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApi } from '../../../src/main/api';
import { Services } from '../../../src/main/services';
import { startHost, type RunningHost } from '../../../src/host/server';

function get(url: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    // Raw path: no client-side normalisation of `..`, so the server sees what an attacker sends.
    const u = new URL(url);
    const rawPath = url.slice(u.origin.length);
    const req = request({ host: u.hostname, port: u.port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function connect(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, frame: unknown): Promise<{ ok: boolean; result?: unknown; error?: string }> {
  return new Promise((resolve) => {
    ws.once('message', (d) => resolve(JSON.parse(String(d))));
    ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  });
}

describe('the browser host', () => {
  let host: RunningHost;
  let root: string;
  const token = 'test-token-0123456789';

  beforeAll(async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'skysift-host-'));
    root = path.join(base, 'renderer');
    mkdirSync(root);
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Skysift</title>');
    writeFileSync(path.join(base, 'secret.txt'), 'outside the build folder');
    symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'link.txt'));
    host = await startHost({
      api: createApi(new Services({ host: 'browser', version: 't' })),
      staticDir: root,
      token,
    });
  });
  afterAll(async () => host?.close());

  it('binds to 127.0.0.1 and serves the renderer with a strict CSP', async () => {
    expect(host.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await get(`${host.origin}/`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('Skysift');
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
  });

  it('never serves a file outside the build folder', async () => {
    for (const p of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/link.txt',
      '/%00index.html',
      '/nope.js',
    ]) {
      const res = await get(`${host.origin}${p}`);
      expect(res.status, p).toBe(404);
      expect(res.body).not.toContain('outside the build folder');
    }
  });

  it('refuses a WebSocket without the token, with a wrong token, or from another origin', async () => {
    await expect(connect(`ws://127.0.0.1:${host.port}/ws`, host.origin)).rejects.toThrow(/401/);
    await expect(connect(`ws://127.0.0.1:${host.port}/ws?token=wrong`, host.origin)).rejects.toThrow(/401/);
    await expect(
      connect(`ws://127.0.0.1:${host.port}/ws?token=${token}`, 'http://evil.example'),
    ).rejects.toThrow(/403/);
  });

  it('refuses a call whose frame lacks the token, even on an open socket', async () => {
    const ws = await connect(`ws://127.0.0.1:${host.port}/ws?token=${token}`, host.origin);
    const reply = await call(ws, { id: 1, token: 'nope', call: 'appInfo', args: {} });
    expect(reply).toMatchObject({ ok: false });
    expect(reply.error).toMatch(/token/);
    const noToken = await call(ws, { id: 2, call: 'appInfo', args: {} });
    expect(noToken.ok).toBe(false);
    ws.close();
  });

  it('answers a valid call and rejects a wrong message with the schema error', async () => {
    const ws = await connect(`ws://127.0.0.1:${host.port}/ws?token=${token}`, host.origin);
    const ok = await call(ws, { id: 1, token, call: 'appInfo', args: {} });
    expect(ok).toMatchObject({ ok: true, result: { host: 'browser' } });
    const bad = await call(ws, { id: 2, token, call: 'workspaceOpen', args: { dir: 7 } });
    expect(bad.ok).toBe(false);
    expect(bad.error).toMatch(/Invalid message for "workspaceOpen".*dir/s);
    const garbage = await call(ws, 'not json{');
    expect(garbage.error).toMatch(/not JSON/);
    ws.close();
  });
});
