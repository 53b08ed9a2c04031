/**
 * The contract under attack, on both transports: random JSON values as the arguments of every call
 * (and random call names) through createApi(...).handle, with and without an open workspace; then
 * random WebSocket frames (text, binary, JSON with and without the token, frames over 1 MiB) and
 * malformed upgrade requests against the browser host, which must stay up and answer a valid call.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createApi, type Api } from '../../../src/main/api';
import { Services } from '../../../src/main/services';
import { startHost, type RunningHost } from '../../../src/host/server';
import { calls, ContractError } from '../../../src/shared/contract';
import { FUZZ_RUNS, FUZZ_SEED, Tally } from './harness';

const CALLS = Object.keys(calls);
/**
 * Calls that start a worker, write files or open a dialog when their arguments are valid: for them
 * only the validation is fuzzed (valid arguments are counted, not run), so that a random string
 * never becomes a folder written to or a process started.
 */
const SIDE_EFFECTS = new Set([
  'ingestStart',
  'trainStart',
  'exportConfirmed',
  'labelsExport',
  'labelsImport',
  'pickFolder',
]);
const wouldRun = (call: unknown, args: unknown) =>
  typeof call === 'string' &&
  SIDE_EFFECTS.has(call) &&
  calls[call as keyof typeof calls].args.safeParse(args ?? {}).success;

/** A "handled" error: ours, with a message, not a TypeError/RangeError escaping from a bug. */
function isHandled(e: unknown): boolean {
  if (!(e instanceof Error) || !e.message) return false;
  return !(
    e instanceof TypeError ||
    e instanceof RangeError ||
    e instanceof ReferenceError ||
    e instanceof SyntaxError
  );
}

/** Arguments: anything JSON can carry, plus objects shaped like each call's arguments with random values. */
const valueArb = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('', '..', '../../..', '/etc', '\0', 'x'.repeat(5000), -1, 2 ** 53, 1e308, null),
);
const shapedArgs = fc.dictionary(
  fc.constantFrom(
    'dir',
    'create',
    'ids',
    'folder',
    'resumeJobId',
    'jobId',
    'architecture',
    'fromScratch',
    'nights',
    'maxEpochs',
    'version',
    'adopt',
    '__proto__',
    'constructor',
  ),
  fc.oneof(
    valueArb,
    fc.array(fc.oneof(fc.string(), fc.record({ id: fc.string(), label: fc.string() })), { maxLength: 70 }),
  ),
  { maxKeys: 4 },
);
const argsArb = fc.oneof(fc.anything({ maxDepth: 3 }), shapedArgs, fc.constant(undefined));
const callArb = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...CALLS) },
  { weight: 1, arbitrary: fc.oneof(fc.string(), fc.anything()) },
);

async function fuzzApi(api: Api, t: Tally, runs: number) {
  const perCall = new Map<string, number>();
  await fc.assert(
    fc.asyncProperty(callArb, argsArb, async (call, args) => {
      if (wouldRun(call, args)) {
        perCall.set(
          '(valid, side effects: validated, not run)',
          (perCall.get('(valid, side effects: validated, not run)') ?? 0) + 1,
        );
        return;
      }
      // Never let a fuzzed call create folders wherever a random string points.
      if (call === 'workspaceOpen' && args && typeof args === 'object' && 'create' in args)
        (args as { create: unknown }).create = false;
      const name = typeof call === 'string' && CALLS.includes(call) ? call : '(unknown call)';
      perCall.set(name, (perCall.get(name) ?? 0) + 1);
      await t.runAsync(
        name,
        '',
        async () => {
          await api.handle(call, args);
        },
        isHandled,
      );
    }),
    { seed: FUZZ_SEED, numRuns: runs },
  );
  return perCall;
}

describe('contract fuzz', () => {
  const tallies: Tally[] = [];
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'skysift-contractfuzz-'));
  afterAll(() => {
    for (const t of tallies) console.log(t.report(8));
    rmSync(tmp, { recursive: true, force: true });
  });

  it(`api.handle: ${FUZZ_RUNS} random calls and arguments with no workspace open give a result or a handled error`, async () => {
    const t = new Tally('contract api.handle (no workspace)');
    tallies.push(t);
    const services = new Services({ host: 'browser', version: 'fuzz' });
    const perCall = await fuzzApi(createApi(services), t, FUZZ_RUNS);
    t.note(`cases per call: ${[...perCall].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    expect(services.jobs.isBusy()).toBe(false);
  });

  it(`api.handle: ${FUZZ_RUNS} random calls against an open (empty) workspace`, async () => {
    const t = new Tally('contract api.handle (workspace open)');
    tallies.push(t);
    const services = new Services({ host: 'browser', version: 'fuzz' });
    await services.nights.open(path.join(tmp, 'ws'), true);
    const api = createApi(services);
    const perCall = await fuzzApi(api, t, FUZZ_RUNS);
    t.note(`cases per call: ${[...perCall].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    expect(services.jobs.isBusy()).toBe(false);
    // Still working afterwards.
    await expect(api.handle('candidatesList', {})).resolves.toMatchObject({ rows: [] });
    await expect(api.handle('workspaceOpen', { dir: 7 })).rejects.toBeInstanceOf(ContractError);
  });
});

