/**
 * One training engine behind one interface for the in-memory loop (fit.ts): ONNX Runtime's native
 * kernels when chooseTrainer picks them (CPU backends; SKYSIFT_TRAINER overrides), else tfjs on the
 * active backend. Steps, scoring, keeping the best weights and handing them back to the tfjs layers
 * model (what the registry stores) read the same whichever engine runs, so the loop has one path.
 */
import * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../architectures/spec';
import { BCE_EPS } from '../onnx/trainGraph';
import type { OrtTrainer } from './ortTrainer';
import { chooseTrainer } from './trainerChoice';

export interface TrainEngine {
  /** What trains (e.g. 'ONNX Runtime CPU (2 threads)', 'tfjs (wasm)'), for logs and provenance. */
  readonly description: string;
  /** Why this engine (and why not the other). */
  readonly reason: string;
  /** One Adam step on the first `n` rows of `x`; returns the batch's weighted loss. */
  step(x: Float32Array, y: readonly number[], w: readonly number[], n: number): Promise<number>;
  /** Scores the first `n` rows of `x` with the current weights, in inference mode. */
  predict(x: Float32Array, n: number): Promise<Float32Array>;
  /** Remembers the current weights as the best so far. */
  keep(): void;
  /**
   * Training is over: the kept weights (with none kept, the current ones) become the current ones,
   * so that predict() scores as the stored model will (the test split, before finish()).
   */
  useKept(): void;
  /** Remembers the current weights as the anchor of blendWithAnchor (a fine-tune's parent). */
  anchor(): void;
  /**
   * The current weights moved back toward the anchor: anchor + alpha x (current - anchor), every
   * weight alike (frozen ones and batch-norm statistics equal the anchor's and stay so).
   */
  blendWithAnchor(alpha: number): void;
  /**
   * Ends training: the model gets the kept weights (or, with none kept, the current ones), layers
   * are trainable again, and native sessions are released. Call once, also after an error.
   */
  finish(): Promise<void>;
}

export interface EngineOptions {
  model: tfl.LayersModel;
  spec: ModelSpec;
  /** The active tfjs backend's name (decides the automatic choice). */
  backend: string;
  learningRate: number;
  seed: number;
  /** The batch size it will mostly see (ORT sizes its memory arena by it). */
  batchSize?: number;
  /** 'auto' | 'tfjs' | 'onnxruntime'; default SKYSIFT_TRAINER, else auto (trainerChoice.ts). */
  preference?: string;
  /** false: batch norms on moving statistics (guarded fine-tuning); true: batch statistics. */
  trainingMode: boolean;
  /** Layer names whose weights stay as they are. */
  frozen?: readonly string[];
}

/** Binary cross-entropy with per-sample weights (class balancing): the training loss. */
export function weightedBce(pred: tfc.Tensor, y: tfc.Tensor, w: tfc.Tensor): tfc.Scalar {
  const p = tfc.clipByValue(tfc.reshape(pred, [-1]), BCE_EPS, 1 - BCE_EPS);
  const ll = tfc.add(tfc.mul(y, tfc.log(p)), tfc.mul(tfc.sub(1, y), tfc.log(tfc.sub(1, p))));
  return tfc.div(tfc.sum(tfc.mul(tfc.neg(ll), w)), tfc.sum(w)) as tfc.Scalar;
}

/** Scores rows with a tfjs model, in batches, in inference mode. */
export async function predictRows(
  model: tfl.LayersModel,
  x: Float32Array,
  n: number,
  shape: readonly [number, number, number],
  batchSize = 128,
): Promise<Float32Array> {
  const row = shape[0] * shape[1] * shape[2];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += batchSize) {
    const m = Math.min(batchSize, n - i);
    const t = tfc.tensor4d(x.subarray(i * row, (i + m) * row), [m, ...shape]);
    const p = model.predict(t) as tfc.Tensor;
    out.set(await p.data(), i);
    tfc.dispose([t, p]);
  }
  return out;
}

/**
 * Picks and starts the engine. Frozen layers are marked before the ORT graph is built, because
 * the graph reads `trainable` once, at creation, to decide which weights it updates.
 */
