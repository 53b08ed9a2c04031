/**
 * The scoring pipeline: batches in catalog order through a bounded window, the same scores and
 * order as one stamp at a time, on this thread and on real decoder threads (decodeWorker.ts
 * bundled here with rolldown, which ships with vite, since vitest cannot start a TS worker), and the
 * workspace's rows cache: written on the first scoring, read on the next, rebuilt when the catalog
 * part changes or the file is damaged, never a wrong score.
 */
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { generateNight } from '../../../src/main/worker/demo/generator';
import { COMPACT_SPEC } from '../../../src/main/worker/model/architectures';
import { preprocessInto, stampInputLength } from '../../../src/main/worker/model/preprocess';
import { partBudgetBytes, rowsCacheDir } from '../../../src/main/worker/model/scoreCache';
import { runOrdered, scoreWorkspace, type ScoreOptions } from '../../../src/main/worker/model/scoring';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { nightScale } from '../../../src/main/worker/model/seeing';
import type { NightScale } from '../../../src/main/worker/model/injection/transform';
import { rowHasher } from '../helpers/rowHash';

const ROW = stampInputLength(COMPACT_SPEC);
const rowHash = rowHasher(ROW);
const noModel = null as unknown as tfl.LayersModel;

/** The sequential reference: one stamp at a time, catalog order, as scoring worked before. */
async function sequential(ws: Workspace, ids?: string[], scale = zoom): Promise<[string, number][]> {
  const out: [string, number][] = [];
  const row = new Float32Array(ROW);
  for await (const { entry, triplet } of ws.iterateTriplets(ids)) {
    preprocessInto(COMPACT_SPEC, triplet, row, 0, scale);
    out.push([entry.id, (await rowHash(row, 1))[0]]);
  }
  return out;
}

let ws: Workspace;
let worker: string;
/** The demo night's resampling (seeing.ts: DECam-like pixels, ~0.5): every path must apply it alike. */
let zoom: NightScale;

beforeAll(async () => {
  const base = mkdtempSync(path.join(os.tmpdir(), 'skysift-scorepipe-'));
  await generateNight({ out: path.join(base, 'stamps'), n: 70, seed: 11 });
  ws = await Workspace.open(path.join(base, 'ws'), { create: true, simulated: true });
  // Three catalog parts (30, 30, 10): batches must not cross them, order must still be the catalog's.
  await runIngest(ws, path.join(base, 'stamps'), { chunkSize: 30, decoder: null });
  zoom = await nightScale(ws, COMPACT_SPEC);
  const { build } = await import('rolldown');
  worker = path.join(base, 'decodeWorker.cjs');
  await build({
    input: path.resolve(__dirname, '../../../src/main/worker/ingest/decodeWorker.ts'),
    platform: 'node',
    logLevel: 'warn',
    output: { file: worker, format: 'cjs' },
  });
}, 120_000);

async function score(opts: ScoreOptions = {}) {
  const logs: string[] = [];
  const r = await scoreWorkspace(ws, noModel, COMPACT_SPEC, {
    predict: rowHash,
    batchSize: 8,
    decoder: null,
    log: (l) => logs.push(l),
    ...opts,
  });
  return { ...r, logs, pairs: [...r.scores] };
}

describe('runOrdered', () => {
  it('keeps at most `ahead` jobs started and not consumed, and consumes in order', async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    const done = await runOrdered([...Array(40).keys()], {
      ahead: 3,
      start: async (j) => {
        inFlight++;
        most = Math.max(most, inFlight);
        // Later jobs finish first: order must come from the queue, not from completion.
        await new Promise((r) => setTimeout(r, (40 - j) % 5));
        return j * 10;
      },
      consume: async (r, j) => {
        inFlight--;
        expect(r).toBe(j * 10);
        seen.push(j);
        await new Promise((r) => setImmediate(r));
      },
    });
    expect(done).toBe(true);
    expect(most).toBe(3);
    expect(seen).toEqual([...Array(40).keys()]);
  });

  it("with refill 'when-empty', starts jobs in groups only once every started one is consumed", async () => {
    const events: string[] = [];
    await runOrdered([0, 1, 2, 3, 4], {
      ahead: 2,
      refill: 'when-empty',
      start: async (j) => {
        events.push(`start ${j}`);
        return j;
      },
      consume: async (j) => {
        events.push(`consume ${j}`);
        await new Promise((r) => setImmediate(r));
        events.push(`consumed ${j}`);
      },
    });
    expect(events).toEqual([
      'start 0',
      'start 1',
      'consume 0',
      'consumed 0',
      'consume 1',
      'consumed 1',
      'start 2',
      'start 3',
      'consume 2',
      'consumed 2',
      'consume 3',
      'consumed 3',
      'start 4',
      'consume 4',
      'consumed 4',
    ]);
  });

  it('stops at a cancel and rejects a window of 0', async () => {
    const abort = new AbortController();
    const seen: number[] = [];
    const done = await runOrdered([1, 2, 3, 4, 5], {
      ahead: 2,
      start: async (j) => j,
      consume: (j) => {
        seen.push(j);
        if (j === 2) abort.abort();
      },
      signal: abort.signal,
    });
    expect(done).toBe(false);
    expect(seen).toEqual([1, 2]);
    await expect(runOrdered([1], { ahead: 0, start: async (j) => j, consume: () => {} })).rejects.toThrow(
      /ahead/,
    );
  });

  it('passes a job failure on', async () => {
    await expect(
      runOrdered([1, 2, 3], {
        ahead: 2,
        start: async (j) => {
          if (j === 2) throw new Error('part 2 is damaged');
          return j;
        },
        consume: () => {},
      }),
    ).rejects.toThrow('part 2 is damaged');
  });
});

