/**
 * Ingest and the stamp cache against a plain read of the same bytes (the I/O ceiling: what
 * fs.readFile alone achieves on these files, page cache as warm as for the measured run).
 */
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import v8 from 'node:v8';
import vm from 'node:vm';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../src/main/catalog/workspace';
import { COMPACT_SPEC } from '../src/main/worker/model/architectures';
import { preprocessBatch, preprocessInto, stampInputLength } from '../src/main/worker/model/preprocess';
import { computeRows, type RowsJob } from '../src/main/worker/model/scoreRows';
import { decodeTriplet } from '../src/main/catalog/stampPack';
import { StampCache, cacheKey } from '../src/main/worker/model/training/stampCache';
import { medianMadInPlace, medianMadRadix } from '../src/shared/robust';
import type { StampTriplet } from '../src/shared/stamp';
import { DECODER_FILE } from '../src/main/worker/ingest/decodePool';
import { runIngest } from '../src/main/worker/ingest/ingest';
import {
  BENCH_N,
  Rows,
  bestTime,
  benchNight,
  benchWorkspace,
  envInt,
  nightFiles,
  now,
  plainRead,
} from './lib';
import type { NewCandidate } from '../src/main/catalog/workspace';

const rows = new Rows('data');
afterAll(() => rows.write({ n: BENCH_N }));

