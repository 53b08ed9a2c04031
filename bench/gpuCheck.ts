/**
 * The GPU check (scripts/gpu-check.sh runs the bundle of this file): in one run, inference and
 * training rates of compact and space2vec on every engine this machine has -
 *   ONNX Runtime CPU, ONNX Runtime WebGPU EP (inference, and the training graph of
 *   src/main/worker/model/onnx/trainGraph.ts), tfjs WebGPU through Dawn (the `webgpu` package)
 * - each with the device that ran it, and the largest score / loss difference to ORT CPU on the
 * same input (a GPU figure is only worth printing when it computes the same thing).
 * Sizes: GPU_CHECK_SECONDS (per figure, default 3), GPU_CHECK_INFER_BATCH (256),
 * GPU_CHECK_TRAIN_BATCH (64), GPU_CHECK_ARCHS (compact,space2vec).
 */
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  buildCompact,
  buildSpace2vec,
  COMPACT_SPEC,
  SPACE2VEC_SPEC,
} from '../src/main/worker/model/architectures';
import type { ModelSpec } from '../src/main/worker/model/architectures/spec';
import { selectBackend } from '../src/main/worker/model/backends/selectBackend';
import { installNodeWebGpu } from '../src/main/worker/model/backends/webgpuNode';
import { CPU_BACKENDS, GPU_BACKENDS } from '../src/main/worker/model/onnx/inferenceEngine';
import { exportOnnx } from '../src/main/worker/model/onnx/exportOnnx';
import { defaultOrtThreads, loadOrt, OrtScorer } from '../src/main/worker/model/onnx/ortRuntime';
import { OrtTrainer } from '../src/main/worker/model/training/ortTrainer';
import { chooseTrainer } from '../src/main/worker/model/training/trainerChoice';

const num = (name: string, fallback: number) => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const SECONDS = num('GPU_CHECK_SECONDS', 3);
const INFER_BATCH = Math.floor(num('GPU_CHECK_INFER_BATCH', 256));
const TRAIN_BATCH = Math.floor(num('GPU_CHECK_TRAIN_BATCH', 64));
const ARCHS = (process.env.GPU_CHECK_ARCHS ?? 'compact,space2vec').split(',');

const now = () => performance.now() / 1000;
const line = (s: string) => console.log(s);

/** Items per second of `step` (which handles `items`), after one warm-up, for ~SECONDS. */
async function rate(items: number, step: () => Promise<unknown>): Promise<{ rate: number; runs: number }> {
  await step();
  const t0 = now();
  let runs = 0;
  do {
    await step();
    runs++;
  } while (now() - t0 < SECONDS);
  return { rate: (runs * items) / (now() - t0), runs };
}

