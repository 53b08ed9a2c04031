/**
 * Inference: stamps/s per model per engine, as achieved GFLOP/s (modelCost FLOPs x stamps/s) over
 * a matrix-multiply ceiling measured in the same run on the same engine (tf.matMul 1024^3 on the
 * tfjs backend; a one-node MatMul ONNX model with the same threads for ONNX Runtime).
 * BENCH_INFER_N stamps per model (default 512), BENCH_BATCH (default 256), BENCH_ORT_THREADS.
 */
import path from 'node:path';
import * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, it } from 'vitest';
import {
  buildCompact,
  buildSpace2vec,
  COMPACT_SPEC,
  modelCost,
  SPACE2VEC_SPEC,
} from '../src/main/worker/model/architectures';
import type { ModelSpec } from '../src/main/worker/model/architectures/spec';
import { installNodeWebGpu, selectBackend } from '../src/main/worker/model/backends';
import { BRAAI_D6_M7_SPEC, importLayersModel } from '../src/main/worker/model/importModel';
import { exportOnnx } from '../src/main/worker/model/onnx/exportOnnx';
import { matMulModel } from '../test/support/matMulModel';
import {
  defaultOrtThreads,
  loadOrt,
  OrtScorer,
  ortSessionOptions,
} from '../src/main/worker/model/onnx/ortRuntime';
import { stampInputLength } from '../src/main/worker/model/preprocess';
import { Rows, bestTime, envInt, ROOT } from './lib';

const rows = new Rows('inference');
afterAll(() => rows.write());

const N = envInt('BENCH_INFER_N', 512);
const BATCH = envInt('BENCH_BATCH', 256);
const ORT_THREADS = envInt('BENCH_ORT_THREADS', defaultOrtThreads());
const MM = 1024;
const BRAAI_DIR = path.resolve(ROOT, '..', 'shared', 'models', 'braai-d6_m7');

interface Subject {
  spec: ModelSpec;
  load: () => Promise<tfl.LayersModel>;
}
const SUBJECTS: Subject[] = [
  { spec: COMPACT_SPEC, load: async () => buildCompact(1) },
  { spec: SPACE2VEC_SPEC, load: async () => buildSpace2vec(1) },
  {
    spec: BRAAI_D6_M7_SPEC,
    load: async () => (await importLayersModel(BRAAI_DIR)).model,
  },
];

