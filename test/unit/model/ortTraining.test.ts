/**
 * Training through the trainer hook on a small demo night: on the wasm backend the automatic
 * choice is ONNX Runtime, the loss falls, the held-out figures are the stored model's (tfjs layers),
 * which scores as ORT did, and 'tfjs' still selects the tfjs trainer.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../../src/main/catalog/workspace';
import { generateNight } from '../../../src/main/worker/demo/generator';
import { getArchitecture } from '../../../src/main/worker/model/architectures';
import { selectBackend } from '../../../src/main/worker/model/backends';
import { collectLabels } from '../../../src/main/worker/model/engineJobs';
import { ModelRegistry } from '../../../src/main/worker/model/registry';
import { NightsCache } from '../../../src/main/worker/model/training/nightsCache';
import { predictCachedWith } from '../../../src/main/worker/model/training/retrainLoop';
import { predictCached, trainModel } from '../../../src/main/worker/model/training/train';
import { chooseTrainer } from '../../../src/main/worker/model/training/trainerChoice';
import { runIngest } from '../../../src/main/worker/ingest/ingest';
import { evaluateScores } from '../../../src/main/library/evaluate';
import { ORT, ORT_MISSING } from '../onnx/helpers';

describe.skipIf(!ORT)(`training on ONNX Runtime through train.ts ${ORT_MISSING}`, () => {
  let ws: Workspace;
  let registry: ModelRegistry;

  beforeAll(async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'skysift-ort-train-'));
    await generateNight({ out: path.join(base, 'stamps'), n: 240, seed: 5 });
    ws = await Workspace.open(path.join(base, 'ws'), { create: true, simulated: true });
    await runIngest(ws, path.join(base, 'stamps'));
    registry = new ModelRegistry(path.join(base, 'models'));
    await selectBackend('wasm');
  }, 300_000);

  it('picks ORT on a CPU backend, learns as tfjs does, and the stored tfjs model scores as ORT did', async () => {
    const { all } = collectLabels([ws]);
    const messages: string[] = [];
    const { meta } = await trainModel({
      nights: [ws],
      registry,
      architecture: 'compact',
      labels: all,
      labelSources: { data: all.length },
      backend: 'wasm',
      maxEpochs: 4,
      patience: 4,
      batchSize: 32,
      seed: 4,
      onProgress: (p) => messages.push(p.message),
    });
    // The same run (split, order, augmentation) on tfjs: the two learn alike (dropout masks differ).
    const viaTfjsTrainer = await trainModel({
      nights: [ws],
      registry,
      architecture: 'compact',
      labels: all,
      labelSources: { data: all.length },
      backend: 'wasm',
      trainer: 'tfjs',
      maxEpochs: 4,
      patience: 4,
      batchSize: 32,
      seed: 4,
    });
    expect(viaTfjsTrainer.meta.hyperparameters.trainer).toBe('tfjs (wasm)');
    expect(Math.abs(meta.curves.at(-1)!.loss - viaTfjsTrainer.meta.curves.at(-1)!.loss)).toBeLessThan(0.1);
    expect(String(meta.hyperparameters.trainer)).toMatch(/^ONNX Runtime CPU/);
    expect(messages.some((m) => m.startsWith('training on ONNX Runtime'))).toBe(true);
    expect(meta.curves.at(-1)!.loss).toBeLessThan(meta.curves[0].loss);

    // The stored model against ORT's scoring of the same weights.
    const { model, meta: loaded } = await registry.load(meta.version);
    const spec = loaded.spec;
    const cache = await NightsCache.open([ws], spec);
    // The held-out figures, scored on the engine before finish(), are the stored model's.
    const testIds = meta.data!.split.test;
    const stored = evaluateScores(
      await predictCached(model, cache, spec, testIds, 32),
      meta.data!.split.testLabels!,
      0.01,
    );
    expect(meta.evaluation!.n).toBe(testIds.length);
    expect(meta.evaluation!.auc!).toBeCloseTo(stored.auc!, 5);
    expect(meta.evaluation!.operatingPoint.threshold!).toBeCloseTo(stored.operatingPoint.threshold!, 5);
    const ids = meta.data!.split.test.slice(0, 40);
    const viaTfjs = await predictCached(model, cache, spec, ids, 16);
    const choice = await chooseTrainer('wasm', model, spec, { learningRate: 1e-3, seed: 1 });
    const viaOrt = await predictCachedWith(choice.ort!, cache, ids, 16);
    for (let i = 0; i < ids.length; i++) expect(viaOrt[i]).toBeCloseTo(viaTfjs[i], 4);
    await choice.ort!.release();
    model.dispose();
  }, 300_000);

  // WebGPU times ORT's two devices instead (trainerChoiceGpu.test.ts).
  it("'tfjs' keeps tfjs, and a GPU backend ORT cannot train on leaves training to tfjs", async () => {
    const arch = getArchitecture('compact');
    const model = arch.build(1);
    const forced = await chooseTrainer('wasm', model, arch.spec, {
      learningRate: 1e-3,
      seed: 1,
      preference: 'tfjs',
    });
    expect(forced.ort).toBeNull();
    const gpu = await chooseTrainer('webgl', model, arch.spec, { learningRate: 1e-3, seed: 1 });
    expect(gpu.ort).toBeNull();
    expect(gpu.reason).toMatch(/GPU/);
    await expect(
      chooseTrainer('wasm', model, arch.spec, { learningRate: 1e-3, seed: 1, preference: 'pytorch' }),
    ).rejects.toThrow(/Unknown trainer 'pytorch'/);
    model.dispose();
  });
});
