/**
 * Training: samples/s for compact and space2vec (Adam, batch BENCH_TRAIN_BATCH = 64, a few
 * batches after warm-up) on tfjs-wasm, as achieved GFLOP/s (3 x forward FLOPs) over tf.matMul
 * 1024^3 on wasm in the same run; then on ONNX Runtime (the training graph of
 * src/main/worker/model/onnx/trainGraph.ts) against the tfjs-wasm rate of the same run, with the time of
 * one epoch over 100k stamps; then the wall time of a whole retrain on the bench night's labels
 * (BENCH_RETRAIN_EPOCHS, default 10) through runTrain, re-scoring included, from scratch and as the
 * desk's Retrain button runs it (fine-tuning the shipped default to its early stop), with the time of
 * each phase and the process's CPU seconds (phaseClock). The torch suite
 * compares every 'space2vec training' row with PyTorch where python3 has torch.
 */
import * as tfc from '@tensorflow/tfjs-core';
import { afterAll, describe, it } from 'vitest';
import {
  buildCompact,
  buildSpace2vec,
  COMPACT_SPEC,
  modelCost,
  SPACE2VEC_SPEC,
  type ModelSpec,
} from '../src/main/worker/model/architectures';
import { selectBackend } from '../src/main/worker/model/backends';
import { matMulModel } from '../test/support/matMulModel';
import { defaultOrtThreads, loadOrt, ortSessionOptions } from '../src/main/worker/model/onnx/ortRuntime';
import { OrtTrainer } from '../src/main/worker/model/training/ortTrainer';
import { modelLibrary, runTrain, type EngineReporter } from '../src/main/worker/model/engineJobs';
import { shippedModelDir } from '../src/main/util/resources';
import { BENCH_N, Rows, benchWorkspace, bestTime, envInt, now } from './lib';

const rows = new Rows('training');
afterAll(() => rows.write());

const BATCH = envInt('BENCH_TRAIN_BATCH', 64);
/** tfjs-wasm samples/s by architecture, measured first in this run: the ORT rows' reference. */
const wasmRate = new Map<string, number>();
const STEPS = envInt('BENCH_TRAIN_STEPS', 4);

describe('training on wasm', () => {
  it(`compact and space2vec, batch ${BATCH}, ${STEPS} steps`, async () => {
    await selectBackend('wasm');
    const a = tfc.randomNormal([1024, 1024]);
    const b = tfc.randomNormal([1024, 1024]);
    const mmSecs = await bestTime(async () => {
      const c = tfc.matMul(a, b);
      await c.data();
      c.dispose();
    });
    tfc.dispose([a, b]);
    const ceiling = (2 * 1024 ** 3) / mmSecs / 1e9;
    for (const [id, build] of [
      ['compact', buildCompact],
      ['space2vec', buildSpace2vec],
    ] as const) {
      const model = build(1);
      const flops = 3 * modelCost(model).flopsPerStamp;
      const optimizer = tfc.train.adam(1e-3);
      const x = tfc.randomNormal([BATCH, 51, 51, 3]);
      const y = tfc.tensor2d(
        Array.from({ length: BATCH }, (_, i) => i % 2),
        [BATCH, 1],
      );
      const step = async () => {
        const loss = optimizer.minimize(
          () => tfc.losses.sigmoidCrossEntropy(y, model.apply(x, { training: true }) as tfc.Tensor),
          true,
        );
        await loss!.data();
        loss!.dispose();
      };
      const secs = await bestTime(
        async () => {
          for (let i = 0; i < STEPS; i++) await step();
        },
        1,
        1,
      );
      const rate = (STEPS * BATCH) / secs;
      wasmRate.set(id, rate);
      rows.add({
        figure: `${id} training, tfjs-wasm (batch ${BATCH})`,
        rate,
        unit: 'samples/s',
        reference: ceiling,
        refUnit: 'GFLOP/s',
        refLabel: 'tf.matMul 1024^3 on wasm',
        ratio: (rate * flops) / 1e9 / ceiling,
        note: `epoch of 100k stamps: ${(100_000 / rate / 60).toFixed(1)} min`,
      });
      tfc.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    }
  });
});

describe('training on ONNX Runtime (CPU)', () => {
  it(`compact and space2vec, batch ${BATCH}, ${STEPS} steps, forward + backward + Adam in one graph`, async () => {
    try {
      await loadOrt();
    } catch (err) {
      return rows.skip('training, ONNX Runtime', (err as Error).message);
    }
    await selectBackend('wasm'); // builds the layers models whose weights the trainer takes
    const threads = envInt('BENCH_ORT_THREADS', defaultOrtThreads());
    // The ORT matmul ceiling, measured right here: the load of a shared machine drifts between suites.
    const ort = await loadOrt();
    const mm = await ort.InferenceSession.create(
      matMulModel(1024, 1024, 1024),
      ortSessionOptions({ threads }),
    );
    const a = new ort.Tensor(
      'float32',
      Float32Array.from({ length: 1024 * 1024 }, (_, i) => Math.sin(i)),
      [1024, 1024],
    );
    const ceiling = (2 * 1024 ** 3) / (await bestTime(() => mm.run({ A: a }))) / 1e9;
    await mm.release?.();
    for (const [id, build] of [
      ['compact', buildCompact],
      ['space2vec', buildSpace2vec],
    ] as const) {
      const model = build(1);
      const spec = (id === 'compact' ? COMPACT_SPEC : SPACE2VEC_SPEC) as ModelSpec;
      const trainer = await OrtTrainer.create(model, spec, { learningRate: 1e-3, threads });
      const x = Float32Array.from({ length: BATCH * 51 * 51 * 3 }, (_, i) => Math.sin(i * 0.37));
      const y = Array.from({ length: BATCH }, (_, i) => i % 2);
      const w = Array.from({ length: BATCH }, () => 1);
      const secs = await bestTime(
        async () => {
          for (let i = 0; i < STEPS; i++) await trainer.step(x, y, w, BATCH);
        },
        1,
        1,
      );
      const rate = (STEPS * BATCH) / secs;
      const ref = wasmRate.get(id) ?? null;
      const gflops = (rate * 3 * modelCost(model).flopsPerStamp) / 1e9;
      rows.add({
        figure: `${id} training, ONNX Runtime ${threads} threads (batch ${BATCH})`,
        rate,
        unit: 'samples/s',
        reference: ref,
        refUnit: 'samples/s',
        refLabel: 'tfjs-wasm, same run',
        ratio: ref === null ? null : rate / ref,
        note:
          `epoch of 100k stamps: ${(100_000 / rate / 60).toFixed(2)} min; ${gflops.toFixed(1)} GFLOP/s = ` +
          `${(gflops / ceiling).toFixed(3)} of ORT MatMul 1024^3 (${ceiling.toFixed(1)} GFLOP/s, measured here)`,
      });
      await trainer.release();
      model.dispose();
    }
  });
});

