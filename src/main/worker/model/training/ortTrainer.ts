/**
 * Training on ONNX Runtime's native CPU kernels (onnxruntime-node, an optional dependency): one
 * session runs the whole step (forward, backward, Adam; see ../onnx/trainGraph.ts). Scoring with
 * the current weights (validation, the test split) runs the scoring export of those weights
 * (../onnx/exportOnnx.ts: ORT's own convolutions, batch norms folded; 300 validation stamps in
 * 0.12 s against 0.28 s through the training graph's im2col layout, bench night, 2 loaded cores),
 * in a session made again only after the weights changed. Weights, Adam moments and batch-norm
 * statistics live here as plain arrays between steps; writeTo() puts them back into the tfjs
 * layers model, which is what the registry stores.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import * as tfc from '@tensorflow/tfjs-core';
import type { ModelSpec } from '../architectures/spec';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from '../onnx/exportOnnx';
import {
  defaultOrtThreads,
  loadOrt,
  ortSessionOptions,
  type OrtModule,
  type OrtSession,
  type OrtTensor,
} from '../onnx/ortRuntime';
import {
  ADAM_BETA1,
  ADAM_BETA2,
  ADAM_C1,
  ADAM_C2,
  ADAM_LR,
  ADAM_W,
  buildTrainGraph,
  channelsFirst,
  LABELS_INPUT,
  LOSS_OUTPUT,
  ADAM_M,
  ADAM_V,
  newName,
  SAMPLE_WEIGHTS_INPUT,
  TRAIN_INPUT,
  type DropoutInput,
  type GraphParam,
} from '../onnx/trainGraph';
import { seededRandom } from './split';

export interface OrtTrainerOptions {
  learningRate: number;
  threads?: number;
  /** Seeds the dropout masks. */
  seed?: number;
  /** 'webgpu': ORT's WebGPU execution provider (see ortSessionOptions). */
  device?: 'cpu' | 'webgpu';
  /** The batch size it will mostly see (decides the memory arena; default 64). */
  batchSize?: number;
  /** ORT's CPU memory arena; default: on unless a step's im2col columns exceed 512 MiB. */
  memoryArena?: boolean;
  /** Guarded fine-tuning: batch norms on moving statistics, no dropout (TrainGraphOptions). */
  inferenceMode?: boolean;
  /** Writes ORT's per-node profile of the training session to `<profile>_<date>.json` at release(). */
  profile?: string;
}

const ARENA_LIMIT_BYTES = 512 * 2 ** 20;

export class OrtTrainer {
  private values = new Map<string, Float32Array>();
  /**
   * The trained weights, flat in `params` order (the graph's ADAM_W); their entries in `values`
   * are views of it, so a step feeds them both without copying (see pack()).
   */
  private flat: Float32Array = new Float32Array(0);
  /** Adam's moments, flat over the trained weights in `params` order (as the graph wants them). */
  private adamM: Float32Array = new Float32Array(0);
  private adamV: Float32Array = new Float32Array(0);
  private steps = 0;
  private readonly random: () => number;
  /** The batch in the graphs' [C, H, W, N] layout (grown on demand, reused between steps). */
  private chwn: Float32Array = new Float32Array(0);
  /** Bumped whenever the weights change: the scoring session is rebuilt only then. */
  private generation = 0;
  private scorer: { generation: number; session: Promise<OrtSession> } | null = null;

  private constructor(
    private readonly ort: OrtModule,
    private readonly trainSession: OrtSession,
    /** Only the layers' structure is read (for the scoring export); the weights live here. */
    private readonly model: tfl.LayersModel,
    private readonly spec: ModelSpec,
    private readonly scoringOptions: Record<string, unknown>,
    private readonly params: GraphParam[],
    private readonly dropouts: DropoutInput[],
    private readonly inputDims: [number, number, number],
    readonly learningRate: number,
    readonly description: string,
    seed: number,
  ) {
    this.random = seededRandom(seed ^ 0x5bd1e995);
  }