/** Random preprocessed-looking input (values do not change the speed of these kernels). */
function input(spec: ModelSpec, n: number): Float32Array {
  const a = new Float32Array(n * stampInputLength(spec));
  for (let i = 0; i < a.length; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

async function tfjsMatmulGflops(size = MM): Promise<number> {
  const a = tfc.randomNormal([size, size]);
  const b = tfc.randomNormal([size, size]);
  const secs = await bestTime(async () => {
    const c = tfc.matMul(a, b);
    await c.data();
    c.dispose();
  });
  tfc.dispose([a, b]);
  return (2 * size ** 3) / secs / 1e9;
}

async function tfjsBackend(backend: 'wasm' | 'cpu' | 'webgpu', subjects: Subject[], n: number, mm: number) {
  await selectBackend(backend);
  const ceiling = await tfjsMatmulGflops(mm);
  for (const s of subjects) {
    let model: tfl.LayersModel;
    try {
      model = await s.load();
    } catch (err) {
      rows.skip(`${s.spec.id} on tfjs-${backend}`, (err as Error).message.split('\n')[0]);
      continue;
    }
    const flops = modelCost(model).flopsPerStamp;
    const [h, w] = s.spec.inputSize;
    const batch = Math.min(BATCH, n);
    const x = tfc.tensor4d(input(s.spec, batch), [batch, h, w, 3]);
    const batches = Math.ceil(n / batch);
    const secs = await bestTime(
      async () => {
        for (let i = 0; i < batches; i++) {
          const y = model.predict(x) as tfc.Tensor;
          await y.data();
          y.dispose();
        }
      },
      2,
      1,
    );
    const rate = (batches * batch) / secs;
    rows.add({
      figure: `${s.spec.id} inference, tfjs-${backend} (batch ${batch})`,
      rate,
      unit: 'stamps/s',
      reference: ceiling,
      refUnit: 'GFLOP/s',
      refLabel: `tf.matMul ${mm}^3 on ${backend}`,
      ratio: (rate * flops) / 1e9 / ceiling,
      note: `${((rate * flops) / 1e9).toFixed(2)} GFLOP/s achieved, ${(flops / 1e6).toFixed(1)} MFLOP/stamp`,
    });
    x.dispose();
    model.dispose();
  }
}

describe('inference', () => {
  it(`tfjs-wasm: ${N} stamps per model`, async () => {
    await tfjsBackend('wasm', SUBJECTS, N, MM);
  });

  it('tfjs-cpu (compact only: pure JS is slow)', async () => {
    if (process.env.BENCH_CPU === '0') return rows.skip('compact inference, tfjs-cpu', 'BENCH_CPU=0');
    await tfjsBackend('cpu', SUBJECTS.slice(0, 1), 32, 256);
  });

  it('tfjs-webgpu (hardware adapters only)', async () => {
    let adapter;
    try {
      adapter = await installNodeWebGpu();
    } catch (err) {
      return rows.skip('inference, tfjs-webgpu', `no WebGPU: ${(err as Error).message.split('\n')[0]}`);
    }
    if (adapter.software && process.env.BENCH_WEBGPU_SOFTWARE !== '1')
      return rows.skip(
        'inference, tfjs-webgpu',
        `only a software adapter (${adapter.description}); BENCH_WEBGPU_SOFTWARE=1 to measure it anyway`,
      );
    await tfjsBackend('webgpu', SUBJECTS, N, MM);
  });

  it(`ONNX Runtime (${ORT_THREADS} threads)`, async () => {
    try {
      await loadOrt();
    } catch (err) {
      return rows.skip('inference, onnxruntime', (err as Error).message);
    }
    await selectBackend('cpu'); // export reads weights synchronously
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(
      matMulModel(MM, MM, MM),
      ortSessionOptions({ threads: ORT_THREADS }),
    );
    const a = new ort.Tensor(
      'float32',
      Float32Array.from({ length: MM * MM }, () => Math.random()),
      [MM, MM],
    );
    const mmSecs = await bestTime(() => session.run({ A: a }));
    const ceiling = (2 * MM ** 3) / mmSecs / 1e9;
    await session.release?.();
    for (const s of SUBJECTS) {
      let model: tfl.LayersModel;
      try {
        model = await s.load();
      } catch (err) {
        rows.skip(`${s.spec.id} on onnxruntime`, (err as Error).message.split('\n')[0]);
        continue;
      }
      const flops = modelCost(model).flopsPerStamp;
      const scorer = await OrtScorer.create(exportOnnx(model, s.spec), s.spec, { threads: ORT_THREADS });
      model.dispose();
      const batch = Math.min(BATCH, N);
      const x = input(s.spec, batch);
      const batches = Math.ceil(N / batch);
      const secs = await bestTime(
        async () => {
          for (let i = 0; i < batches; i++) await scorer.predict(x, batch);
        },
        2,
        1,
      );
      await scorer.release();
      const rate = (batches * batch) / secs;
      rows.add({
        figure: `${s.spec.id} inference, onnxruntime ${ORT_THREADS}t (batch ${batch})`,
        rate,
        unit: 'stamps/s',
        reference: ceiling,
        refUnit: 'GFLOP/s',
        refLabel: `ORT MatMul ${MM}^3, ${ORT_THREADS}t`,
        ratio: (rate * flops) / 1e9 / ceiling,
        note: `${((rate * flops) / 1e9).toFixed(2)} GFLOP/s achieved`,
      });
    }
  });
});