describe('scoreWorkspace pipeline', () => {
  it('gives the sequential scores in the sequential order, on this thread and on decoder threads', async () => {
    const want = await sequential(ws);
    expect(want).toHaveLength(70);
    const here = await score({ cache: false });
    expect(here.pairs).toEqual(want);
    expect(here.stats).toEqual({ cachedRows: 0, computedRows: 70, threads: 0 });
    const threaded = await score({ cache: false, decoder: worker, threads: 2, ahead: 3 });
    expect(threaded.stats.threads).toBe(2);
    expect(threaded.pairs).toEqual(want);
    // A subset, given out of order, comes back in catalog order.
    const ids = ws.list().map((e) => e.id);
    const subset = [ids[65], ids[3], ids[40], ids[41], ids[12]];
    const some = await score({ cache: false, ids: subset, decoder: worker, threads: 1 });
    expect(some.pairs).toEqual(await sequential(ws, subset));
  }, 60_000);

  it("applies a night's template blur alike on this thread, on decoder threads and in its own cache", async () => {
    const blurred: NightScale = { ...zoom, templateBlur: 1.1 };
    const want = await sequential(ws, undefined, blurred);
    expect(want).not.toEqual(await sequential(ws));
    expect((await score({ cache: false, scale: blurred })).pairs).toEqual(want);
    const threaded = await score({ cache: false, scale: blurred, decoder: worker, threads: 2 });
    expect(threaded.pairs).toEqual(want);
    const dir = rowsCacheDir(ws.dir, COMPACT_SPEC, blurred);
    expect(dir).not.toBe(rowsCacheDir(ws.dir, COMPACT_SPEC, zoom));
    expect(path.basename(dir)).toMatch(/-tblur1\.1$/);
    try {
      await score({ scale: blurred });
      const again = await score({ scale: blurred });
      expect(again.stats.cachedRows).toBe(70);
      expect(again.pairs).toEqual(want);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('names the part file when a packed record is damaged, on either path', async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'skysift-scorepipe-bad-'));
    await generateNight({ out: path.join(base, 'stamps'), n: 6, seed: 2 });
    const bad = await Workspace.open(path.join(base, 'ws'), { create: true, simulated: true });
    await runIngest(bad, path.join(base, 'stamps'), { decoder: null });
    const bin = path.join(bad.dir, 'stamps', readdirSync(path.join(bad.dir, 'stamps'))[0]);
    const bytes = readFileSync(bin);
    bytes.write('JUNK', bad.list()[2].stamp.offset);
    writeFileSync(bin, bytes);
    for (const decoder of [null, worker]) {
      await expect(
        scoreWorkspace(bad, noModel, COMPACT_SPEC, { predict: rowHash, decoder, threads: 1, cache: false }),
      ).rejects.toThrow(/part-000001\.bin: record at byte \d+: not a packed stamp record/);
    }
  }, 60_000);
});

