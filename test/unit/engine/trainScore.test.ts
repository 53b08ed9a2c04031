import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tfc from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { generateNight } from '../../../src/main/worker/demo/generator';
import { selectBackend } from '../../../src/main/worker/model/backends';
import {
  collectLabels,
  modelLibrary,
  runScore,
  runTrain,
  scoreVersion,
  type EngineReporter,
} from '../../../src/main/worker/model/engineJobs';
import type { ModelSpec } from '../../../src/main/worker/model/architectures';
import { evaluateScores } from '../../../src/main/library/evaluate';
import { NightsCache } from '../../../src/main/worker/model/training/nightsCache';
import { nightScale } from '../../../src/main/worker/model/seeing';
import { StampCache } from '../../../src/main/worker/model/training/stampCache';
import { predictCached } from '../../../src/main/worker/model/training/train';
import { shippedModelDir } from '../../../src/main/util/resources';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { compareModels } from '../../../src/main/library/compare';
import { giveLabels } from '../helpers/journal';

const quiet: EngineReporter = { backend: () => {}, progress: () => {} };

describe('training, scoring and the registry on a small demo night (wasm)', () => {
  let ws: Workspace;

  beforeAll(async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'skysift-engine-'));
    await generateNight({ out: path.join(base, 'stamps'), n: 400, seed: 7 });
    ws = await Workspace.open(path.join(base, 'ws'), { create: true, simulated: true });
    const report = await runIngest(ws, path.join(base, 'stamps'));
    expect(report.added).toBe(400);
    await selectBackend('wasm');
  }, 300_000);

  it('trains a versioned compact model with provenance, then fine-tunes it from the active version', async () => {
    const progress: number[] = [];
    const { cancelled, result } = await runTrain(
      ws,
      { architecture: 'compact', backend: 'wasm', maxEpochs: 8, batchSize: 32, seed: 3, patience: 8 },
      { backend: () => {}, progress: (done) => progress.push(done) },
    );
    expect(cancelled).toBe(false);
    const registry = modelLibrary();
    const meta = registry.meta(String(result.version));
    expect(meta.kind).toBe('trained');
    expect(meta.backend).toBe('wasm');
    expect(meta.parent).toBeNull();
    expect(meta.data!.counts.real + meta.data!.counts.bogus).toBe(400);
    const { train, validation, test } = meta.data!.split;
    expect(train.length + validation.length + test.length).toBe(400);
    expect(new Set([...train, ...validation, ...test]).size).toBe(400);
    expect(meta.curves.length).toBeGreaterThan(0);
    expect(meta.curves.length).toBeLessThanOrEqual(8);
    expect(meta.evaluation?.n).toBe(test.length);
    console.log(`compact, 8 epochs on 280 demo stamps: held-out AUC ${meta.evaluation?.auc?.toFixed(3)}`);
    expect(meta.evaluation?.auc).toBeGreaterThan(0.7);
    expect(Math.max(...progress)).toBeGreaterThan(0);

    // runTrain scored the night from the rows its training cached; the whole pipeline (decoding,
    // preprocessing) gives the same scores.
    const fromTraining = ws.scores(meta.version)!;
    expect(fromTraining.size).toBe(400);
    const scored = await runScore(ws, { version: meta.version, backend: 'wasm' }, quiet);
    expect(scored.result.scored).toBe(400);
    for (const [id, s] of ws.scores(meta.version)!)
      expect(Math.abs(fromTraining.get(id)! - s)).toBeLessThan(1e-5);
    await ws.update({ activeModel: meta.version, threshold: meta.threshold });
    const scores = ws.scores(meta.version)!;
    expect(scores.size).toBe(400);
    // Reloading the saved version gives the same scores as the model that was trained.
    const again = await runScore(ws, { version: meta.version, backend: 'wasm', adopt: false }, quiet);
    expect(again.result.scored).toBe(400);
    const reread = ws.scores(meta.version)!;
    for (const [id, s] of scores) expect(reread.get(id)).toBeCloseTo(s, 6);

    // Fine-tune with human labels that overrule the data's: parent recorded, human part held out.
    const human = ws
      .list()
      .slice(0, 40)
      .map((e) => ({ id: e.id, label: e.given.label === 'real' ? ('bogus' as const) : ('real' as const) }));
    await giveLabels(ws, human);
    const merged = collectLabels([ws]);
    expect(merged.sources).toMatchObject({
      'your labels': 40,
      'labels that came with the data': 360,
      'data labels you changed': 40,
    });
    const tuned = await runTrain(
      ws,
      { architecture: 'compact', backend: 'wasm', maxEpochs: 1, batchSize: 64 },
      quiet,
    );
    const tunedMeta = registry.meta(String(tuned.result.version));
    expect(tunedMeta.parent).toBe(meta.version);
    expect(tunedMeta.data?.labelSources).toMatchObject({ 'your labels': 40 });
    // What it learned from: the data's labels with the astronomer's 40 in their place.
    const flipped = new Map(human.map((h) => [h.id, h.label]));
    const reals = ws.list().filter((e) => (flipped.get(e.id) ?? e.given.label) === 'real').length;
    expect(tunedMeta.trainedOn).toMatchObject({
      data: 'simulated',
      labels: { real: reals, bogus: 400 - reals },
    });
    // Judged against the active version on the same held-out labels, in the training job itself.
    expect(tunedMeta.comparedWith?.version).toBe(meta.version);
    expect(tunedMeta.comparedWith?.evaluation.n).toBe(8);
    // Its figures are the active version's stored scores' (tfjs) on those labels.
    {
      const { model, meta: active } = await registry.load(meta.version);
      const cache = await NightsCache.open([ws], active.spec as ModelSpec);
      const tfjsScores = await predictCached(
        model,
        cache,
        active.spec as ModelSpec,
        tunedMeta.data!.split.test,
        8,
      );
      const want = evaluateScores(tfjsScores, tunedMeta.data!.split.testLabels!, 0.01);
      model.dispose();
      expect(tunedMeta.comparedWith!.evaluation.auc ?? NaN).toBeCloseTo(want.auc ?? NaN, 5);
      expect(tunedMeta.comparedWith!.evaluation.operatingPoint.threshold ?? NaN).toBeCloseTo(
        want.operatingPoint.threshold ?? NaN,
        5,
      );
    }
    expect(tunedMeta.data?.split.test.length).toBe(8);
    const trainIds = new Set(tunedMeta.data!.split.train);
    for (const id of tunedMeta.data!.split.test) expect(trainIds.has(id)).toBe(false);
    expect(registry.list().map((m) => m.version)).toEqual([meta.version, tunedMeta.version]);
    // Training scored the night with the new version, so it can be compared and adopted at once.
    expect(ws.scores(tunedMeta.version)?.size).toBe(400);
    const confirmed = human.filter((h) => h.label === 'real').map((h) => h.id);
    const cmp = compareModels(ws, tunedMeta.version, meta.version, confirmed);
    expect(cmp.heldOut.n).toBe(8);
    expect(cmp.models.map((m) => m.version)).toEqual([tunedMeta.version, meta.version]);
    for (const m of cmp.models) {
      expect(m.evaluation?.n).toBe(8);
      expect(m.missedConfirmed).toBeGreaterThanOrEqual(0);
      expect(m.missedConfirmed).toBeLessThanOrEqual(confirmed.length);
    }
    expect(tfc.memory().numTensors).toBeLessThan(50);
  }, 600_000);

  it('refuses to train without both classes, with a message saying what to do', async () => {
    const empty = await Workspace.open(mkdtempSync(path.join(os.tmpdir(), 'skysift-empty-')), {
      create: true,
    });
    await expect(runTrain(empty, { backend: 'wasm' }, quiet)).rejects.toThrow(/Not enough labels to train/);
  });
});