  static async create(model: tfl.LayersModel, spec: ModelSpec, opts: OrtTrainerOptions): Promise<OrtTrainer> {
    const ort = await loadOrt();
    const train = buildTrainGraph(model, spec, 'adam', { inferenceMode: opts.inferenceMode });
    const threads = opts.threads ?? defaultOrtThreads();
    const device = opts.device ?? 'cpu';
    // The arena makes small steps fast (compact at batch 64: 4x faster than plain allocations),
    // but with large im2col columns it kept growing across steps (space2vec at batch 368: 2.2 GB
    // RSS after one step, 4.0 GB after two; without it ~0.6 GB, and faster).
    const arena =
      opts.memoryArena ?? train.columnFloatsPerSample * 4 * (opts.batchSize ?? 64) <= ARENA_LIMIT_BYTES;
    // No spinning: between steps this thread reads the cache, flips, draws replay and transposes
    // while spinning pool threads would hold the cores. Bench night, 2 cores, alternating runs:
    // retrain from scratch 17.6 / 19.6 s spinning, 17.0 / 16.4 s not; one-click 48.5 / 49.5 s, 45.1 / 43.2 s.
    const options = { ...ortSessionOptions({ threads, device, spin: false }), enableCpuMemArena: arena };
    const trainSession = await ort.InferenceSession.create(
      train.bytes,
      opts.profile ? { ...options, enableProfiling: true, profileFilePrefix: opts.profile } : options,
    );
    const [, h, w, c] = model.inputs[0].shape as number[];
    const trainer = new OrtTrainer(
      ort,
      trainSession,
      model,
      spec,
      // Scoring stays on the CPU: a session is made per change of weights (each validation), and a
      // WebGPU one would compile its shaders every time for a few hundred stamps.
      { ...ortSessionOptions({ threads, device: 'cpu', spin: false }), enableCpuMemArena: arena },
      train.params,
      train.dropouts,
      [h, w, c],
      opts.learningRate,
      device === 'webgpu'
        ? 'ONNX Runtime WebGPU EP'
        : `ONNX Runtime CPU (${threads} thread${threads === 1 ? '' : 's'})`,
      opts.seed ?? 1,
    );
    trainer.readFrom(model);
    return trainer;
  }

  /** Takes the layers model's current weights (Adam moments restart at zero). */
  readFrom(model: tfl.LayersModel): void {
    const byLayer = new Map(model.layers.map((l) => [l.name, l]));
    for (const p of this.params) {
      const layer = byLayer.get(p.layer);
      if (!layer) throw new Error(`ONNX trainer: the model has no layer ${p.layer}`);
      const t = layer.getWeights()[p.index];
      this.values.set(p.name, Float32Array.from(t.dataSync()));
    }
    this.pack(new Float32Array(this.trainedTotal()));
    this.adamM = new Float32Array(this.flat.length);
    this.adamV = new Float32Array(this.flat.length);
    this.steps = 0;
    this.generation++;
  }

  /** Writes the current weights into `model` (same architecture), layer by layer. */
  writeTo(model: tfl.LayersModel): void {
    for (const layer of model.layers) {
      const mine = this.params.filter((p) => p.layer === layer.name);
      if (!mine.length) continue;
      const current = layer.getWeights();
      const next = current.map((t, i) => {
        const p = mine.find((q) => q.index === i);
        return p ? tfc.tensor(this.values.get(p.name)!, t.shape) : t;
      });
      layer.setWeights(next);
      tfc.dispose(next.filter((t, i) => t !== current[i]));
    }
  }

  /** A copy of the weights (for keeping the best epoch). */
  snapshot(): Map<string, Float32Array> {
    return new Map([...this.values].map(([k, v]) => [k, v.slice()]));
  }

  restore(snapshot: Map<string, Float32Array>): void {
    for (const [k, v] of snapshot) this.values.set(k, v.slice());
    this.pack(new Float32Array(this.trainedTotal()));
    this.generation++;
  }

  private trainedTotal(): number {
    return this.params.reduce((s, p) => s + (p.role === 'train' ? this.values.get(p.name)!.length : 0), 0);
  }

  /**
   * Makes `flat` the trained weights' storage: copies each into it unless it is already there
   * (a step's output), and points `values` at the views.
   */
  private pack(flat: Float32Array, copy = true): void {
    let at = 0;
    for (const p of this.params) {
      if (p.role !== 'train') continue;
      const size = p.shape.reduce((a, b) => a * b, 1);
      const view = flat.subarray(at, at + size);
      if (copy) view.set(this.values.get(p.name)!);
      this.values.set(p.name, view);
      at += size;
    }
    if (at !== flat.length)
      throw new Error(`ONNX trainer: ${flat.length} trained weight values, the graph has ${at}`);
    this.flat = flat;
  }

  private tensor(data: Float32Array, dims: readonly number[]): OrtTensor {
    return new this.ort.Tensor('float32', data, dims);
  }

  private stampsFeed(x: Float32Array, n: number): OrtTensor {
    const [h, w, c] = this.inputDims;
    if (this.chwn.length < n * h * w * c) this.chwn = new Float32Array(n * h * w * c);
    return this.tensor(channelsFirst(x, n, this.inputDims, this.chwn.subarray(0, n * h * w * c)), [
      c,
      h,
      w,
      n,
    ]);
  }

