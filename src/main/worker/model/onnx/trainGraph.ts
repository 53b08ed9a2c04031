/**
 * A training step as an ONNX graph (opset 13, standard ops only), so that onnxruntime-node's native
 * CPU kernels train our models: forward pass in training mode, the backward pass written out by
 * hand, and Adam, all in one session run. onnxruntime-node ships no training API; every gradient
 * here is an ordinary inference op. Activations are [C, H, W, N] inside (channel first, batch
 * last), so that every convolution is one GEMM on im2col columns built by ONE Gather:
 *   Conv2D       columns [(ci, tap), (Ho*Wo, N)] = Gather of the input [ci, H*W + 1 zero pixel, N]
 *                at a constant [taps, Ho*Wo] pixel table (padding reads the zero pixel; strides
 *                are in the table), whole N-float runs per index; forward Z = W^T cols (+ bias);
 *                filter gradient dW = cols dZ^T (the same columns); input gradient: dcols = W dZ
 *                (dZ with a zero column appended), then per input pixel and tap a Gather of the
 *                one output column that read it (or the zero column), summed over taps.
 *                Strided convolutions take their input gradient class by class instead (pixels
 *                read through the same taps: strideClasses), one Gather of dZ and one Gemm each,
 *                the layer below writing its output in that pixel order where it can (else one
 *                Gather puts the classes back); stride-1 convolutions whose input is in natural
 *                order by ORT's Conv of dZ with the flipped kernel (3-D, 1 wide along N); the
 *                gathered col2im remains for the rest. A convolution whose input and output are
 *                both in natural order runs its forward pass as that ORT Conv too (its columns are
 *                then gathered in the backward pass, for the filter gradient only).
 *                Measured per step on 1 thread (CPU ms, compact / space2vec, batch 64): the
 *                earlier Pad + strided Slices + Concat im2col and padded-pieces col2im 143 / 454;
 *                ConvTranspose for the input gradient 123 / 421; the gathered col2im for every
 *                layer 113 / ~375. Against that graph, same process, alternating, 2 threads, wall
 *                per step: compact 49 vs 58 ms, space2vec 187 vs 200 ms on a quiet machine
 *                (x0.83 / x0.94); x0.93 / x0.96 on a loaded one.
 *   BatchNorm    batch statistics, dX = gamma invstd (dY - mean(dY) - Xhat mean(dY Xhat)), the two
 *                sums being dbeta and dgamma;
 *                moving statistics updated as tfjs does (m - (m - batch) * (1 - momentum))
 *   ReLU         dY * Cast(Y > 0); after a convolution on the Gemm's output (ORT fuses the two)
 *   GAP, Flatten broadcast / reshape back
 *   Dropout      the keep mask (0 or 1/keep) is an input, drawn by the caller from a seeded PRNG
 *   Dense        Gemm both ways
 *   sigmoid + weighted, clipped binary cross-entropy: dZ = w (p - y) / sum(w), 0 where p is clipped
 * Weights go in and come out in tfjs's layouts (conv kernels HWIO, dense [in, out]) so that the
 * caller copies them to and from the layers model unchanged.
 *
 * Modes: 'grads' outputs the loss and every gradient (for the gradient tests), 'adam' outputs the
 * loss and the updated weights, Adam moments (one flat vector each: ADAM_W) and batch-norm statistics
 * (validation and test scores run the scoring export of the same weights, exportOnnx.ts). The
 * stamps come in as [C, H, W, N] (TRAIN_INPUT, channelsFirst).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../architectures/spec';
import { tfPads } from './exportOnnx';
import { encodeModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnxProto';

export type TrainGraphMode = 'grads' | 'adam';

/** One weight of the layers model, as the graph sees it. */
export interface GraphParam {
  /**
   * Graph input name. In 'adam' mode `${name}:new` is an output for batch-norm statistics; trained
   * weights come out in `${ADAM_W}:new` (see ADAM_W, ADAM_M).
   */
  name: string;
  layer: string;
  /** Index in layer.weights (and layer.getWeights()). */
  index: number;
  shape: number[];
  /** 'train': updated by Adam; 'moving': batch-norm statistics; 'fixed': read only. */
  role: 'train' | 'moving' | 'fixed';
}

export interface DropoutInput {
  name: string;
  rate: number;
  /** Features per sample (the mask is [N, features]). */
  features: number;
}

export interface TrainGraph {
  bytes: Uint8Array;
  /** im2col floats one sample holds during a step (all convolutions): the bulk of a step's memory. */
  columnFloatsPerSample: number;
  mode: TrainGraphMode;
  params: GraphParam[];
  dropouts: DropoutInput[];
}

/** The stamps, [C, H, W, N] (channels first, batch last): see channelsFirst. */
export const TRAIN_INPUT = 'stamps_chwn';
export const LABELS_INPUT = 'labels';
export const SAMPLE_WEIGHTS_INPUT = 'sample_weights';
export const LOSS_OUTPUT = 'loss';
export const ADAM_LR = 'adam_lr';
export const ADAM_C1 = 'adam_c1';
export const ADAM_C2 = 'adam_c2';
/**
 * Every trained weight, flat, in `TrainGraph.params` order ('adam' mode): Adam reads them this way
 * and `${ADAM_W}:new` gives them back this way (the caller's per-weight inputs can be views of it).
 */
export const ADAM_W = 'adam_w';
/** Adam's first and second moments of every trained weight, flat, in `TrainGraph.params` order. */
export const ADAM_M = 'adam_m';
export const ADAM_V = 'adam_v';
/** tfjs's defaults (tf.train.adam(lr) with the backend epsilon of float32 backends). */
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-7;
/** The clip of every training and validation loss: this graph's, tfjs's (trainEngine.ts), fit.ts's bce. */
export const BCE_EPS = 1e-7;