describe('rows cache', () => {
  const files = () => readdirSync(rowsCacheDir(ws.dir, COMPACT_SPEC, zoom)).sort();

  it('is written on the first scoring and read on the next, with the same scores', async () => {
    const want = await sequential(ws);
    const first = await score();
    expect(first.stats).toMatchObject({ cachedRows: 0, computedRows: 70 });
    expect(files()).toEqual(['part-000001.rows', 'part-000002.rows', 'part-000003.rows']);
    const again = await score({ decoder: worker, threads: 2 });
    expect(again.stats).toMatchObject({ cachedRows: 70, computedRows: 0 });
    expect(again.pairs).toEqual(want);
    expect(again.logs).toEqual([]);
    // Partial parts are read from a valid cache but never written.
    const ids = ws.list().map((e) => e.id);
    const some = await score({ ids: [ids[1], ids[2]] });
    expect(some.stats).toMatchObject({ cachedRows: 0, computedRows: 2 });
    expect(some.pairs).toEqual(await sequential(ws, [ids[1], ids[2]]));
  });

  it('rebuilds a part whose catalog part changed', async () => {
    await score();
    const bin = path.join(ws.dir, 'stamps', 'part-000002.bin');
    const t = statSync(bin).mtime;
    utimesSync(bin, t, new Date(t.getTime() + 5000));
    const r = await score();
    expect(r.logs).toEqual([expect.stringMatching(/part-000002\.rows: out of date .*; rebuilding it/)]);
    expect(r.stats).toMatchObject({ cachedRows: 40, computedRows: 30 });
    expect(r.pairs).toEqual(await sequential(ws));
    expect((await score()).stats.cachedRows).toBe(70);
  });

  it('rebuilds a part written by an older cache format', async () => {
    await score();
    const f = path.join(rowsCacheDir(ws.dir, COMPACT_SPEC, zoom), 'part-000003.rows');
    const b = readFileSync(f);
    b.writeUInt32LE(1, 4); // format 1: every row stored whole, no row index
    writeFileSync(f, b);
    const r = await score();
    expect(r.logs).toEqual([
      expect.stringMatching(/part-000003\.rows: out of date \(written by cache format 1\); rebuilding it/),
    ]);
    expect(r.stats).toMatchObject({ cachedRows: 60, computedRows: 10 });
    expect(r.pairs).toEqual(await sequential(ws));
  });

  it('rebuilds a damaged part (flipped bit, truncation, garbage) with a log line, never a crash', async () => {
    const want = await sequential(ws);
    const damage: [string, (f: string) => void, RegExp][] = [
      [
        'flipped bit',
        (f) => {
          const b = readFileSync(f);
          b[b.length - 7] ^= 0x10;
          writeFileSync(f, b);
        },
        /damaged \(checksum mismatch\)/,
      ],
      [
        'truncated',
        (f) => truncateSync(f, statSync(f).size - 100),
        /damaged \(\d+ bytes where \d+ were expected/,
      ],
      ['garbage', (f) => writeFileSync(f, 'not a cache'), /damaged \(not a rows cache file/],
    ];
    for (const [, hurt, why] of damage) {
      await score();
      hurt(path.join(rowsCacheDir(ws.dir, COMPACT_SPEC, zoom), 'part-000001.rows'));
      const r = await score({ decoder: worker, threads: 1 });
      expect(r.logs).toEqual([expect.stringMatching(why)]);
      expect(r.stats).toMatchObject({ cachedRows: 40, computedRows: 30 });
      expect(r.pairs).toEqual(want);
      const healed = await score();
      expect(healed.stats.cachedRows).toBe(70);
      expect(healed.logs).toEqual([]);
    }
  }, 60_000);

  it('removes the files of parts the night no longer holds, and only those', async () => {
    await score();
    const dir = rowsCacheDir(ws.dir, COMPACT_SPEC, zoom);
    // As if part 7 had been in the night once: a valid-looking file of a part that is gone.
    copyFileSync(path.join(dir, 'part-000003.rows'), path.join(dir, 'part-000007.rows'));
    writeFileSync(path.join(dir, 'notes.txt'), 'not ours to remove');
    const r = await score();
    expect(r.logs).toEqual([
      expect.stringMatching(/removed 1 file\(s\) of catalog parts no longer in the night/),
    ]);
    expect(r.stats).toMatchObject({ cachedRows: 70, computedRows: 0 });
    expect(files()).toEqual(['notes.txt', 'part-000001.rows', 'part-000002.rows', 'part-000003.rows']);
    rmSync(path.join(dir, 'notes.txt'));
  });

  it('scores on, with a log line, where the cache cannot be written', async () => {
    const other = { ...COMPACT_SPEC, inputSize: [45, 45] as [number, number] };
    // A file where the cache folder should be: nothing under it can be created.
    writeFileSync(rowsCacheDir(ws.dir, other, zoom), 'in the way');
    const logs: string[] = [];
    const r = await scoreWorkspace(ws, noModel, other, {
      predict: async (_b, n) => new Float32Array(n).fill(0.5),
      decoder: null,
      log: (l) => logs.push(l),
    });
    expect(r.scores.size).toBe(70);
    expect(r.stats).toMatchObject({ cachedRows: 0, computedRows: 70 });
    expect(logs[0]).toMatch(/score cache .*rows-standard-45x45.*(ENOTDIR|not a directory)/);
    expect(logs.filter((l) => /part-00000\d\.rows: not written/.test(l))).toHaveLength(3);
  });

  it('stops writing past its budget, counts what written parts take, and says so once', async () => {
    const other = { ...COMPACT_SPEC, inputSize: [41, 41] as [number, number] };
    // Room for the first part (30 rows) as if its rows had no zero border. Written, it takes less
    // (this night is resampled): the third part (10 rows) fits in what is left, the second (30) not.
    const maxBytes = partBudgetBytes(other, 30);
    const logs: string[] = [];
    const run = () =>
      scoreWorkspace(ws, noModel, other, {
        predict: async (_b, n) => new Float32Array(n),
        decoder: null,
        cache: { maxBytes },
        log: (l) => logs.push(l),
      });
    const r = await run();
    expect(r.scores.size).toBe(70);
    const dir = rowsCacheDir(ws.dir, other, zoom);
    expect(readdirSync(dir).sort()).toEqual(['part-000001.rows', 'part-000003.rows']);
    const used = readdirSync(dir).reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);
    expect(used).toBeLessThanOrEqual(maxBytes);
    logs.length = 0;
    const r2 = await run();
    expect(r2.stats).toMatchObject({ cachedRows: 40, computedRows: 30 });
    expect(logs).toEqual([
      expect.stringMatching(/over its .* GiB budget; further parts are scored without caching/),
    ]);
  });
});
