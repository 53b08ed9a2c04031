/**
 * The injection pipeline on real backgrounds from ../shared: what each kind of example carries, and
 * pre-training end to end (a tiny budget) with the held-out fold never touched.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tfc from '@tensorflow/tfjs-core';
import { getArchitecture } from '../../../src/main/worker/model/architectures';
import { selectBackend } from '../../../src/main/worker/model/backends';
import {
  InjectionSampler,
  prepareBackground,
  type Example,
} from '../../../src/main/worker/model/injection/inject';
import { robustStats } from '../../../src/main/worker/model/injection/psf';
import {
  averageWeights,
  partitionStamps,
  pretrain,
  selectionSplit,
  SN2021RHU_OBJECT,
  standInLabel,
  validationSet,
} from '../../../src/main/worker/model/injection/pretrain';
import {
  distinctStamps,
  loadManifestStamps,
  type RealStamp,
} from '../../../src/main/worker/model/injection/realStamps';
import { loadVersionFolder } from '../../../src/main/worker/model/injection/realBench';
import { ModelRegistry } from '../../../src/main/worker/model/registry';
import { shippedModelDir } from '../../../src/main/util/resources';
import type { StampImage } from '../../../src/shared/stamp';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';
import { ORT } from '../onnx/helpers';

/** Centre 3x3 mean of an image in units of its robust sigma above its median. */
function centreSigmas(img: StampImage): number {
  const { median, sigma } = robustStats(img);
  const cx = Math.floor(img.width / 2);
  const cy = Math.floor(img.height / 2);
  let s = 0;
  for (let dy = -1; dy <= 1; dy++)
    for (let dx = -1; dx <= 1; dx++) s += img.data[(cy + dy) * img.width + cx + dx];
  return (s / 9 - median) / sigma;
}