export const gradName = (p: string) => `${p}:grad`;
export const newName = (p: string) => `${p}:new`;

/**
 * The first `n` stamps of `x` ([n, H, W, C], as preprocessBatch writes them) as the graphs' input
 * [C, H, W, n]. Pixel-major: per pixel, the n stamps' C values are read from n places at once and
 * written as C runs of n floats, which stays in cache (64 stamps of 51x51x3: 0.8 ms; stamp-major 1.3 ms).
 */
export function channelsFirst(
  x: Float32Array,
  n: number,
  [h, w, c]: readonly [number, number, number],
  out: Float32Array = new Float32Array(n * h * w * c),
): Float32Array {
  const pixels = h * w;
  const stamp = pixels * c;
  for (let p = 0; p < pixels; p++)
    for (let k = 0; k < c; k++) {
      const to = (k * pixels + p) * n;
      for (let i = 0, from = p * c + k; i < n; i++, from += stamp) out[to + i] = x[from];
    }
  return out.length === n * stamp ? out : out.subarray(0, n * stamp);
}

function pair(v: unknown, fallback: number): [number, number] {
  if (v === undefined || v === null) return [fallback, fallback];
  if (Array.isArray(v)) return [Number(v[0]), Number(v[1] ?? v[0])];
  return [Number(v), Number(v)];
}

class G {
  nodes: OnnxNode[] = [];
  initializers: OnnxTensor[] = [];
  private n = 0;
  private consts = new Map<string, string>();

  op(opType: string, inputs: string[], attributes?: OnnxNode['attributes'], out?: string): string {
    const o = out ?? `t${this.n++}_${opType}`;
    this.nodes.push({ opType, inputs, outputs: [o], name: `n${this.n++}`, attributes });
    return o;
  }

  f(value: number): string {
    const key = `f${value}`;
    let name = this.consts.get(key);
    if (!name) {
      name = `const_f_${this.consts.size}`;
      this.initializers.push({ name, dims: [], data: Float32Array.of(value) });
      this.consts.set(key, name);
    }
    return name;
  }