describe('ingest and stamp cache', () => {
  it(`ingest: triplets/s for ${BENCH_N} DES-layout triplets vs a plain read`, async () => {
    const night = await benchNight();
    const files = await nightFiles(night);
    expect(files.length).toBe(3 * BENCH_N);
    const bytes = await plainRead(files);
    // The app ingests with the bundle's decoder threads; vitest runs the TS sources, which decode
    // in-process unless pointed at a build (`npx electron-vite build` first for the threaded row).
    const decoder = path.join(__dirname, '..', 'out', 'main', DECODER_FILE);
    const modes: [string, string | null][] = existsSync(decoder)
      ? [
          ['ingest (DES autoscan folders, decoder threads)', decoder],
          ['ingest (DES autoscan folders, in-process)', null],
        ]
      : [['ingest (DES autoscan folders, in-process: no out/main build)', null]];
    for (const [figure, dec] of modes) {
      // Best of 2 ingests into fresh workspaces, as the ceiling is best of 2 reads: the machine is
      // shared, and the first run after generating the night also pays for the night's own writeback.
      let secs = Infinity;
      for (let run = 0; run < 2; run++) {
        const ws = await Workspace.open(mkdtempSync(path.join(os.tmpdir(), 'skysift-bench-ingest-')), {
          create: true,
        });
        const t0 = now();
        const report = await runIngest(ws, night.out, { decoder: dec });
        secs = Math.min(secs, now() - t0);
        expect(report.added).toBe(BENCH_N);
        rmSync(ws.dir, { recursive: true, force: true });
      }
      // The ceiling right after each mode (best of 2): the machine is shared, load comes and goes.
      const readSecs = await bestTime(() => plainRead(files), 2, 0);
      const plainRate = BENCH_N / readSecs;
      rows.add({
        figure,
        rate: BENCH_N / secs,
        unit: 'triplets/s',
        reference: plainRate,
        refUnit: 'triplets/s',
        refLabel: `plain fs.readFile (${(bytes / readSecs / 1e6).toFixed(0)} MB/s)`,
        ratio: BENCH_N / secs / plainRate,
        note: 'best of 2 ingests',
      });
    }
  });

  it('stamp cache: build and read rates vs a plain read', async () => {
    const ws = await benchWorkspace();
    const night = await benchNight();
    const files = await nightFiles(night);
    const readSecs = await bestTime(() => plainRead(files), 2, 1);
    const ids = ws.list().map((e) => e.id);
    // Build from scratch.
    rmSync(path.join(ws.dir, 'cache', `${cacheKey(COMPACT_SPEC)}.f32`), { force: true });
    rmSync(path.join(ws.dir, 'cache', `${cacheKey(COMPACT_SPEC)}.json`), { force: true });
    const cache = new StampCache(ws, COMPACT_SPEC);
    const t0 = now();
    await cache.ensure(ids);
    const buildSecs = now() - t0;
    const rowBytes = cache.rowLength * 4;
    rows.add({
      figure: 'stamp cache build (decode + preprocess + write)',
      rate: ids.length / buildSecs,
      unit: 'rows/s',
      reference: ids.length / readSecs,
      refUnit: 'triplets/s',
      refLabel: 'plain read of the stamps',
      ratio: readSecs / buildSecs,
      note: `${((ids.length * rowBytes) / buildSecs / 1e6).toFixed(1)} MB/s written`,
    });

    // Read: shuffled batches of 64, as training does, vs one sequential read of the whole file.
    const file = path.join(ws.dir, 'cache', `${cacheKey(COMPACT_SPEC)}.f32`);
    const size = statSync(file).size;
    // Ceiling: one sequential pass over the file in 1 MB reads into a reused buffer.
    const chunk = Buffer.alloc(1 << 20);
    const seqSecs = await bestTime(
      () => {
        const fd = openSync(file, 'r');
        try {
          for (let pos = 0; pos < size; pos += chunk.length) readSync(fd, chunk, 0, chunk.length, pos);
        } finally {
          closeSync(fd);
        }
      },
      3,
      1,
    );
    const shuffled = [...ids].sort(() => Math.random() - 0.5);
    const batch = 64;
    const out = new Float32Array(batch * cache.rowLength);
    const readAll = () => {
      for (let i = 0; i < shuffled.length; i += batch) cache.read(shuffled.slice(i, i + batch), out);
    };
    const cacheSecs = await bestTime(readAll, 3, 1);
    const mbs = (ids.length * rowBytes) / cacheSecs / 1e6;
    const seqMbs = size / seqSecs / 1e6;
    rows.add({
      figure: 'stamp cache read (shuffled batches of 64)',
      rate: mbs,
      unit: 'MB/s',
      reference: seqMbs,
      refUnit: 'MB/s',
      refLabel: 'sequential 1 MB reads of the cache',
      ratio: mbs / seqMbs,
      note: `${(ids.length / cacheSecs).toFixed(0)} rows/s`,
    });
  });

  it('preprocessing: stamps/s, records to rows vs decoded triplets, and the median/MAD routes', async () => {
    const ws = await benchWorkspace();
    const triplets: StampTriplet[] = [];
    for await (const { triplet } of ws.iterateTriplets()) triplets.push(triplet);
    const out = new Float32Array(triplets.length * stampInputLength(COMPACT_SPEC));
    const prepSecs = await bestTime(() => preprocessBatch(COMPACT_SPEC, triplets, out), 3, 1);
    // Scoring's unit of work: runs of 256 stored records read, viewed and preprocessed into rows
    // (computeRows), against the same records decoded into fresh triplets and preprocessed.
    const runs: RowsJob[] = [];
    for (const { part, refs } of ws.stampRefsByPart()) {
      const file = path.join(ws.dir, 'stamps', `part-${String(part).padStart(6, '0')}.bin`);
      for (let k = 0; k < refs.length; k += 256)
        runs.push({
          file,
          spec: COMPACT_SPEC,
          spans: refs.slice(k, k + 256).map((e) => [e.stamp.offset, e.stamp.length]),
        });
    }
    const rowsOut = new Float32Array(256 * stampInputLength(COMPACT_SPEC));
    const recordSecs = await bestTime(() => runs.forEach((job) => computeRows(job, rowsOut)), 3, 1);
    const decodedSecs = await bestTime(
      () =>
        runs.forEach((job) => {
          const start = job.spans[0][0];
          const last = job.spans[job.spans.length - 1];
          const bytes = Buffer.alloc(last[0] + last[1] - start);
          const fd = openSync(job.file, 'r');
          readSync(fd, bytes, 0, bytes.length, start);
          closeSync(fd);
          job.spans.forEach(([o, l], i) =>
            preprocessInto(COMPACT_SPEC, decodeTriplet(bytes.subarray(o - start, o - start + l)), rowsOut, i),
          );
        }),
      3,
      1,
    );
    // The same images' valid pixels, median and MAD each: float32 takes the bucket route, the radix
    // route is its fallback, a float64 copy the quickselect (all exact, same order statistics).
    const images = triplets.flatMap((t) => [t.search, t.template, t.difference]).filter((i) => i !== null);
    const pixels = images.map((img) => Float32Array.from(img.data.filter((_, i) => img.mask[i])));
    const f32 = pixels.map((p) => new Float32Array(p.length));
    const f64 = pixels.map((p) => new Float64Array(p.length));
    const bucketSecs = await bestTime(
      () => pixels.forEach((p, i) => (f32[i].set(p), medianMadInPlace(f32[i]))),
      3,
      1,
    );
    const radixSecs = await bestTime(
      () => pixels.forEach((p, i) => (f32[i].set(p), medianMadRadix(f32[i]))),
      3,
      1,
    );
    const quickSecs = await bestTime(
      () => pixels.forEach((p, i) => (f64[i].set(p), medianMadInPlace(f64[i]))),
      3,
      1,
    );
    rows.add({
      figure: 'median + MAD of one image, bucket selection (float32)',
      rate: images.length / bucketSecs,
      unit: 'images/s',
      reference: images.length / radixSecs,
      refUnit: 'images/s',
      refLabel: 'radix selection (float32)',
      ratio: radixSecs / bucketSecs,
      note: `quickselect (float64) ${(images.length / quickSecs).toFixed(0)} images/s`,
    });
    rows.add({
      figure: `preprocess, ${COMPACT_SPEC.inputSize.join('x')} triplets (robust scaling, crop, clip)`,
      rate: triplets.length / prepSecs,
      unit: 'stamps/s',
      reference: null,
      refUnit: '',
      refLabel: '',
      ratio: null,
      note: `the medians are ${((100 * bucketSecs) / prepSecs).toFixed(0)}% of it`,
    });
    rows.add({
      figure: 'stored records to model rows (read, view, preprocess; one thread)',
      rate: triplets.length / recordSecs,
      unit: 'stamps/s',
      reference: triplets.length / decodedSecs,
      refUnit: 'stamps/s',
      refLabel: 'the records decoded into fresh triplets, then preprocessed',
      ratio: decodedSecs / recordSecs,
    });
  });
});