describe('re-scoring from the rows a training cached (wasm)', () => {
  it('takes the parts whose rows are all cached from them, any other part whole through the pipeline, same scores', async () => {
    // Two ingests: two catalog parts.
    const base = mkdtempSync(path.join(os.tmpdir(), 'skysift-rescore-'));
    const ws = await Workspace.open(path.join(base, 'ws'), { create: true, simulated: true });
    for (const k of [0, 1]) {
      await generateNight({ out: path.join(base, `stamps-${k}`), n: 48, seed: 21 + k, idOffset: 1 + 48 * k });
      await runIngest(ws, path.join(base, `stamps-${k}`));
    }
    const parts = [...ws.stampRefsByPart()].map((p) => p.refs.map((r) => r.id));
    expect(parts.length).toBe(2);
    await selectBackend('wasm');
    const { version } = await modelLibrary().adoptFolder(shippedModelDir());
    const spec = modelLibrary().meta(version).spec as ModelSpec;
    // The first part whole and half of the second in the stamp cache, as a training leaves it.
    const cache = new StampCache(ws, spec, await nightScale(ws, spec));
    await cache.ensure([...parts[0], ...parts[1].filter((_, i) => i % 2 === 0)]);

    const whole = await scoreVersion(ws, version, quiet);
    expect(whole).toMatchObject({ scored: 96, fromTrainingRows: 0 });
    const want = ws.scores(version)!;
    const got = await scoreVersion(ws, version, quiet, { rows: cache, batchSize: 32 });
    // The second part went through the pipeline whole: its rows came from the rows cache the
    // first scoring wrote (whole parts only).
    expect(got).toMatchObject({ scored: 96, fromTrainingRows: parts[0].length, cachedRows: parts[1].length });
    const scores = ws.scores(version)!;
    expect([...scores.keys()]).toEqual(ws.ids());
    for (const [id, s] of want) expect(Math.abs(scores.get(id)! - s)).toBeLessThan(1e-5);
  }, 300_000);
});