export async function startEngine(o: EngineOptions): Promise<TrainEngine> {
  const frozen = new Set(o.frozen ?? []);
  for (const layer of o.model.layers) layer.trainable = !frozen.has(layer.name);
  const unfreeze = () => {
    for (const layer of o.model.layers) layer.trainable = true;
  };
  try {
    const choice = await chooseTrainer(o.backend, o.model, o.spec, {
      learningRate: o.learningRate,
      seed: o.seed,
      batchSize: o.batchSize,
      preference: o.preference,
      inferenceMode: !o.trainingMode,
    });
    return choice.ort
      ? ortEngine(choice.ort, o.model, choice.description, choice.reason, unfreeze)
      : tfjsEngine(o, choice.description, choice.reason, unfreeze);
  } catch (err) {
    unfreeze();
    throw err;
  }
}

function ortEngine(
  ort: OrtTrainer,
  model: tfl.LayersModel,
  description: string,
  reason: string,
  unfreeze: () => void,
): TrainEngine {
  const [h, w, c] = (model.inputs[0].shape as number[]).slice(1);
  const row = h * w * c;
  // The weights live in the trainer until finish(); the model gets them back there.
  let kept: Map<string, Float32Array> | null = null;
  let anchor: Map<string, Float32Array> | null = null;
  return {
    description,
    reason,
    step: (x, y, sw, n) => ort.step(x, y, sw, n),
    async predict(x, n) {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i += 128) {
        const m = Math.min(128, n - i);
        out.set(await ort.predict(x.subarray(i * row, (i + m) * row), m), i);
      }
      return out;
    },
    keep() {
      kept = ort.snapshot();
    },
    useKept() {
      if (kept) ort.restore(kept);
      kept = null;
    },
    anchor() {
      anchor = ort.snapshot();
    },
    blendWithAnchor(alpha) {
      if (!anchor) throw new Error('blendWithAnchor: no anchor remembered');
      const current = ort.snapshot();
      for (const [name, v] of current) {
        const a = anchor.get(name)!;
        for (let i = 0; i < v.length; i++) v[i] = a[i] + alpha * (v[i] - a[i]);
      }
      ort.restore(current);
    },
    async finish() {
      anchor = null;
      try {
        if (kept) ort.restore(kept);
        ort.writeTo(model);
      } finally {
        unfreeze();
        await ort.release();
      }
    },
  };
}

function tfjsEngine(
  o: EngineOptions,
  description: string,
  reason: string,
  unfreeze: () => void,
): TrainEngine {
  const { model } = o;
  const [h, w, c] = (model.inputs[0].shape as number[]).slice(1);
  const row = h * w * c;
  const vars = model.trainableWeights.map((v) => v.read() as tfc.Variable);
  const optimizer = tfc.train.adam(o.learningRate);
  let kept: tfc.Tensor[] | null = null;
  let anchor: tfc.Tensor[] | null = null;
  const useKept = () => {
    if (kept) {
      model.setWeights(kept);
      kept.forEach((t) => t.dispose());
      kept = null;
    }
  };
  return {
    description,
    reason,
    async step(x, y, sw, n) {
      const xt = tfc.tensor4d(x.subarray(0, n * row), [n, h, w, c]);
      const yt = tfc.tensor1d(y.slice(0, n));
      const wt = tfc.tensor1d(sw.slice(0, n));
      const loss = optimizer.minimize(
        () => weightedBce(model.apply(xt, { training: o.trainingMode }) as tfc.Tensor, yt, wt),
        true,
        vars,
      );
      const value = (await loss!.data())[0];
      tfc.dispose([xt, yt, wt, loss!]);
      return value;
    },
    predict: (x, n) => predictRows(model, x, n, [h, w, c]),
    keep() {
      kept?.forEach((t) => t.dispose());
      kept = model.getWeights().map((t) => t.clone());
    },
    useKept,
    anchor() {
      if (anchor) tfc.dispose(anchor);
      anchor = model.getWeights().map((t) => t.clone());
    },
    blendWithAnchor(alpha) {
      if (!anchor) throw new Error('blendWithAnchor: no anchor remembered');
      const a = anchor;
      const next = tfc.tidy(() =>
        model.getWeights().map((w, i) => tfc.add(a[i], tfc.mul(tfc.sub(w, a[i]), alpha))),
      );
      model.setWeights(next);
      tfc.dispose(next);
    },
    async finish() {
      useKept();
      if (anchor) tfc.dispose(anchor);
      anchor = null;
      optimizer.dispose();
      unfreeze();
    },
  };
}