describe.skipIf(!HAVE_SHARED)('injection into real stamps (../shared/data/real-stamps)', () => {
  let stamps: RealStamp[];
  beforeAll(async () => {
    ({ stamps } = await loadManifestStamps(sharedPath('real-stamps', 'index.csv')));
  });

  it('reads the real stamps with the app reader, with stand-in labels from the surveys', () => {
    expect(stamps.length).toBeGreaterThan(300);
    const ztf = stamps.filter((s) => s.survey === 'ztf');
    expect(ztf.filter((s) => standInLabel(s) === 1).length).toBeGreaterThan(100);
    expect(ztf.filter((s) => standInLabel(s) === 0).length).toBeGreaterThan(90);
    expect(stamps.some((s) => s.survey === 'atlas' && s.triplet.template === null)).toBe(true);
  });

  it('counts each triplet once where the manifest lists it twice, keeping the first', () => {
    const distinct = distinctStamps(stamps);
    expect(new Set(stamps.map((s) => s.id)).size).toBe(distinct.length);
    expect(distinct.length).toBeLessThan(stamps.length);
    for (const s of distinct) expect(stamps.find((x) => x.id === s.id)).toBe(s);
    // What `pretrain --report` and the cold-start judge on: fold 1's labelled ZTF stamps, once each.
    const held = (set: RealStamp[]) =>
      partitionStamps(set, 2, 1).heldOut.filter(
        (s) => s.survey === 'ztf' && s.objectId !== SN2021RHU_OBJECT && standInLabel(s) !== null,
      );
    expect(held(stamps).length).toBe(121);
    expect(held(distinct).length).toBe(115);
  });

  it('rebuilds the training side validation set of a seed exactly, apart from the held-out fold', () => {
    const { selection, pool } = selectionSplit(partitionStamps(stamps, 2, 1));
    const heldIds = new Set(partitionStamps(stamps, 2, 1).heldOut.map((s) => s.id));
    expect(selection.length).toBeGreaterThan(20);
    for (const s of [...selection, ...pool]) expect(heldIds.has(s.id)).toBe(false);
    const bgs = pool.slice(0, 20).map(prepareBackground);
    const a = validationSet(selection, bgs, 3, true);
    const b = validationSet(selection, bgs, 3, true);
    expect(a.labels).toHaveLength(selection.length + 800);
    expect(a.labels).toEqual(b.labels);
    expect(a.triplets[selection.length + 5].difference.data).toEqual(
      b.triplets[selection.length + 5].difference.data,
    );
    expect(validationSet(selection, bgs, 4, false).labels).toHaveLength(selection.length + 600);
  });

  it('each kind of example carries its signature in the difference image', () => {
    const bgs = stamps
      .filter((s) => s.survey === 'ztf')
      .slice(0, 20)
      .map(prepareBackground);
    const sampler = new InjectionSampler(bgs, [], [], 5, {
      snrMin: 20,
      snrMax: 40,
      masked: 0,
      missingTemplate: 0,
    });
    const byKind = new Map<string, Example[]>();
    for (let i = 0; i < 600; i++) {
      const e = sampler.sample();
      byKind.set(e.kind, [...(byKind.get(e.kind) ?? []), e]);
      expect(e.triplet.difference.width).toBeLessThanOrEqual(51);
    }
    for (const k of [
      'rising',
      'rising-on-galaxy',
      'fading',
      'variable',
      'dipole',
      'cosmic-ray',
      'hot-pixel',
      'empty',
    ])
      expect(byKind.get(k)?.length ?? 0, k).toBeGreaterThan(3);
    const med = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
    const diff = (k: string) => med(byKind.get(k)!.map((e) => centreSigmas(e.triplet.difference)));
    expect(diff('rising')).toBeGreaterThan(5);
    expect(diff('fading')).toBeLessThan(-5);
    expect(Math.abs(diff('empty'))).toBeLessThan(3);
    // A variable star sits in the template too; a cosmic ray never does.
    const tmpl = (k: string) => med(byKind.get(k)!.map((e) => centreSigmas(e.triplet.template!)));
    expect(tmpl('variable')).toBeGreaterThan(5);
    expect(tmpl('cosmic-ray')).toBeLessThan(tmpl('variable'));
    for (const e of byKind.get('rising')!) expect(e.label).toBe(1);
    for (const e of byKind.get('dipole')!) expect(e.label).toBe(0);
  });

  it('pre-trains end to end on a few real backgrounds; the held-out fold and SN 2021rhu are never used', async () => {
    await selectBackend('wasm');
    const few = [
      ...stamps.filter((s) => s.survey === 'ztf').slice(0, 40),
      ...stamps.filter((s) => s.objectId === SN2021RHU_OBJECT).slice(0, 3),
      ...stamps.filter((s) => s.survey === 'atlas').slice(0, 4),
    ];
    const registry = new ModelRegistry(mkdtempSync(path.join(os.tmpdir(), 'skysift-pretrain-')));
    const epochs: number[] = [];
    const logs: string[] = [];
    const { meta, partition } = await pretrain({
      registry,
      stamps: few,
      source: 'test subset',
      folds: 2,
      evalFold: 1,
      maxEpochs: 2,
      stepsPerEpoch: 4,
      batchSize: 16,
      useLabelled: true,
      backend: 'wasm',
      onEpoch: (e) => epochs.push(e.loss),
      log: (l) => logs.push(l),
    });
    expect(epochs).toHaveLength(2);
    expect(epochs.every(Number.isFinite)).toBe(true);
    // On a CPU backend the automatic choice trains on ONNX Runtime (when it loads), as the retrain does.
    expect(String(meta.hyperparameters.trainer)).toMatch(ORT ? /^ONNX Runtime CPU/ : /^tfjs \(wasm\)/);
    expect(logs.some((l) => l.startsWith(`training on ${String(meta.hyperparameters.trainer)}`))).toBe(true);
    // Saved whole and loadable; it says what it learnt from and on what it was judged.
    const { model, meta: stored } = await registry.load(meta.version);
    model.dispose();
    expect(stored.trainedOn?.data).toBe('mixed');
    expect(stored.trainedOn?.surveys).toContain('ztf');
    const heldIds = new Set(partition.heldOut.map((s) => s.id));
    for (const id of stored.data!.split.train) expect(heldIds.has(id)).toBe(false);
    for (const s of few.filter((x) => x.objectId === SN2021RHU_OBJECT)) expect(heldIds.has(s.id)).toBe(true);
    const heldZtf = partition.heldOut.filter(
      (s) => s.survey === 'ztf' && s.objectId !== SN2021RHU_OBJECT && standInLabel(s) !== null,
    );
    if (stored.realEvaluation) expect(stored.realEvaluation.n).toBe(distinctStamps(heldZtf).length);
    expect(partitionStamps(few, 2, 1).heldOut.map((s) => s.id)).toEqual(partition.heldOut.map((s) => s.id));
  }, 120_000);
  it.skipIf(!ORT)(
    'ONNX Runtime and tfjs, continuing the shipped default from the same seed, learn alike',
    async () => {
      await selectBackend('wasm');
      const some = stamps.filter((s) => s.survey === 'ztf').slice(0, 120);
      // From the default (as TRAINED_BY's later stages continue a model) at 5x their rate: a trainer
      // that got a gradient, a batch norm or the write-back wrong shows within a few dozen steps.
      // From random weights the AUC climbs so steeply that dropout alone spreads the runs apart.
      const run = async (trainer: string) => {
        const registry = new ModelRegistry(mkdtempSync(path.join(os.tmpdir(), 'skysift-agree-')));
        const init = await loadVersionFolder(shippedModelDir());
        const { meta } = await pretrain({
          registry,
          stamps: some,
          source: 'test subset',
          folds: 2,
          evalFold: 1,
          initModel: init.model,
          simulatedShare: 0.3,
          learningRate: 1e-3,
          maxEpochs: 3,
          stepsPerEpoch: 12,
          batchSize: 32,
          patience: 3,
          seed: 3,
          useLabelled: true,
          backend: 'wasm',
          trainer,
        });
        return meta;
      };
      const viaOrt = await run('onnxruntime');
      const viaTfjs = await run('tfjs');
      expect(String(viaOrt.hyperparameters.trainer)).toMatch(/^ONNX Runtime CPU/);
      expect(viaTfjs.hyperparameters.trainer).toBe('tfjs (wasm)');
      const aucs = [viaOrt, viaTfjs].map((m) => m.curves.map((c) => c.valAuc!));
      // The held-out figures are the tfjs model's own scores, after the ORT run wrote its weights back.
      const held = [viaOrt, viaTfjs].map((m) => m.realEvaluation!.evaluation.auc!);
      console.log(
        `validation AUC per epoch: ORT ${aucs[0].map((a) => a.toFixed(3)).join(' ')}; tfjs ${aucs[1].map((a) => a.toFixed(3)).join(' ')}; ` +
          `held-out ZTF AUC: ORT ${held[0].toFixed(4)}, tfjs ${held[1].toFixed(4)}`,
      );
      // Same batches, flips and starting weights; only the dropout masks differ.
      expect(aucs[0]).toHaveLength(3);
      expect(aucs[1]).toHaveLength(3);
      for (let e = 0; e < 3; e++) expect(Math.abs(aucs[0][e] - aucs[1][e])).toBeLessThan(0.03);
      expect(Math.abs(held[0] - held[1])).toBeLessThan(0.03);
    },
    300_000,
  );
});