/** A wall time with no reference in the same run (what the astronomer waits for). */
function wallRow(figure: string, secs: number, note: string) {
  rows.add({ figure, rate: secs, unit: 's', reference: null, refUnit: '', refLabel: '', ratio: null, note });
}

/**
 * Where a retrain's wall time goes, from its progress messages: up to 'training on' (stamp cache,
 * model, engine start), the epochs with their validations, then up to 'scoring with' (test
 * evaluation, comparison, save), then the re-scoring. With the process's CPU seconds beside the
 * wall time: on a shared machine the other engineers' load stretches the wall time, not the CPU.
 */
function phaseClock() {
  const t0 = now();
  const cpu0 = process.cpuUsage();
  const marks = new Map<string, number>();
  const reporter: EngineReporter = {
    backend: () => {},
    progress: (_done, _total, message) => {
      for (const key of ['training on', 'evaluating', 'scoring with'])
        if (message.startsWith(key) && !marks.has(key)) marks.set(key, now());
    },
  };
  const done = () => {
    const end = now();
    const cpu = process.cpuUsage(cpu0);
    const at = (k: string) => marks.get(k) ?? NaN;
    const s = (a: number, b: number) => (b - a).toFixed(2);
    return {
      secs: end - t0,
      note:
        `cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; cache + engine start ${s(t0, at('training on'))} s, ` +
        `epochs ${s(at('training on'), at('evaluating'))} s, evaluation + save ${s(at('evaluating'), at('scoring with'))} s, ` +
        `re-scoring ${s(at('scoring with'), end)} s`,
    };
  };
  return { reporter, done };
}

describe('retrain on the labels of a night (what the one-click retrain waits for)', () => {
  const EPOCHS = envInt('BENCH_RETRAIN_EPOCHS', 10);
  it(`compact on the ${BENCH_N}-candidate bench night: cache, ${EPOCHS} epochs, evaluation, re-scoring`, async () => {
    await selectBackend('wasm');
    const ws = await benchWorkspace();
    const clock = phaseClock();
    const { result } = await runTrain(
      ws,
      {
        architecture: 'compact',
        backend: 'wasm',
        fromScratch: true,
        maxEpochs: EPOCHS,
        patience: EPOCHS,
        seed: 1,
      },
      clock.reporter,
    );
    const { secs, note } = clock.done();
    const meta = modelLibrary().meta(String(result.version));
    const trained = meta.data!.split.train.length;
    wallRow(
      `retrain compact from scratch on ${ws.size} labels (cache, ${meta.curves.length} epochs, evaluation, re-scoring)`,
      secs,
      `${meta.hyperparameters.trainer}; ${trained} training stamps; best epoch ${meta.bestEpoch}, held-out AUC ${meta.evaluation?.auc?.toFixed(3)}; ${note}`,
    );
  });

  // What the desk's Retrain button runs: fine-tuning the active model (here the shipped default) by
  // the guarded policy, with replay of its injections, to its own early stop.
  it(`the one-click retrain: fine-tuning the shipped default on the ${BENCH_N}-candidate bench night`, async () => {
    await selectBackend('wasm');
    const ws = await benchWorkspace();
    const parent = await modelLibrary().adoptFolder(shippedModelDir());
    const clock = phaseClock();
    const { result } = await runTrain(
      ws,
      { architecture: 'compact', backend: 'wasm', activeModel: parent.version, seed: 1 },
      clock.reporter,
    );
    const { secs, note } = clock.done();
    const meta = modelLibrary().meta(String(result.version));
    const h = meta.hyperparameters;
    const perSecond =
      meta.curves.reduce((a, c) => a + c.samplesPerSecond, 0) / Math.max(1, meta.curves.length);
    wallRow(
      `one-click retrain: fine-tune the default on ${ws.size} labels (${meta.curves.length} epochs to early stop)`,
      secs,
      `${h.trainer}; ${meta.data!.split.train.length} training stamps + replay; best epoch ${meta.bestEpoch}, kept ${h.keptParent ? 'the parent' : 'the fine-tuned'}; held-out AUC ${meta.evaluation?.auc?.toFixed(3)}; ${perSecond.toFixed(0)} labelled samples/s; ${note}`,
    );
  });
});
