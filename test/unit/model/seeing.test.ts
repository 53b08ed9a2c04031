/**
 * A night's seeing and the resampling to the models' seeing (seeing.ts): ZTF-like nights stay as
 * they are, nights of finer pixels are brought to 2.4 px, on real stamps and through a workspace
 * (measured once, kept in cache/seeing.json, the same rows in scoring and training, caches apart).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { generateNight } from '../../../src/main/worker/demo/generator';
import { COMPACT_SPEC } from '../../../src/main/worker/model/architectures';
import type { ModelSpec } from '../../../src/main/worker/model/architectures/spec';
import { selectBackend } from '../../../src/main/worker/model/backends';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import {
  partitionStamps,
  scoreTriplets,
  SN2021RHU_OBJECT,
  standInLabel,
} from '../../../src/main/worker/model/injection/pretrain';
import { loadVersionFolder } from '../../../src/main/worker/model/injection/realBench';
import {
  distinctStamps,
  loadManifestStamps,
  type RealStamp,
} from '../../../src/main/worker/model/injection/realStamps';
import { worseSeeing, zoomTriplet } from '../../../src/main/worker/model/injection/transform';
import { preprocessInto, stampInputLength } from '../../../src/main/worker/model/preprocess';
import { rowsCacheDir } from '../../../src/main/worker/model/scoreCache';
import { scoreWorkspace } from '../../../src/main/worker/model/scoring';
import {
  MODEL_SEEING_PX,
  nightSeeing,
  nightScale,
  seeingZoom,
  setSeeing,
} from '../../../src/main/worker/model/seeing';
import { StampCache } from '../../../src/main/worker/model/training/stampCache';
import { shippedModelDir } from '../../../src/main/util/resources';
import { auc } from '../../../src/shared/metrics';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';
import { rowHasher } from '../helpers/rowHash';

describe('the resampling factor', () => {
  it('leaves seeing near the models alone and brings wide seeing to theirs', () => {
    expect(seeingZoom(null)).toBe(1);
    expect(seeingZoom(MODEL_SEEING_PX)).toBe(1);
    expect(seeingZoom(3.0)).toBe(1); // ZUDS-like: within 1.3x
    expect(seeingZoom(4.8)).toBeCloseTo(0.5, 4);
    expect(seeingZoom(Number.NaN)).toBe(1);
  });
});

describe.skipIf(!HAVE_SHARED)('real stamps seen through finer pixels', () => {
  let ztf: RealStamp[];
  beforeAll(async () => {
    const { stamps } = await loadManifestStamps(sharedPath('real-stamps', 'index.csv'));
    // The default's held-out fold: stamps it never trained on.
    ztf = distinctStamps(
      partitionStamps(stamps, 2, 1).heldOut.filter(
        (s) => s.survey === 'ztf' && s.objectId !== SN2021RHU_OBJECT && standInLabel(s) !== null,
      ),
    );
  });

  it('a ZTF night is used as it is; the same sky on 2x finer pixels is resampled by about 1/2', () => {
    const native = setSeeing(ztf.map((s) => s.triplet));
    expect(native.measured).toBeGreaterThan(ztf.length / 2);
    expect(native.fwhmPx!).toBeGreaterThan(2);
    expect(native.zoom).toBe(1);
    expect(native.templateBlur).toBe(0);
    const finer = setSeeing(ztf.map((s) => zoomTriplet(s.triplet, 2)));
    expect(finer.zoom).toBeGreaterThan(0.4);
    expect(finer.zoom).toBeLessThan(0.6);
    // Finer pixels widen templates and search images alike: nothing to match.
    expect(finer.templateBlur).toBe(0);
  });

  it('a night much worse than its templates has them blurred to its seeing, then is resampled', () => {
    const worse = setSeeing(ztf.map((s) => worseSeeing(s.triplet, 1.5)));
    expect(worse.searchFwhmPx! / worse.templateFwhmPx!).toBeGreaterThan(1.3);
    expect(worse.fwhmPx).toBe(worse.searchFwhmPx);
    // sigma^2 = (search^2 - template^2) / 2.3548^2
    const sigma = Math.sqrt(worse.searchFwhmPx! ** 2 - worse.templateFwhmPx! ** 2) / 2.3548;
    expect(worse.templateBlur).toBeCloseTo(sigma, 3);
    expect(worse.zoom).toBeCloseTo(MODEL_SEEING_PX / worse.searchFwhmPx!, 3);
    // A little worse (1.2x): left as it is, as blurring alone measured no better.
    const slightly = setSeeing(ztf.map((s) => worseSeeing(s.triplet, 1.2)));
    expect(slightly).toMatchObject({ templateBlur: 0, zoom: 1 });
  });

  it("gives the shipped model back most of its ranking on a finer camera's stamps", async () => {
    await selectBackend('wasm');
    const { model, meta } = await loadVersionFolder(shippedModelDir());
    const spec = meta.spec as ModelSpec;
    try {
      const labels = ztf.map((s) => standInLabel(s)!);
      const finer = ztf.map((s) => zoomTriplet(s.triplet, 2));
      const native = auc(
        await scoreTriplets(
          model,
          spec,
          ztf.map((s) => s.triplet),
        ),
        labels,
      );
      const asTheyCome = auc(await scoreTriplets(model, spec, finer), labels);
      const resampled = auc(await scoreTriplets(model, spec, finer, setSeeing(finer).zoom), labels);
      // Measured: 0.914 native, 0.739 as they come, 0.906 resampled (115 stamps).
      expect(resampled).toBeGreaterThan(asTheyCome + 0.08);
      expect(resampled).toBeGreaterThan(native - 0.05);
      // A night of 1.5x worse seeing than its templates: 0.695 as they come, 0.806 matched.
      const worse = ztf.map((s) => worseSeeing(s.triplet, 1.5));
      const worseAsTheyCome = auc(await scoreTriplets(model, spec, worse), labels);
      const matched = auc(await scoreTriplets(model, spec, worse, setSeeing(worse)), labels);
      expect(matched).toBeGreaterThan(worseAsTheyCome + 0.06);
    } finally {
      model.dispose();
    }
  }, 60_000);
});

describe('a night of DES-like pixels in a workspace', () => {
  const ROW = stampInputLength(COMPACT_SPEC);
  const rowHash = rowHasher(ROW);
  let ws: Workspace;
  beforeAll(async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'skysift-seeing-'));
    // The demo generator draws DECam's 0.263"/px: seeing ~4.7 px.
    await generateNight({ out: path.join(base, 'stamps'), n: 40, seed: 5 });
    ws = await Workspace.open(path.join(base, 'ws'), { create: true, simulated: true });
    await runIngest(ws, path.join(base, 'stamps'), { chunkSize: 40, decoder: null });
  }, 120_000);

  it('is measured once and kept; a damaged record is measured again', async () => {
    const first = await nightSeeing(ws);
    expect(first.fwhmPx!).toBeGreaterThan(3.5);
    expect(first.zoom).toBeLessThan(0.75);
    const file = path.join(ws.dir, 'cache', 'seeing.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 2, zoom: first.zoom, size: 40 });
    expect(await nightSeeing(ws)).toEqual(first);
    // The night's summary says it (the Night panel's seeing note).
    expect(ws.summary(null).seeing).toEqual({ fwhmPx: first.fwhmPx, zoom: first.zoom });
    writeFileSync(file, '{"format":2,"zoom":7}');
    expect(ws.summary(null).seeing).toBeNull();
    expect(await nightSeeing(ws)).toEqual(first);
    // A record of the first format (no search seeing, no template blur) is measured again.
    const old = { format: 1, fwhmPx: 9, sampled: 40, measured: 40, zoom: 0.25, size: 40 };
    writeFileSync(file, JSON.stringify(old));
    expect(await nightSeeing(ws)).toEqual(first);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ format: 2, zoom: first.zoom });
    expect(await nightScale(ws, { ...COMPACT_SPEC, preprocessing: 'braai' } as ModelSpec)).toEqual({
      zoom: 1,
      templateBlur: 0,
    });
  });

  it('scores and trains on the same resampled rows, cached apart from unresampled ones', async () => {
    const zoom = await nightScale(ws, COMPACT_SPEC);
    const expected = new Map<string, number>();
    const row = new Float32Array(ROW);
    for await (const { entry, triplet } of ws.iterateTriplets()) {
      preprocessInto(COMPACT_SPEC, triplet, row, 0, zoom);
      expected.set(entry.id, (await rowHash(row, 1))[0]);
    }
    const noModel = null as unknown as tfl.LayersModel;
    const first = await scoreWorkspace(ws, noModel, COMPACT_SPEC, { predict: rowHash, decoder: null });
    expect(first.scores).toEqual(expected);
    expect(existsSync(rowsCacheDir(ws.dir, COMPACT_SPEC, zoom))).toBe(true);
    expect(existsSync(rowsCacheDir(ws.dir, COMPACT_SPEC))).toBe(false);
    const again = await scoreWorkspace(ws, noModel, COMPACT_SPEC, { predict: rowHash, decoder: null });
    expect(again.stats.cachedRows).toBe(ws.size);
    expect(again.scores).toEqual(expected);
    // Training's stamp cache holds the same rows.
    const cache = new StampCache(ws, COMPACT_SPEC, zoom);
    const ids = [...expected.keys()];
    await cache.ensure(ids);
    const rows = new Float32Array(ids.length * ROW);
    cache.read(ids, rows);
    expect(await rowHash(rows, ids.length)).toEqual(ids.map((id) => expected.get(id)));
  });
});