function input(n: number): Float32Array {
  return Float32Array.from({ length: n * 51 * 51 * 3 }, (_, i) => Math.sin(i * 0.37) * 1.5);
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

function row(figure: string, device: string, r: number, unit: string, extra = '') {
  line(
    `${figure.padEnd(34)} ${device.padEnd(44)} ${r.toFixed(1).padStart(10)} ${unit}${extra ? `  ${extra}` : ''}`,
  );
}

async function main() {
  await tfc.setBackend('cpu'); // builds the models; every figure below names its own engine
  line(`node ${process.version}, ${defaultOrtThreads()} CPU threads`);
  const ort = await loadOrt();
  const listed = (ort as unknown as { listSupportedBackends?: () => unknown }).listSupportedBackends?.();
  line(`onnxruntime-node execution providers: ${JSON.stringify(listed ?? 'unknown')}`);
  let adapter = 'none';
  try {
    const a = await installNodeWebGpu();
    adapter = `${a.description}${a.software ? ' (software)' : ''}`;
    if (a.via) line(`Vulkan: ${a.via}`);
  } catch (err) {
    adapter = `none: ${(err as Error).message}`;
  }
  line(`WebGPU adapter (Dawn, webgpu package): ${adapter}`);
  line('');
  line(`${'figure'.padEnd(34)} ${'engine / device'.padEnd(44)} ${'rate'.padStart(10)}`);
  const failures: string[] = [];
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      const msg = (err as Error).message.split('\n')[0].slice(0, 200);
      failures.push(`${what}: ${msg}`);
      line(`${what.padEnd(34)} FAILED: ${msg}`);
    }
  };

  for (const id of ARCHS) {
    const build = id === 'compact' ? buildCompact : id === 'space2vec' ? buildSpace2vec : null;
    if (!build) throw new Error(`GPU_CHECK_ARCHS: unknown architecture '${id}'`);
    const spec = (id === 'compact' ? COMPACT_SPEC : SPACE2VEC_SPEC) as ModelSpec;
    const model = build(1);
    const bytes = exportOnnx(model, spec);
    const xi = input(INFER_BATCH);
    const xt = input(TRAIN_BATCH);
    const y = Array.from({ length: TRAIN_BATCH }, (_, i) => i % 2);
    const w = Array.from({ length: TRAIN_BATCH }, () => 1);
    let cpuScores: Float32Array | null = null;
    let cpuLoss: number | null = null;

    await attempt(`${id} inference`, async () => {
      const s = await OrtScorer.create(bytes, spec, { device: 'cpu' });
      cpuScores = Float32Array.from(await s.predict(xi, INFER_BATCH));
      const r = await rate(INFER_BATCH, () => s.predict(xi, INFER_BATCH));
      row(
        `${id} inference b${INFER_BATCH}`,
        `ONNX Runtime CPU ${defaultOrtThreads()} threads`,
        r.rate,
        'stamps/s',
      );
      await s.release();
    });
    await attempt(`${id} inference`, async () => {
      const s = await OrtScorer.create(bytes, spec, { device: 'webgpu' });
      const scores = await s.predict(xi, INFER_BATCH);
      const r = await rate(INFER_BATCH, () => s.predict(xi, INFER_BATCH));
      const diff = cpuScores ? `max |score - CPU| ${maxDiff(scores, cpuScores).toExponential(1)}` : '';
      row(`${id} inference b${INFER_BATCH}`, `ONNX Runtime WebGPU EP`, r.rate, 'stamps/s', diff);
      await s.release();
    });
    await attempt(`${id} training`, async () => {
      const t = await OrtTrainer.create(model, spec, { learningRate: 1e-4, device: 'cpu' });
      // The loss of the first step on fresh weights: the GPU graph must match it.
      const fresh = await OrtTrainer.create(model, spec, { learningRate: 1e-4, device: 'cpu' });
      cpuLoss = await fresh.step(xt, y, w, TRAIN_BATCH);
      await fresh.release();
      const r = await rate(TRAIN_BATCH, () => t.step(xt, y, w, TRAIN_BATCH));
      row(
        `${id} training b${TRAIN_BATCH}`,
        `ONNX Runtime CPU ${defaultOrtThreads()} threads`,
        r.rate,
        'samples/s',
      );
      await t.release();
    });
    await attempt(`${id} training`, async () => {
      const t = await OrtTrainer.create(model, spec, { learningRate: 1e-4, device: 'webgpu' });
      const loss = await t.step(xt, y, w, TRAIN_BATCH);
      const r = await rate(TRAIN_BATCH, () => t.step(xt, y, w, TRAIN_BATCH));
      const diff = cpuLoss !== null ? `|first loss - CPU| ${Math.abs(loss - cpuLoss).toExponential(1)}` : '';
      row(`${id} training b${TRAIN_BATCH}`, 'ONNX Runtime WebGPU EP', r.rate, 'samples/s', diff);
      await t.release();
    });

    // tfjs WebGPU through Dawn: the same layers model, weights copied over.
    await attempt(`${id} tfjs-webgpu`, async () => {
      await installNodeWebGpu();
      await import('@tensorflow/tfjs-backend-webgpu');
      if (!(await tfc.setBackend('webgpu'))) throw new Error('tfjs could not start its webgpu backend');
      const gm = build(1);
      gm.setWeights(model.getWeights());
      const x = tfc.tensor4d(xi, [INFER_BATCH, 51, 51, 3]);
      const scores = await (gm.predict(x) as tfc.Tensor).data(); // sync reads need OffscreenCanvas
      const ri = await rate(INFER_BATCH, async () => {
        const p = gm.predict(x) as tfc.Tensor;
        await p.data();
        p.dispose();
      });
      const diff = cpuScores ? `max |score - ORT CPU| ${maxDiff(scores, cpuScores).toExponential(1)}` : '';
      row(
        `${id} inference b${INFER_BATCH}`,
        `tfjs WebGPU (${adapter})`.slice(0, 44),
        ri.rate,
        'stamps/s',
        diff,
      );
      const opt = tfc.train.adam(1e-4);
      const xtt = tfc.tensor4d(xt, [TRAIN_BATCH, 51, 51, 3]);
      const yt = tfc.tensor2d(y, [TRAIN_BATCH, 1]);
      const rt = await rate(TRAIN_BATCH, async () => {
        const loss = opt.minimize(() => {
          const p = tfc.clipByValue(gm.apply(xtt, { training: true }) as tfc.Tensor, 1e-7, 1 - 1e-7);
          const ll = tfc.add(tfc.mul(yt, tfc.log(p)), tfc.mul(tfc.sub(1, yt), tfc.log(tfc.sub(1, p))));
          return tfc.neg(tfc.mean(ll)) as tfc.Scalar;
        }, true);
        await loss!.data();
        loss!.dispose();
      });
      row(`${id} training b${TRAIN_BATCH}`, `tfjs WebGPU (${adapter})`.slice(0, 44), rt.rate, 'samples/s');
      tfc.dispose([x, xtt, yt]);
      opt.dispose();
      gm.dispose();
      await tfc.setBackend('cpu');
    });
    model.dispose();
  }
  // What the app itself would run here, chosen as the worker chooses it.
  line('');
  await attempt('automatic choice', async () => {
    const choice = await selectBackend('auto');
    line(`tfjs backend chosen: ${choice.name}: ${choice.reason}`);
    for (const t of choice.tried) line(`  passed over ${t.name}: ${t.error}`);
    const backend = tfc.getBackend();
    line(
      `scoring would run on: ${GPU_BACKENDS.includes(backend) ? 'ONNX Runtime WebGPU EP' : CPU_BACKENDS.includes(backend) ? 'ONNX Runtime CPU' : `tfjs ${backend}`}`,
    );
    const model = buildCompact(1);
    const trainer = await chooseTrainer(backend, model, COMPACT_SPEC as ModelSpec, {
      learningRate: 1e-4,
      seed: 1,
    });
    line(`training would run on: ${trainer.description} (${trainer.reason})`);
    await trainer.ort?.release();
    model.dispose();
  });
  line('');
  line(failures.length ? `${failures.length} figure(s) failed (above).` : 'every figure ran.');
  return failures.length;
}

main().then(
  (failed) => process.exit(failed ? 1 : 0),
  (err) => {
    console.error(`gpu-check: ${(err as Error).stack ?? err}`);
    process.exit(2);
  },
);