  private weightFeeds(): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    for (const p of this.params) feeds[p.name] = this.tensor(this.values.get(p.name)!, p.shape);
    return feeds;
  }

  /**
   * One Adam step on the first `n` stamps of `x` ([n, H, W, C] as preprocessBatch writes them),
   * labels `y` (0/1) and per-sample weights `w`. Dropout masks are drawn here unless given
   * (tests pass their own). Returns the batch's loss.
   */
  async step(
    x: Float32Array,
    y: ArrayLike<number>,
    w: ArrayLike<number>,
    n: number,
    masks?: Map<string, Float32Array>,
  ): Promise<number> {
    this.steps++;
    this.generation++;
    const feeds = this.weightFeeds();
    feeds[TRAIN_INPUT] = this.stampsFeed(x, n);
    feeds[LABELS_INPUT] = this.tensor(
      Float32Array.from({ length: n }, (_, i) => y[i]),
      [n, 1],
    );
    feeds[SAMPLE_WEIGHTS_INPUT] = this.tensor(
      Float32Array.from({ length: n }, (_, i) => w[i]),
      [n, 1],
    );
    for (const d of this.dropouts) {
      let mask = masks?.get(d.name);
      if (!mask) {
        const keep = 1 / (1 - d.rate);
        mask = new Float32Array(n * d.features);
        for (let i = 0; i < mask.length; i++) mask[i] = this.random() < d.rate ? 0 : keep;
      }
      feeds[d.name] = this.tensor(mask, [n, d.features]);
    }
    feeds[ADAM_W] = this.tensor(this.flat, [this.flat.length]);
    feeds[ADAM_M] = this.tensor(this.adamM, [this.adamM.length]);
    feeds[ADAM_V] = this.tensor(this.adamV, [this.adamV.length]);
    feeds[ADAM_LR] = this.tensor(Float32Array.of(this.learningRate), []);
    feeds[ADAM_C1] = this.tensor(Float32Array.of(1 / (1 - ADAM_BETA1 ** this.steps)), []);
    feeds[ADAM_C2] = this.tensor(Float32Array.of(1 / (1 - ADAM_BETA2 ** this.steps)), []);
    const out = await this.trainSession.run(feeds);
    this.pack(out[newName(ADAM_W)].data, false);
    for (const p of this.params) if (p.role === 'moving') this.values.set(p.name, out[newName(p.name)].data);
    this.adamM = out[newName(ADAM_M)].data;
    this.adamV = out[newName(ADAM_V)].data;
    const loss = out[LOSS_OUTPUT].data[0];
    if (!Number.isFinite(loss))
      throw new Error(`ONNX trainer: the loss became ${loss} at step ${this.steps}`);
    return loss;
  }

  /**
   * Scores the first `n` stamps of `x` ([n, H, W, C]) with the current weights, batch norms on
   * moving statistics: what the stored model will score once writeTo() has given it these weights.
   */
  async predict(x: Float32Array, n: number): Promise<Float32Array> {
    const [h, w, c] = this.inputDims;
    const session = await this.scoringSession();
    const out = await session.run({ [ONNX_INPUT]: this.tensor(x.subarray(0, n * h * w * c), [n, h, w, c]) });
    return out[ONNX_OUTPUT].data;
  }

  /** The scoring session of the current weights: exported and created again only after they changed. */
  private scoringSession(): Promise<OrtSession> {
    if (this.scorer?.generation === this.generation) return this.scorer.session;
    const previous = this.scorer?.session;
    const byWeight = new Map(this.params.map((p) => [`${p.layer}\n${p.index}`, p.name]));
    const bytes = exportOnnx(this.model, this.spec, (layer, index) => {
      const name = byWeight.get(`${layer}\n${index}`);
      // Every weight is a graph parameter; one that is not would be read stale from the model.
      if (name === undefined) throw new Error(`ONNX trainer: ${layer} weight ${index} is not in the graph`);
      return this.values.get(name);
    });
    const session = (async () => {
      await (await previous?.catch(() => null))?.release?.();
      return this.ort.InferenceSession.create(bytes, this.scoringOptions);
    })();
    this.scorer = { generation: this.generation, session };
    return session;
  }

  async release(): Promise<void> {
    this.trainSession.endProfiling?.();
    await this.trainSession.release?.();
    const scorer = this.scorer;
    this.scorer = null;
    await (await scorer?.session.catch(() => null))?.release?.();
  }
}