describe('averaging the weights of several versions (a model soup)', () => {
  it('gives each weight the mean of the models, batch-norm statistics included, and refuses other architectures', async () => {
    await selectBackend('wasm');
    const arch = getArchitecture('compact');
    const [a, b, c] = [arch.build(1), arch.build(2), arch.build(3)];
    // Distinct batch-norm statistics too, as after training.
    const shifted = c.getWeights().map((t) => tfc.add(t, 0.5));
    c.setWeights(shifted);
    tfc.dispose(shifted);
    const before = [a, b, c].map((m) => m.getWeights().map((t) => Array.from(t.dataSync())));
    averageWeights(a, [b, c]);
    const after = a.getWeights().map((t) => Array.from(t.dataSync()));
    for (let k = 0; k < after.length; k++)
      for (let i = 0; i < after[k].length; i += 97)
        expect(after[k][i]).toBeCloseTo((before[0][k][i] + before[1][k][i] + before[2][k][i]) / 3, 5);
    // The others are left as they were.
    expect(Array.from(b.getWeights()[0].dataSync())).toEqual(before[1][0]);
    const other = getArchitecture('space2vec').build(1);
    expect(() => averageWeights(a, [other])).toThrow(/differs in architecture/);
    [a, b, c, other].forEach((m) => m.dispose());
  });
});