  ints(values: number[]): string {
    const key = `i${values.join(',')}`;
    let name = this.consts.get(key);
    if (!name) {
      name = `const_i_${this.consts.size}`;
      this.initializers.push({ name, dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
      this.consts.set(key, name);
    }
    return name;
  }

  /** An int64 constant of the given shape (index tables). */
  table(dims: number[], values: number[]): string {
    const name = `const_t_${this.initializers.length}`;
    this.initializers.push({ name, dims, data: BigInt64Array.from(values.map(BigInt)) });
    return name;
  }

  /**
   * dY where Y > 0, else 0, as dY times the mask cast to float: ORT's Where with a scalar branch
   * takes its slow broadcasting path (measured on [16, 51, 51, 64]: Where 3.9 ms, Cast + Mul 1.6 ms,
   * Sign + Mul 3.7 ms; the Greater 0.5 ms either way).
   */
  reluGrad(dy: string, y: string): string {
    return this.op('Mul', [dy, this.op('Cast', [this.op('Greater', [y, this.f(0)])], { to: 1 })]);
  }

  private batchDim: string | null = null;
  private zeroPixels = new Map<number, string>();

  /** The batch size N as a 1-D int64 tensor, read once from the [C, H, W, N] stamps. */
  batch(): string {
    if (!this.batchDim)
      this.batchDim = this.op('Slice', [this.op('Shape', [TRAIN_INPUT]), this.ints([3]), this.ints([4])]);
    return this.batchDim;
  }

  /**
   * x [c, P, N] with one zero pixel appended ([c, P + 1, N]): by Concat with zeros, which ORT
   * copies as whole blocks (a Pad of [25, 2601, 64]: 2.5 ms; this Concat: 1.2 ms).
   */
  appendZeroPixel(x: string, c: number): string {
    let zeros = this.zeroPixels.get(c);
    if (!zeros) {
      zeros = this.op('ConstantOfShape', [this.op('Concat', [this.ints([c, 1]), this.batch()], { axis: 0 })]);
      this.zeroPixels.set(c, zeros);
    }
    return this.op('Concat', [x, zeros], { axis: 1 });
  }
}

interface ConvGeometry {
  kh: number;
  kw: number;
  ci: number;
  co: number;
  sh: number;
  sw: number;
  pads: number[];
  out: [number, number];
  useBias: boolean;
}

/** A Conv2D layer's shapes on an [h, w, c] input, with what the graph does not support refused. */
function convGeometry(layer: tfl.layers.Layer, [h, w]: [number, number], c: number): ConvGeometry {
  const name = layer.name;
  const config = layer.getConfig() as Record<string, unknown>;
  const kernel = layer.weights.find((v) => /(^|\/)kernel(_\d+)?$/.test(v.originalName ?? v.name));
  if (!kernel) throw new Error(`ONNX training graph: ${name} has no kernel`);
  const [kh, kw, ci, co] = kernel.shape as number[];
  if (ci !== c) throw new Error(`ONNX training graph: ${name} expects ${ci} channels, got ${c}`);
  const [sh, sw] = pair(config.strides, 1);
  const dil = pair(config.dilationRate, 1);
  if (dil[0] !== 1 || dil[1] !== 1)
    throw new Error(`ONNX training graph: ${name}: dilated convolutions are not supported`);
  if (sh > kh || sw > kw)
    throw new Error(`ONNX training graph: ${name}: strides larger than the kernel are not supported`);
  const { pads, out } = tfPads(config.padding ?? 'valid', [h, w], [kh, kw], [sh, sw]);
  return { kh, kw, ci, co, sh, sw, pads, out, useBias: config.useBias !== false };
}

/**
 * The input pixels of a strided convolution in classes: pixel (r, q) is read through the taps
 * (ki, kj) with ki = r + pad (mod sh) and kj = q + pad (mod sw), so the (r + pad) mod sh,
 * (q + pad) mod sw residues split the pixels into sh * sw classes, each with its own taps (where a
 * window of the class runs off the output, the zero column stands in). `order` lists the pixels
 * class after class (natural order inside a class): the input gradient comes out that way.
 */
function strideClasses(
  { kh, kw, sh, sw, pads }: ConvGeometry,
  [ih, iw]: [number, number],
): { order: number[]; groups: { taps: number[]; start: number; count: number }[] } {
  const order: number[] = [];
  const groups: { taps: number[]; start: number; count: number }[] = [];
  for (let a = 0; a < sh; a++)
    for (let b = 0; b < sw; b++) {
      const start = order.length;
      for (let r = 0; r < ih; r++)
        for (let q = 0; q < iw; q++)
          if ((r + pads[0]) % sh === a && (q + pads[1]) % sw === b) order.push(r * iw + q);
      const taps: number[] = [];
      for (let ki = a; ki < kh; ki += sh) for (let kj = b; kj < kw; kj += sw) taps.push(ki * kw + kj);
      if (order.length > start) groups.push({ taps, start, count: order.length - start });
    }
  return { order, groups };
}

/** Where each pixel sits in a tensor whose positions hold `order` (null: natural order). */
function positions(order: number[] | null, n: number): number[] {
  const pos = Array.from({ length: n }, (_, i) => i);
  if (order) order.forEach((px, at) => (pos[px] = at));
  return pos;
}

function sameOrder(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

interface Tape {
  /** Runs the layer's backward: takes dL/d(output), returns dL/d(input) (null: not needed). */
  back(dy: string): string | null;
}

export interface TrainGraphOptions {
  /**
   * Train in inference mode, as guarded fine-tuning does (fineTune.ts): batch norms on their moving
   * statistics (not updated), no dropout. Layers whose weights are not trainable (frozen) get no
   * gradient, and the backward pass stops below the lowest layer that still learns.
   */
  inferenceMode?: boolean;
}

/** Builds the training-step graph of a chain model. */
export function buildTrainGraph(
  model: tfl.LayersModel,
  spec: ModelSpec,
  mode: TrainGraphMode,
  opts: TrainGraphOptions = {},
): TrainGraph {
  const inShape = model.inputs[0].shape;
  if (inShape.length !== 4)
    throw new Error(`ONNX training graph: expected a 4-D image input, got ${inShape}`);
  let [h, w, c] = [Number(inShape[1]), Number(inShape[2]), Number(inShape[3])];
  const g = new G();
  // Batch statistics and dropout in training mode; fine-tuning runs on the moving statistics.
  const batchStatistics = !opts.inferenceMode;
  const params: GraphParam[] = [];
  const dropouts: DropoutInput[] = [];
  const grads: { param: GraphParam; grad: string }[] = [];
  const updates: { param: GraphParam; value: string }[] = [];
  const tapes: Tape[] = [];
  let columnFloatsPerSample = 0;

  const paramsOf = (layer: tfl.layers.Layer) => {
    const out = new Map<string, GraphParam>();
    layer.weights.forEach((v, index) => {
      const short = (v.originalName ?? v.name).split('/').pop()!.replace(/_\d+$/, '');
      // Moving statistics are read only when batch norms run on them.
      const role: GraphParam['role'] = short.startsWith('moving_')
        ? !batchStatistics
          ? 'fixed'
          : 'moving'
        : v.trainable
          ? 'train'
          : 'fixed';
      const p: GraphParam = {
        name: `${layer.name}.${short}`,
        layer: layer.name,
        index,
        shape: [...v.shape] as number[],
        role,
      };
      params.push(p);
      out.set(short, p);
    });
    return out;
  };
  const addGrad = (p: GraphParam | undefined, grad: string) => {
    if (p && p.role === 'train') grads.push({ param: p, grad });
  };

  // [C, H, W, N] inside: convolutions are then plain GEMMs on gathered im2col columns. The stamps
  // come in that way too (channelsFirst): ORT's Transpose of [64, 51, 51, 3] took 4-5 ms a step.
  let x = TRAIN_INPUT;
  let layout: 'chwn' | 'flat' = 'chwn';
  // x's pixel order (null: natural): see the Conv2D case.
  let order: number[] | null = null;
  // The [c] bias of a convolution whose Gemm left it out because a batch norm on batch
  // statistics follows (it would subtract it again): that norm's moving mean adds it back.
  let biasBeforeNorm: string | null = null;
  let features = 0;
  let first = true; // the first layer's input is the stamps: no gradient wanted
  const supported =
    'Conv2D, BatchNormalization, ReLU, Activation, GlobalAveragePooling2D, Flatten, Dense, Dropout';

  const activation = (act: unknown, z: string, name: string): { y: string; back: (dy: string) => string } => {
    const key = act === undefined || act === null ? 'linear' : String(act);
    if (key === 'linear') return { y: z, back: (dy) => dy };
    if (key === 'relu') {
      const y = g.op('Relu', [z]);
      return { y, back: (dy) => g.reluGrad(dy, y) };
    }
    throw new Error(`ONNX training graph: activation '${key}' of layer ${name} is not supported`);
  };

  let logits: string | null = null;
  const layers = model.layers;
  // Whether some layer below index i still learns: if none does, i's input gradient is not needed.
  const learnsBelow = layers.map((_, i) => layers.slice(0, i).some((l) => l.trainableWeights.length > 0));
  // The pixel order layer i writes its [c, h, w] output in: that of the strided convolution that
  // reads it next (through batch norms and activations, which do not mind the order), so that
  // its input gradient needs no reordering; else natural.
  const orderFor = (i: number, [oh, ow]: [number, number]): number[] | null => {
    const co = Number(layers[i].getConfig().filters);
    for (let j = i + 1; j < layers.length; j++) {
      const className = layers[j].getClassName();
      if (className === 'BatchNormalization' || className === 'ReLU' || className === 'Activation') continue;
      if (className !== 'Conv2D' || !learnsBelow[j]) return null;
      const geo = convGeometry(layers[j], [oh, ow], co);
      return geo.sh > 1 || geo.sw > 1 ? strideClasses(geo, [oh, ow]).order : null;
    }
    return null;
  };
  for (let li = 0; li < layers.length; li++) {
    const layer = layers[li];
    const name = layer.name;
    const className = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    const isLast = li === layers.length - 1;
    const need = (want: 'chwn' | 'flat') => {
      if (layout !== want)
        throw new Error(
          `ONNX training graph: layer ${name} (${className}) needs a ${want} input, got ${layout}`,
        );
    };
    const inputNeedsGrad = !first && learnsBelow[li];
    switch (className) {
      case 'InputLayer':
        continue;
      case 'Conv2D': {
        need('chwn');
        const ps = paramsOf(layer);
        const kernel = ps.get('kernel')!;
        const geo = convGeometry(layer, [h, w], c);
        const { kh, kw, ci, co, sh, sw, pads, out } = geo;
        const [ih, iw] = [h, w];
        const k = kh * kw * ci;
        const taps = kh * kw;
        const [pIn, pOut] = [ih * iw, out[0] * out[1]];
        columnFloatsPerSample += k * pOut;
        // Pixel orders: x's positions hold the pixels xOrder lists (null: natural order); this
        // layer writes its output in the order the strided convolution that reads it wants (see
        // strideClasses), else in natural order. Only the tables below depend on it.
        const xOrder: number[] | null = order;
        const xPos = positions(xOrder, pIn);
        // A stride-1 convolution's input gradient is ORT's own convolution of dZ (convGrad below),
        // which wants dZ, and so this layer's output, in natural order.
        const convGrad: boolean = inputNeedsGrad && sh === 1 && sw === 1 && xOrder === null;
        const outOrder: number[] | null = convGrad ? null : orderFor(li, out);
        const outPos = positions(outOrder, pOut);
        // im2col as ONE Gather: the input [ci, H*W (+1 zero pixel), N] gathered at a [taps, Ho*Wo]
        // table of pixel indices (the zero pixel wherever a tap reads padding) gives the columns
        // [(ci, tap), (Ho*Wo, N)] directly: whole N-float runs copied, no Pad/Slice/Concat passes.
        const table = new Array<number>(taps * pOut);
        for (let ki = 0; ki < kh; ki++)
          for (let kj = 0; kj < kw; kj++)
            for (let at = 0; at < pOut; at++) {
              const px = outOrder ? outOrder[at] : at;
              const [i, j] = [Math.floor(px / out[1]), px % out[1]];
              const [r, q] = [sh * i + ki - pads[0], sw * j + kj - pads[1]];
              const inside = r >= 0 && r < ih && q >= 0 && q < iw;
              table[(ki * kw + kj) * pOut + at] = inside ? xPos[r * iw + q] : pIn;
            }
        const xin = x;
        const gatherCols = () =>
          g.op('Reshape', [
            g.op(
              'Gather',
              [
                g.appendZeroPixel(g.op('Reshape', [xin, g.ints([ci, pIn, -1])]), ci),
                g.table([taps, pOut], table),
              ],
              {
                axis: 1,
              },
            ),
            g.ints([k, -1]),
          ]);
        // Kernel rows in the columns' (ci, tap) order: HWIO -> [ci, kh, kw, co].
        const w2 = g.op('Reshape', [
          g.op('Transpose', [kernel.name], { perm: [2, 0, 1, 3] }),
          g.ints([k, co]),
        ]);
        const bias = geo.useBias ? ps.get('bias') : undefined;
        // A bias right before a batch norm on batch statistics changes neither the norm's output
        // nor (but for rounding) any gradient: the Gemm goes without it, saving ORT's pass that
        // fills the output with the bias first, and the norm's moving mean takes it (its
        // gradient, the sum of dZ, is still computed below: ~0, as tfjs has it).
        const normNext =
          batchStatistics &&
          (config.activation === undefined || config.activation === null || config.activation === 'linear') &&
          layers[li + 1]?.getClassName() === 'BatchNormalization';
        if (bias && normNext) biasBeforeNorm = bias.name;
        const withBias = bias && !normNext ? bias.name : null;
        // Input and output in natural order: the forward pass is ORT's own Conv over [1, ci, H, W, N]
        // (3-D, 1 wide along the batch), which builds its columns tile by tile in cache; the
        // columns for the filter gradient are gathered in the backward pass instead.
        const convForward = xOrder === null && outOrder === null;
        let cols: string | null = null;
        let act: { y: string; back: (dy: string) => string };
        let z: string;
        if (convForward) {
          const w5 = g.op('Reshape', [
            g.op('Transpose', [kernel.name], { perm: [3, 2, 0, 1] }),
            g.ints([co, ci, kh, kw, 1]),
          ]);
          const x5 = g.op('Reshape', [x, g.ints([1, ci, ih, iw, -1])]);
          const conv = g.op('Conv', withBias ? [x5, w5, withBias] : [x5, w5], {
            kernel_shape: [kh, kw, 1],
            strides: [sh, sw, 1],
            pads: [pads[0], pads[1], 0, pads[2], pads[3], 0],
          });
          // ORT fuses Conv + Relu as it does Gemm + Relu.
          act = activation(config.activation, conv, name);
          z = g.op('Reshape', [act.y, g.ints([co, out[0], out[1], -1])]);
        } else {
          cols = gatherCols();
          const bias2 = withBias ? g.op('Reshape', [withBias, g.ints([co, 1])]) : null;
          const z2 = g.op('Gemm', bias2 ? [w2, cols, bias2] : [w2, cols], { transA: 1 }); // [co, Ho*Wo*N]
          // The activation on the Gemm's own output, so that ORT fuses the two (FusedGemm): one
          // pass less over the layer's output than a ReLU after the Reshape.
          act = activation(config.activation, z2, name);
          z = g.op('Reshape', [act.y, g.ints([co, out[0], out[1], -1])]);
        }
        if (isLast) throw new Error(`ONNX training graph: the model must end in a dense score, not ${name}`);
        const firstLayer = !inputNeedsGrad;
        const classes = sh > 1 || sw > 1 ? strideClasses(geo, [ih, iw]) : null;
        // Where x is not in the classes' order, their results are put back in x's order by a Gather.
        const natural = Array.from({ length: pIn }, (_, i) => i);
        const classPos = classes ? positions(classes.order, pIn) : null;
        const reorder =
          classes === null || classPos === null || sameOrder(xOrder ?? natural, classes.order)
            ? null
            : (xOrder ?? natural).map((px) => classPos[px]);
        tapes.push({
          back: (dy) => {
            const dz2 = convForward
              ? g.op('Reshape', [
                  act.back(g.op('Reshape', [dy, g.ints([1, co, out[0], out[1], -1])])),
                  g.ints([co, -1]),
                ])
              : act.back(g.op('Reshape', [dy, g.ints([co, -1])]));
            if (bias) addGrad(bias, g.op('ReduceSum', [dz2, g.ints([1])], { keepdims: 0 }));
            const dw = g.op('Gemm', [cols ?? gatherCols(), dz2], { transB: 1 }); // rows (ci, tap)
            addGrad(
              kernel,
              g.op('Transpose', [g.op('Reshape', [dw, g.ints([ci, kh, kw, co])])], { perm: [1, 2, 0, 3] }),
            );
            if (firstLayer) return null;
            const dzz = g.appendZeroPixel(g.op('Reshape', [dz2, g.ints([co, pOut, -1])]), co);
            // Where the input pixel at `px` (natural index) took output column `at` through tap t.
            const hitsOf = (px: number) => {
              const [r, q] = [Math.floor(px / iw), px % iw];
              const list: { tap: number; at: number }[] = [];
              for (let ki = 0; ki < kh; ki++)
                for (let kj = 0; kj < kw; kj++) {
                  const [a, b] = [r + pads[0] - ki, q + pads[1] - kj];
                  const [i, j] = [a / sh, b / sw];
                  if (a >= 0 && b >= 0 && a % sh === 0 && b % sw === 0 && i < out[0] && j < out[1])
                    list.push({ tap: ki * kw + kj, at: outPos[i * out[1] + j] });
                }
              return list;
            };
            if (convGrad) {
              // Stride 1: dX is the convolution of dZ with the kernel flipped and its in and out
              // swapped, padded by kernel - 1 - pad on each side: ORT's Conv over [1, co, Ho, Wo, N]
              // (a 3-D convolution whose kernel is 1 wide along the batch) reads dZ straight,
              // where the col2im below writes the 9-tap dcols, gathers them and sums.
              const flipped = g.op('Reshape', [
                g.op(
                  'Transpose',
                  [
                    g.op(
                      'Gather',
                      [
                        g.op('Reshape', [kernel.name, g.ints([taps, ci, co])]),
                        g.ints(Array.from({ length: taps }, (_, t) => taps - 1 - t)),
                      ],
                      { axis: 0 },
                    ),
                  ],
                  { perm: [1, 2, 0] },
                ),
                g.ints([ci, co, kh, kw, 1]),
              ]);
              const dx = g.op(
                'Conv',
                [g.op('Reshape', [dz2, g.ints([1, co, out[0], out[1], -1])]), flipped],
                {
                  kernel_shape: [kh, kw, 1],
                  pads: [kh - 1 - pads[0], kw - 1 - pads[1], 0, kh - 1 - pads[2], kw - 1 - pads[3], 0],
                },
              );
              return g.op('Reshape', [dx, g.ints([ci, ih, iw, -1])]);
            }
            if (classes) {
              // A strided convolution's input gradient, one class of input pixels at a time: the
              // pixels whose windows meet the kernel at the same taps (at stride 2: 1, 2, 2 or 4
              // of 9) gather dZ at those taps and take ONE Gemm with those kernel rows. x holds
              // its pixels class after class (orderFor), so the classes' results are concatenated
              // as they come. The col2im below instead pads every pixel to the most taps (4 at
              // stride 2), writes the 9-tap dcols and sums over the padding: by count, compact's
              // stride-2 layers write and read about half as many floats this way.
              const k3 = g.op('Reshape', [kernel.name, g.ints([taps, ci, co])]);
              const parts = classes.groups.map(({ taps: ts, start, count }) => {
                const t = new Array<number>(ts.length * count);
                for (let m = 0; m < count; m++) {
                  const found = hitsOf(classes.order[start + m]);
                  ts.forEach((tap, s) => {
                    t[s * count + m] = found.find((f) => f.tap === tap)?.at ?? pOut;
                  });
                }
                const gathered = g.op('Reshape', [
                  g.op('Gather', [dzz, g.table([ts.length, count], t)], { axis: 1 }),
                  g.ints([co * ts.length, -1]),
                ]); // [(co, tap), (pixels, N)]
                const wc = g.op('Reshape', [
                  g.op('Transpose', [g.op('Gather', [k3, g.ints(ts)], { axis: 0 })], { perm: [1, 2, 0] }),
                  g.ints([ci, co * ts.length]),
                ]); // [ci, (co, tap)]
                return g.op('Reshape', [g.op('Gemm', [wc, gathered]), g.ints([ci, count, -1])]);
              });
              let dx = parts.length === 1 ? parts[0] : g.op('Concat', parts, { axis: 1 });
              if (reorder) dx = g.op('Gather', [dx, g.table([pIn], reorder)], { axis: 1 });
              return g.op('Reshape', [dx, g.ints([ci, ih, iw, -1])]);
            }
            // col2im as a Gather too: every input pixel takes the output columns whose windows read
            // it (one per tap that hits it: up to 9 at stride 1, 4 at stride 2), the rest of its
            // `hits` slots the zero column appended to dZ; then a sum over the slots.
            const lists: number[][] = [];
            for (let at = 0; at < pIn; at++)
              lists.push(hitsOf(xOrder ? xOrder[at] : at).map((f) => f.tap * (pOut + 1) + f.at));
            const hits = Math.max(1, ...lists.map((l) => l.length));
            const back = new Array<number>(hits * pIn);
            for (let slot = 0; slot < hits; slot++)
              for (let px = 0; px < pIn; px++) back[slot * pIn + px] = lists[px][slot] ?? pOut;
            const dcols = g.op('Gemm', [w2, g.op('Reshape', [dzz, g.ints([co, -1])])]); // [k, (Ho*Wo+1)*N]
            const gathered = g.op(
              'Gather',
              [g.op('Reshape', [dcols, g.ints([ci, taps * (pOut + 1), -1])]), g.table([hits, pIn], back)],
              { axis: 1 },
            ); // [ci, hits, H*W, N]
            return g.op('Reshape', [
              g.op('ReduceSum', [gathered, g.ints([1])], { keepdims: 0 }),
              g.ints([ci, ih, iw, -1]),
            ]);
          },
        });
        x = z;
        order = outOrder;
        [h, w, c] = [out[0], out[1], co];
        break;
      }
      case 'BatchNormalization': {
        need('chwn');
        const axis = config.axis;
        const a = Array.isArray(axis) ? axis : [axis ?? -1];
        if (a.length !== 1 || (a[0] !== -1 && a[0] !== 3))
          throw new Error(`ONNX training graph: ${name}: only channel-axis batch norms are supported`);
        const ps = paramsOf(layer);
        const eps = Number(config.epsilon ?? 1e-3);
        const momentum = Number(config.momentum ?? 0.99);
        const gamma = ps.get('gamma');
        const beta = ps.get('beta');
        const mm = ps.get('moving_mean')!;
        const mv = ps.get('moving_variance')!;
        if (!batchStatistics) {
          // Moving statistics: the layer at inference, as one scale and shift per channel.
          const cshape = g.ints([c, 1, 1, 1]);
          const invstd = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [mv.name, g.f(eps)])])]);
          const scale = gamma ? g.op('Mul', [invstd, gamma.name]) : invstd;
          let shift = g.op('Neg', [g.op('Mul', [mm.name, scale])]);
          if (beta) shift = g.op('Add', [shift, beta.name]);
          const xin = x;
          const scaleR = g.op('Reshape', [scale, cshape]);
          x = g.op('Add', [g.op('Mul', [xin, scaleR]), g.op('Reshape', [shift, cshape])]);
          // A fixed affine map: dgamma = sum(dy xhat), dbeta = sum(dy), dx = dy scale.
          tapes.push({
            back: (dy) => {
              const sumDy = g.op('ReduceSum', [dy, g.ints([1, 2, 3])], { keepdims: 0 });
              if (gamma) {
                // sum(dy xhat) = (sum(dy x) - moving_mean sum(dy)) invstd: per channel, no xhat pass.
                const sumDyX = g.op('ReduceSum', [g.op('Mul', [dy, xin]), g.ints([1, 2, 3])], {
                  keepdims: 0,
                });
                addGrad(gamma, g.op('Mul', [g.op('Sub', [sumDyX, g.op('Mul', [sumDy, mm.name])]), invstd]));
              }
              if (beta) addGrad(beta, sumDy);
              return inputNeedsGrad ? g.op('Mul', [dy, scaleR]) : null;
            },
          });
          break;
        }
        const shape4 = g.ints([c, 1, 1, 1]);
        const [bh, bw] = [h, w];
        const gammaR = gamma ? g.op('Reshape', [gamma.name, shape4]) : null;
        const betaR = beta ? g.op('Reshape', [beta.name, shape4]) : null;
        const xin = x;
        const perPixel = g.op('Reciprocal', [
          g.op('Cast', [g.op('Mul', [g.batch(), g.ints([bh * bw])])], { to: 1 }),
        ]);
        const mean = g.op('ReduceMean', [xin], { axes: [1, 2, 3], keepdims: 1 });
        const d = g.op('Sub', [xin, mean]);
        // Per-pixel passes: d, its sum of squares, d * scale, + beta; xhat = d invstd is never
        // written out (the backward pass takes d and the per-channel invstd).
        const variance = g.op('Mul', [
          g.op('ReduceSumSquare', [d], { axes: [1, 2, 3], keepdims: 1 }),
          perPixel,
        ]);
        const invstd = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.f(eps)])])]);
        const scale = gammaR ? g.op('Mul', [invstd, gammaR]) : invstd;
        x = g.op('Mul', [d, scale]);
        if (betaR) x = g.op('Add', [x, betaR]);
        const decay = g.f(1 - momentum);
        const flatC = g.ints([c]);
        // A convolution bias left out before this batch norm (see the Conv2D case) is in the
        // moving mean all the same.
        const offset = biasBeforeNorm;
        biasBeforeNorm = null;
        for (const [p, batch] of [
          [mm, offset ? g.op('Add', [g.op('Reshape', [mean, flatC]), offset]) : mean],
          [mv, variance],
        ] as const) {
          const b = g.op('Reshape', [batch, flatC]);
          updates.push({
            param: p,
            value: g.op('Sub', [p.name, g.op('Mul', [g.op('Sub', [p.name, b]), decay])]),
          });
        }
        tapes.push({
          back: (dy) => {
            // The sums that make dgamma and dbeta also make the input gradient:
            // dx = scale (dy - mean(dy) - d invstd^2 mean(dy d)), scale = gamma invstd.
            const sumDy = g.op('ReduceSum', [dy, g.ints([1, 2, 3])], { keepdims: 1 });
            const sumDyD = g.op('ReduceSum', [g.op('Mul', [dy, d]), g.ints([1, 2, 3])], { keepdims: 1 });
            if (gamma) addGrad(gamma, g.op('Reshape', [g.op('Mul', [sumDyD, invstd]), flatC]));
            if (beta) addGrad(beta, g.op('Reshape', [sumDy, flatC]));
            if (!inputNeedsGrad) return null;
            const k = g.op('Mul', [g.op('Mul', [sumDyD, perPixel]), g.op('Mul', [invstd, invstd])]);
            const inner = g.op('Sub', [
              g.op('Sub', [dy, g.op('Mul', [sumDy, perPixel])]),
              g.op('Mul', [d, k]),
            ]);
            return g.op('Mul', [inner, scale]);
          },
        });
        break;
      }
      case 'ReLU':
      case 'Activation': {
        const act = activation(className === 'ReLU' ? 'relu' : config.activation, x, name);
        if (className === 'ReLU' && config.maxValue != null)
          throw new Error(`ONNX training graph: ${name}: capped ReLU is not supported`);
        x = act.y;
        tapes.push({ back: (dy) => act.back(dy) });
        break;
      }
      case 'GlobalAveragePooling2D': {
        need('chwn');
        const xin = x;
        const area = h * w;
        x = g.op('Transpose', [g.op('ReduceMean', [xin], { axes: [1, 2], keepdims: 0 })], { perm: [1, 0] });
        tapes.push({
          back: (dy) => {
            // Scaled while still [N, c]: one pass over the expanded gradient instead of two.
            const dy4 = g.op('Unsqueeze', [
              g.op('Transpose', [g.op('Mul', [dy, g.f(1 / area)])], { perm: [1, 0] }),
              g.ints([1, 2]),
            ]);
            return g.op('Expand', [dy4, g.op('Shape', [xin])]);
          },
        });
        layout = 'flat';
        features = c;
        break;
      }
      case 'Flatten': {
        need('chwn');
        if (order) throw new Error(`ONNX training graph: ${name} reads pixels out of order`);
        const [fh, fw, fc] = [h, w, c];
        // tfjs flattens NHWC: the next Dense's rows are in that order.
        x = g.op('Flatten', [g.op('Transpose', [x], { perm: [3, 1, 2, 0] })], { axis: 1 });
        tapes.push({
          back: (dy) =>
            g.op('Transpose', [g.op('Reshape', [dy, g.ints([-1, fh, fw, fc])])], { perm: [3, 1, 2, 0] }),
        });
        layout = 'flat';
        features = h * w * c;
        break;
      }
      case 'Dropout': {
        const rate = Number(config.rate ?? 0);
        if (!batchStatistics || rate === 0) break;
        need('flat');
        const mask = `dropout_mask:${name}`;
        dropouts.push({ name: mask, rate, features });
        x = g.op('Mul', [x, mask]);
        tapes.push({ back: (dy) => g.op('Mul', [dy, mask]) });
        break;
      }
      case 'Dense': {
        need('flat');
        const ps = paramsOf(layer);
        const kernel = ps.get('kernel')!;
        const [nIn, nOut] = kernel.shape;
        if (nIn !== features)
          throw new Error(`ONNX training graph: ${name} expects ${nIn} inputs, got ${features}`);
        const bias = config.useBias !== false ? ps.get('bias') : undefined;
        const xin = x;
        const z = g.op('Gemm', bias ? [xin, kernel.name, bias.name] : [xin, kernel.name]);
        if (isLast) {
          if (config.activation !== 'sigmoid' || nOut !== 1)
            throw new Error(`ONNX training graph: the last layer (${name}) must be a 1-unit sigmoid dense`);
          logits = z;
          x = g.op('Sigmoid', [z]);
        } else {
          const act = activation(config.activation, z, name);
          x = act.y;
          tapes.push({
            back: (dy) => {
              const dz = act.back(dy);
              addGrad(kernel, g.op('Gemm', [xin, dz], { transA: 1 }));
              if (bias) addGrad(bias, g.op('ReduceSum', [dz, g.ints([0])], { keepdims: 0 }));
              return g.op('Gemm', [dz, kernel.name], { transB: 1 });
            },
          });
        }
        features = nOut;
        if (isLast) {
          tapes.push({
            back: (dz) => {
              addGrad(kernel, g.op('Gemm', [xin, dz], { transA: 1 }));
              if (bias) addGrad(bias, g.op('ReduceSum', [dz, g.ints([0])], { keepdims: 0 }));
              return g.op('Gemm', [dz, kernel.name], { transB: 1 });
            },
          });
        }
        break;
      }
      default:
        throw new Error(
          `ONNX training graph: layer ${name} (${className}) is not supported; supported: ${supported}`,
        );
    }
    first = false;
  }
  if (!logits) throw new Error('ONNX training graph: the model must end in a 1-unit sigmoid dense layer');

  const outputs: OnnxValueInfo[] = [];
  const inputs: OnnxValueInfo[] = [
    { name: TRAIN_INPUT, shape: [Number(inShape[3]), Number(inShape[1]), Number(inShape[2]), 'N'] },
  ];
  for (const p of params) inputs.push({ name: p.name, shape: p.shape });

  inputs.push({ name: LABELS_INPUT, shape: ['N', 1] }, { name: SAMPLE_WEIGHTS_INPUT, shape: ['N', 1] });
  for (const d of dropouts) inputs.push({ name: d.name, shape: ['N', d.features] });
  // Loss: -sum(w (y log p + (1 - y) log(1 - p))) / sum(w), p clipped to [eps, 1 - eps].
  const p = x;
  const pc = g.op('Clip', [p, g.f(BCE_EPS), g.f(1 - BCE_EPS)]);
  const y = LABELS_INPUT;
  const sw = SAMPLE_WEIGHTS_INPUT;
  const ll = g.op('Add', [
    g.op('Mul', [y, g.op('Log', [pc])]),
    g.op('Mul', [g.op('Sub', [g.f(1), y]), g.op('Log', [g.op('Sub', [g.f(1), pc])])]),
  ]);
  const sumW = g.op('ReduceSum', [sw, g.ints([0, 1])], { keepdims: 0 });
  const wSum = g.op('ReduceSum', [g.op('Mul', [ll, sw]), g.ints([0, 1])], { keepdims: 0 });
  g.op('Neg', [g.op('Div', [wSum, sumW])], undefined, LOSS_OUTPUT);
  outputs.push({ name: LOSS_OUTPUT, shape: [] });
  // dL/dlogit, with the clip's zero gradient where p was clipped (as tfjs's clipByValue).
  const inRange = g.op(
    'Cast',
    [g.op('And', [g.op('GreaterOrEqual', [p, g.f(BCE_EPS)]), g.op('LessOrEqual', [p, g.f(1 - BCE_EPS)])])],
    { to: 1 },
  );
  let dy: string | null = g.op('Mul', [g.op('Div', [g.op('Mul', [g.op('Sub', [p, y]), sw]), sumW]), inRange]);
  for (let i = tapes.length - 1; i >= 0 && dy !== null; i--) dy = tapes[i].back(dy);

  if (mode === 'grads') {
    for (const { param, grad } of grads) {
      g.op('Identity', [grad], undefined, gradName(param.name));
      outputs.push({ name: gradName(param.name), shape: param.shape });
    }
    for (const { param, value } of updates) {
      g.op('Identity', [value], undefined, newName(param.name));
      outputs.push({ name: newName(param.name), shape: param.shape });
    }
  } else {
    inputs.push({ name: ADAM_LR, shape: [] }, { name: ADAM_C1, shape: [] }, { name: ADAM_C2, shape: [] });
    grads.sort((a, b) => params.indexOf(a.param) - params.indexOf(b.param));
    // Adam over ONE flat vector of every trained weight: a dozen passes in all instead of a
    // dozen tiny ops per weight tensor (compact has 20 of them). The weights come in flat as well
    // (ADAM_W) and go out flat: no Concat of the weights, no Slice and Reshape per weight after.
    const sizes = grads.map(({ param }) => param.shape.reduce((a, b) => a * b, 1));
    const total = sizes.reduce((a, b) => a + b, 0);
    const grad = g.op(
      'Concat',
      grads.map((x) => g.op('Reshape', [x.grad, g.ints([-1])])),
      { axis: 0 },
    );
    inputs.push(
      { name: ADAM_W, shape: [total] },
      { name: ADAM_M, shape: [total] },
      { name: ADAM_V, shape: [total] },
    );
    const m2 = g.op(
      'Add',
      [g.op('Mul', [ADAM_M, g.f(ADAM_BETA1)]), g.op('Mul', [grad, g.f(1 - ADAM_BETA1)])],
      undefined,
      newName(ADAM_M),
    );
    const v2 = g.op(
      'Add',
      [g.op('Mul', [ADAM_V, g.f(ADAM_BETA2)]), g.op('Mul', [g.op('Mul', [grad, grad]), g.f(1 - ADAM_BETA2)])],
      undefined,
      newName(ADAM_V),
    );
    outputs.push({ name: newName(ADAM_M), shape: [total] }, { name: newName(ADAM_V), shape: [total] });
    const denom = g.op('Add', [g.op('Sqrt', [g.op('Mul', [v2, ADAM_C2])]), g.f(ADAM_EPSILON)]);
    const stepSize = g.op('Mul', [g.op('Div', [g.op('Mul', [m2, ADAM_C1]), denom]), ADAM_LR]);
    g.op('Sub', [ADAM_W, stepSize], undefined, newName(ADAM_W));
    outputs.push({ name: newName(ADAM_W), shape: [total] });
    for (const { param, value } of updates) {
      g.op('Identity', [value], undefined, newName(param.name));
      outputs.push({ name: newName(param.name), shape: param.shape });
    }
  }
  const trained = new Set(grads.map((x) => x.param.name));
  const missing = params.filter((p) => p.role === 'train' && !trained.has(p.name));
  if (missing.length)
    throw new Error(`ONNX training graph: no gradient reaches ${missing.map((p) => p.name).join(', ')}`);

  const bytes = encodeModel(
    {
      name: `${model.name || spec.id}_${mode}`,
      nodes: g.nodes,
      initializers: g.initializers,
      inputs,
      outputs,
    },
    {
      producerName: 'skysift',
      docString: `skysift ${spec.id} training step (${mode})`,
      metadata: { 'skysift.architecture': spec.id, 'skysift.graph': mode },
    },
  );
  return { bytes, mode, params, dropouts, columnFloatsPerSample };
}