describe('WebSocket and HTTP fuzz against the browser host', () => {
  let host: RunningHost;
  const token = 'fuzz-token-0123456789';
  const tallies: Tally[] = [];
  const base = mkdtempSync(path.join(os.tmpdir(), 'skysift-wsfuzz-'));

  beforeAll(async () => {
    const root = path.join(base, 'renderer');
    mkdirSync(root);
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>Skysift</title>');
    host = await startHost({
      api: createApi(new Services({ host: 'browser', version: 'fuzz' })),
      staticDir: root,
      token,
    });
  });
  afterAll(async () => {
    for (const t of tallies) console.log(t.report(8));
    await host?.close();
    rmSync(base, { recursive: true, force: true });
  });

  const connect = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ws?token=${token}`, { origin: host.origin });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    });
  const roundTrip = (ws: WebSocket, frame: string | Buffer) =>
    new Promise<{ id: number; ok: boolean; error?: string; result?: unknown }>((resolve, reject) => {
      const onClose = (code: number) => reject(new Error(`closed ${code}`));
      ws.once('message', (d) => {
        ws.off('close', onClose);
        resolve(JSON.parse(String(d)));
      });
      ws.once('close', onClose);
      ws.send(frame);
    });

  it(`${FUZZ_RUNS} random frames each get an answer (ok or a clear error) and the host stays up`, async () => {
    const t = new Tally('WebSocket frames');
    tallies.push(t);
    const ws = await connect();
    const frameArb = fc.oneof(
      fc.string({ maxLength: 200 }).map((s) => ({ kind: 'random text', frame: s as string | Buffer })),
      fc
        .uint8Array({ maxLength: 200 })
        .map((b) => ({ kind: 'binary', frame: Buffer.from(b) as string | Buffer })),
      fc.jsonValue({ maxDepth: 3 }).map((v) => ({ kind: 'random JSON', frame: JSON.stringify(v) ?? 'null' })),
      fc
        .record({
          id: fc.oneof(fc.nat(), fc.integer({ min: -5, max: -1 }), fc.string()),
          token: fc.constantFrom(token, 'wrong', '', token + ' '),
          call: callArb,
          args: argsArb,
        })
        .map((f) => {
          if (f.call === 'workspaceOpen' && f.args && typeof f.args === 'object' && 'create' in f.args)
            (f.args as { create: unknown }).create = false;
          // As above: the side effects of valid calls are not what is fuzzed here.
          if (wouldRun(f.call, f.args)) f.args = { notAnArgument: true };
          const frame = JSON.stringify(f);
          return {
            kind: f.token === token ? 'call with token' : 'call with a wrong token',
            frame: frame ?? '{}',
          };
        }),
    );
    await fc.assert(
      fc.asyncProperty(frameArb, async ({ kind, frame }) => {
        await t.runAsync(
          kind,
          '',
          async () => {
            const reply = await roundTrip(ws, frame);
            if (!reply.ok) throw new ContractError('ws', reply.error ?? '(no message)');
            // Only a valid frame with the token may succeed.
            if (kind !== 'call with token') throw new Error(`accepted a ${kind} frame`);
          },
          (e) => e instanceof ContractError && !/\(no message\)/.test(e.message),
        );
      }),
      { seed: FUZZ_SEED, numRuns: FUZZ_RUNS },
    );
    ws.close();
  });

  it('a frame over 1 MiB closes that socket (1009) only; a new one answers a valid call', async () => {
    const ws = await connect();
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => {});
    ws.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
    const again = await connect();
    const reply = await roundTrip(again, JSON.stringify({ id: 1, token, call: 'appInfo', args: {} }));
    expect(reply.ok).toBe(true);
    again.close();
  });

  it('malformed HTTP and upgrade requests (bad URLs, no origin, traversal) never take the host down', async () => {
    const raw = (text: string) =>
      new Promise<string>((resolve) => {
        const s = net.connect(host.port, '127.0.0.1', () => s.write(text));
        let out = '';
        const done = () => s.destroy();
        const timer = setTimeout(done, 1000);
        s.on('data', (d) => {
          out += d;
          if (out.includes('\r\n')) done();
        });
        s.on('close', () => {
          clearTimeout(timer);
          resolve(out.split('\r\n')[0] || '(closed without an answer)');
        });
        s.on('error', () => resolve('(reset)'));
      });
    const upgrade = (target: string, origin = host.origin) =>
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Origin: ${origin}\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    const answers: string[] = [];
    for (const req of [
      upgrade('http://[/ws'),
      upgrade('//evil.example/ws'),
      upgrade('/ws?token=' + token, 'null'),
      upgrade('/ws?token=%ZZ'),
      upgrade('/ws'),
      upgrade('/%2e%2e/%2e%2e/etc/passwd'),
      'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc',
      '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03',
    ])
      answers.push(await raw(req));
    console.log(`[fuzz] host raw requests answered: ${answers.join(' | ')}`);
    for (const a of answers) expect(a).not.toMatch(/^HTTP\/1\.1 (101|200)/);
    const ws = await connect();
    const reply = await roundTrip(ws, JSON.stringify({ id: 2, token, call: 'appInfo', args: {} }));
    expect(reply.ok).toBe(true);
    ws.close();
  });
});