/** Candidates of the catalog bench (tiny stamps: only the catalog's cost is measured). */
const CATALOG_N = envInt('BENCH_CATALOG_N', 200_000);

/** A DES-like entry: long origin paths, metadata, the survey's own label and score. */
function catalogCandidate(i: number): NewCandidate {
  const img = { width: 2, height: 2, data: new Float32Array(4).fill(i), mask: new Uint8Array(4) };
  const dir = `/data/des/autoscan/night-${Math.floor(i / 50_000)}/ccd${i % 62}`;
  return {
    id: `des-${String(i).padStart(8, '0')}`,
    source: 'des',
    origin: {
      search: `${dir}/srch${i}.fits`,
      template: `${dir}/temp${i}.fits`,
      difference: `${dir}/diff${i}.fits`,
    },
    meta: {
      mjd: 56000 + i / 1e5,
      band: 'griz'[i % 4],
      ra: (i * 0.37) % 360,
      dec: -((i * 0.11) % 60),
      survey: 'des',
    },
    given: { label: i % 2 ? 'real' : 'bogus', scores: { autoscan: (i % 1000) / 1000 } },
    triplet: { search: img, template: img, difference: img },
  };
}

describe('catalog', () => {
  it(`catalog: open a night of ${CATALOG_N} candidates from its part indexes vs validating every part`, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'skysift-bench-catalog-'));
    const ws = await Workspace.open(dir, { create: true });
    const chunk = 2000;
    // The first parts' appends against the last ones': the cost of a part must not grow with the night.
    const appendSecs: number[] = [];
    for (let from = 0; from < CATALOG_N; from += chunk) {
      const batch = Array.from({ length: Math.min(chunk, CATALOG_N - from) }, (_, k) =>
        catalogCandidate(from + k),
      );
      const t = now();
      await ws.appendPart(batch);
      appendSecs.push(now() - t);
    }
    const tail = await ws.appendPart(
      Array.from({ length: chunk }, (_, k) => catalogCandidate(CATALOG_N + k)),
    );
    expect(tail).toHaveLength(chunk);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const firstSecs = mean(appendSecs.slice(0, 5));
    const lastSecs = mean(appendSecs.slice(-5));

    // Heap figures after a full collection (the flag set at run time, as vitest starts the worker).
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const heap = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const h0 = heap();
    const tOpen = now();
    let opened: Workspace | null = await Workspace.open(dir);
    const openSecs = now() - tOpen;
    const indexBytes = heap() - h0;
    const tList = now();
    const all = opened.list();
    const listSecs = now() - tList;
    const listBytes = heap() - h0 - indexBytes;
    expect(all.length).toBe(CATALOG_N + chunk);
    opened = null;

    // As a night was opened before part indexes existed: every part parsed and validated.
    for (const f of readdirSync(path.join(dir, 'catalog')))
      if (f.endsWith('.idx')) rmSync(path.join(dir, 'catalog', f));
    const tOld = now();
    const old = await Workspace.open(dir);
    const oldSecs = now() - tOld;
    expect(old.size).toBe(CATALOG_N + chunk);
    rmSync(dir, { recursive: true, force: true });
    rows.add({
      figure: `catalog open, ${CATALOG_N} candidates (part indexes)`,
      rate: (CATALOG_N + chunk) / openSecs,
      unit: 'candidates/s',
      reference: (CATALOG_N + chunk) / oldSecs,
      refUnit: 'candidates/s',
      refLabel: 'validating every part (no indexes: as before, and once for an old night)',
      ratio: oldSecs / openSecs,
      note:
        `open ${openSecs.toFixed(2)} s vs ${oldSecs.toFixed(2)} s; heap ${(indexBytes / 1e6).toFixed(0)} MB for the index, ` +
        `+${(listBytes / 1e6).toFixed(0)} MB for every entry as objects (list(), ${listSecs.toFixed(2)} s)`,
    });
    rows.add({
      figure: `catalog append, the last 5 parts of ${chunk} at ${CATALOG_N} candidates`,
      rate: chunk / lastSecs,
      unit: 'candidates/s',
      reference: chunk / firstSecs,
      refUnit: 'candidates/s',
      refLabel: 'the first 5 parts, into an empty night',
      ratio: firstSecs / lastSecs,
      note: 'ratio ~1: a part costs the same however big the night already is',
    });
  });
});
