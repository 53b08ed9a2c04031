/**
 * A training step as an ONNX graph (opset 13, standard ops only), so that onnxruntime-node's native
 * CPU kernels train our models: forward pass in training mode, the backward pass written out by
 * hand, and Adam, all in one session run. onnxruntime-node ships no training API; every gradient
 * here is an ordinary inference op. Activations are channel-major [C, N, H, W] inside, so that
 * every convolution is one GEMM on im2col columns (kh*kw strided Slices, Concat):
 *   Conv2D       forward  Z = W^T cols (+ bias); filter gradient dW = cols dZ^T (the same columns);
 *                input gradient = col2im(W dZ): the kh*kw pieces padded back into place, per
 *                stride phase, and interleaved. (Conv / ConvTranspose with weights as inputs run
 *                ORT's slow generic path, and the stride-dilated Conv form of the filter
 *                gradient was both slow and 0.5% off on compact; see the gradient tests.)
 *   BatchNorm    batch statistics, dX = invstd * (dXhat - mean(dXhat) - Xhat * mean(dXhat * Xhat));
 *                moving statistics updated as tfjs does (m - (m - batch) * (1 - momentum))
 *   ReLU         dY * Sign(Y) (Y >= 0, so Sign is the step function)
 *   GAP, Flatten broadcast / reshape back
 *   Dropout      the keep mask (0 or 1/keep) is an input, drawn by the caller from a seeded PRNG
 *   Dense        Gemm both ways
 *   sigmoid + weighted, clipped binary cross-entropy: dZ = w (p - y) / sum(w), 0 where p is clipped
 * Weights go in and come out in tfjs's layouts (conv kernels HWIO, dense [in, out]) so that the
 * caller copies them to and from the layers model unchanged.
 *
 * Modes: 'grads' outputs the loss and every gradient (for the gradient tests), 'adam' outputs the
 * loss and the updated weights, Adam moments and batch-norm statistics, 'infer' the score with
 * batch norms on their moving statistics (validation, test).
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../architectures/spec';
import { ONNX_INPUT, ONNX_OUTPUT, tfPads } from './exportOnnx';
import { encodeModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnxProto';

export type TrainGraphMode = 'grads' | 'adam' | 'infer';

/** One weight of the layers model, as the graph sees it. */
export interface GraphParam {
  /** Graph input name; in 'adam' mode also `${name}:m`, `${name}:v` in and `${name}:new` (...) out. */
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

export const LABELS_INPUT = 'labels';
export const SAMPLE_WEIGHTS_INPUT = 'sample_weights';
export const LOSS_OUTPUT = 'loss';
export const ADAM_LR = 'adam_lr';
export const ADAM_C1 = 'adam_c1';
export const ADAM_C2 = 'adam_c2';
/** tfjs's defaults (tf.train.adam(lr) with the backend epsilon of float32 backends). */
export const ADAM_BETA1 = 0.9;
export const ADAM_BETA2 = 0.999;
export const ADAM_EPSILON = 1e-7;
/** The clip of train.ts's weighted BCE. */
export const BCE_EPS = 1e-7;

export const gradName = (p: string) => `${p}:grad`;
export const newName = (p: string) => `${p}:new`;
export const momentName = (p: string, k: 'm' | 'v') => `${p}:${k}`;

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

  reluGrad(dy: string, y: string): string {
    return this.op('Mul', [dy, this.op('Sign', [y])]);
  }
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

/** Builds the training-step (or weights-as-inputs inference) graph of a chain model. */
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
  const training = mode !== 'infer';
  // Batch statistics and dropout only when training in training mode.
  const batchStatistics = training && !opts.inferenceMode;
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
      // Moving statistics are read only when batch norms run on them while training.
      const role: GraphParam['role'] = short.startsWith('moving_')
        ? training && !batchStatistics
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

  // Channel-major [C, N, H, W] inside: convolutions are then plain GEMMs on im2col columns.
  let x = g.op('Transpose', [ONNX_INPUT], { perm: [3, 0, 1, 2] });
  let layout: 'cnhw' | 'flat' = 'cnhw';
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
  for (let li = 0; li < layers.length; li++) {
    const layer = layers[li];
    const name = layer.name;
    const className = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    const isLast = li === layers.length - 1;
    const need = (want: 'cnhw' | 'flat') => {
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
        need('cnhw');
        const ps = paramsOf(layer);
        const kernel = ps.get('kernel')!;
        const [kh, kw, ci, co] = kernel.shape;
        if (ci !== c) throw new Error(`ONNX training graph: ${name} expects ${ci} channels, got ${c}`);
        const [sh, sw] = pair(config.strides, 1);
        const dil = pair(config.dilationRate, 1);
        if (dil[0] !== 1 || dil[1] !== 1)
          throw new Error(`ONNX training graph: ${name}: dilated convolutions are not supported`);
        if (sh > kh || sw > kw)
          throw new Error(`ONNX training graph: ${name}: strides larger than the kernel are not supported`);
        const { pads, out } = tfPads(config.padding ?? 'valid', [h, w], [kh, kw], [sh, sw]);
        const [ih, iw] = [h, w];
        const k = kh * kw * ci;
        columnFloatsPerSample += k * out[0] * out[1];
        // im2col: kh*kw strided slices of the padded input, stacked as [(ki, kj, ci), N*Ho*Wo]: the
        // row order of the HWIO kernel reshaped to [k, co], so no weight transposes anywhere.
        const extra = [kh + sh * (out[0] - 1) - ih - pads[0], kw + sw * (out[1] - 1) - iw - pads[1]];
        let xp = x;
        if (pads[0] || pads[1] || extra[0] > 0 || extra[1] > 0)
          xp = g.op('Pad', [
            x,
            g.ints([0, 0, pads[0], pads[1], 0, 0, Math.max(0, extra[0]), Math.max(0, extra[1])]),
          ]);
        const slices: string[] = [];
        for (let ki = 0; ki < kh; ki++)
          for (let kj = 0; kj < kw; kj++)
            slices.push(
              g.op('Slice', [
                xp,
                g.ints([ki, kj]),
                g.ints([ki + sh * (out[0] - 1) + 1, kj + sw * (out[1] - 1) + 1]),
                g.ints([2, 3]),
                g.ints([sh, sw]),
              ]),
            );
        const cols = g.op('Reshape', [
          slices.length > 1 ? g.op('Concat', slices, { axis: 0 }) : slices[0],
          g.ints([k, -1]),
        ]);
        const w2 = g.op('Reshape', [kernel.name, g.ints([k, co])]);
        const bias = config.useBias !== false ? ps.get('bias') : undefined;
        const bias2 = bias ? g.op('Reshape', [bias.name, g.ints([co, 1])]) : null;
        const z2 = g.op('Gemm', bias2 ? [w2, cols, bias2] : [w2, cols], { transA: 1 }); // [co, N*Ho*Wo]
        const z = g.op('Reshape', [z2, g.ints([co, -1, out[0], out[1]])]);
        const act = activation(config.activation, z, name);
        if (isLast) throw new Error(`ONNX training graph: the model must end in a dense score, not ${name}`);
        const firstLayer = !inputNeedsGrad;
        tapes.push({
          back: (dy) => {
            const dz = act.back(dy);
            const dz2 = g.op('Reshape', [dz, g.ints([co, -1])]);
            if (bias) addGrad(bias, g.op('ReduceSum', [dz2, g.ints([1])], { keepdims: 0 }));
            addGrad(
              kernel,
              g.op('Reshape', [g.op('Gemm', [cols, dz2], { transB: 1 }), g.ints([kh, kw, ci, co])]),
            );
            if (firstLayer) return null;
            // col2im: the column gradient's kh*kw pieces added back where they were read. With a
            // stride, pixels fall into sh*sw phase classes (row mod sh, column mod sw); within a
            // class the pieces only shift by whole pixels, so each class is a sum of padded pieces,
            // and the classes are interleaved at the end.
            const dcols = g.op('Gemm', [w2, dz2]); // [k, N*Ho*Wo]
            const pieces = g.op('Reshape', [dcols, g.ints([kh * kw, ci, -1, out[0], out[1]])]);
            const hc = out[0] + Math.ceil(kh / sh) - 1;
            const wc = out[1] + Math.ceil(kw / sw) - 1;
            const classes: string[][] = [];
            for (let r = 0; r < sh; r++) {
              const row: string[] = [];
              for (let q = 0; q < sw; q++) {
                const terms: string[] = [];
                for (let ki = r; ki < kh; ki += sh)
                  for (let kj = q; kj < kw; kj += sw) {
                    const idx = ki * kw + kj;
                    const piece = g.op('Squeeze', [
                      g.op('Slice', [pieces, g.ints([idx]), g.ints([idx + 1]), g.ints([0])]),
                      g.ints([0]),
                    ]);
                    const [dr, dc] = [(ki - r) / sh, (kj - q) / sw];
                    const padded =
                      dr || dc || hc > out[0] || wc > out[1]
                        ? g.op('Pad', [
                            piece,
                            g.ints([0, 0, dr, dc, 0, 0, hc - out[0] - dr, wc - out[1] - dc]),
                          ])
                        : piece;
                    terms.push(padded);
                  }
                row.push(terms.length > 1 ? g.op('Sum', terms) : terms[0]);
              }
              classes.push(row);
            }
            // Interleave: [ci, N, hc, sh, wc, sw] -> [ci, N, hc*sh, wc*sw].
            let full: string;
            if (sh === 1 && sw === 1) full = classes[0][0];
            else {
              const rows = classes.map((row) =>
                g.op(
                  'Concat',
                  row.map((p) => g.op('Unsqueeze', [p, g.ints([4])])),
                  { axis: 4 },
                ),
              ); // [ci, N, hc, wc, sw]
              const stacked = g.op(
                'Concat',
                rows.map((p) => g.op('Unsqueeze', [p, g.ints([3])])),
                { axis: 3 },
              );
              full = g.op('Reshape', [stacked, g.ints([ci, -1, hc * sh, wc * sw])]);
            }
            // Rows/columns the forward never read ('valid' with a remainder) get zeros.
            const [missH, missW] = [pads[0] + ih - hc * sh, pads[1] + iw - wc * sw];
            if (missH > 0 || missW > 0)
              full = g.op('Pad', [full, g.ints([0, 0, 0, 0, 0, 0, Math.max(0, missH), Math.max(0, missW)])]);
            // Drop the padding (and whatever lies past the input).
            return g.op('Slice', [
              full,
              g.ints([pads[0], pads[1]]),
              g.ints([pads[0] + ih, pads[1] + iw]),
              g.ints([2, 3]),
            ]);
          },
        });
        x = act.y;
        [h, w, c] = [out[0], out[1], co];
        break;
      }
      case 'BatchNormalization': {
        need('cnhw');
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
          if (training)
            // A fixed affine map: dgamma = sum(dy xhat), dbeta = sum(dy), dx = dy scale.
            tapes.push({
              back: (dy) => {
                if (gamma) {
                  const xhat = g.op('Mul', [
                    g.op('Sub', [xin, g.op('Reshape', [mm.name, cshape])]),
                    g.op('Reshape', [invstd, cshape]),
                  ]);
                  addGrad(
                    gamma,
                    g.op('ReduceSum', [g.op('Mul', [dy, xhat]), g.ints([1, 2, 3])], { keepdims: 0 }),
                  );
                }
                if (beta) addGrad(beta, g.op('ReduceSum', [dy, g.ints([1, 2, 3])], { keepdims: 0 }));
                return inputNeedsGrad ? g.op('Mul', [dy, scaleR]) : null;
              },
            });
          break;
        }
        const shape4 = g.ints([c, 1, 1, 1]);
        const gammaR = gamma ? g.op('Reshape', [gamma.name, shape4]) : g.f(1);
        const betaR = beta ? g.op('Reshape', [beta.name, shape4]) : g.f(0);
        const xin = x;
        const mean = g.op('ReduceMean', [xin], { axes: [1, 2, 3], keepdims: 1 });
        const d = g.op('Sub', [xin, mean]);
        const variance = g.op('ReduceMean', [g.op('Mul', [d, d])], { axes: [1, 2, 3], keepdims: 1 });
        const invstd = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, g.f(eps)])])]);
        const xhat = g.op('Mul', [d, invstd]);
        x = g.op('Add', [g.op('Mul', [xhat, gammaR]), betaR]);
        const decay = g.f(1 - momentum);
        const flatC = g.ints([c]);
        for (const [p, batch] of [
          [mm, mean],
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
            if (gamma)
              addGrad(
                gamma,
                g.op('ReduceSum', [g.op('Mul', [dy, xhat]), g.ints([1, 2, 3])], { keepdims: 0 }),
              );
            if (beta) addGrad(beta, g.op('ReduceSum', [dy, g.ints([1, 2, 3])], { keepdims: 0 }));
            if (!inputNeedsGrad) return null;
            const dxhat = g.op('Mul', [dy, gammaR]);
            const m1 = g.op('ReduceMean', [dxhat], { axes: [1, 2, 3], keepdims: 1 });
            const m2 = g.op('ReduceMean', [g.op('Mul', [dxhat, xhat])], { axes: [1, 2, 3], keepdims: 1 });
            const inner = g.op('Sub', [g.op('Sub', [dxhat, m1]), g.op('Mul', [xhat, m2])]);
            return g.op('Mul', [inner, invstd]);
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
        need('cnhw');
        const xin = x;
        const area = h * w;
        x = g.op('Transpose', [g.op('ReduceMean', [xin], { axes: [2, 3], keepdims: 0 })], { perm: [1, 0] });
        tapes.push({
          back: (dy) => {
            const dy4 = g.op('Unsqueeze', [g.op('Transpose', [dy], { perm: [1, 0] }), g.ints([2, 3])]);
            return g.op('Mul', [g.op('Expand', [dy4, g.op('Shape', [xin])]), g.f(1 / area)]);
          },
        });
        layout = 'flat';
        features = c;
        break;
      }
      case 'Flatten': {
        need('cnhw');
        const [fh, fw, fc] = [h, w, c];
        // tfjs flattens NHWC: the next Dense's rows are in that order.
        x = g.op('Flatten', [g.op('Transpose', [x], { perm: [1, 2, 3, 0] })], { axis: 1 });
        tapes.push({
          back: (dy) =>
            g.op('Transpose', [g.op('Reshape', [dy, g.ints([-1, fh, fw, fc])])], { perm: [3, 0, 1, 2] }),
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
    { name: ONNX_INPUT, shape: ['N', Number(inShape[1]), Number(inShape[2]), Number(inShape[3])] },
  ];
  for (const p of params) inputs.push({ name: p.name, shape: p.shape });

  if (!training) {
    g.op('Identity', [x], undefined, ONNX_OUTPUT);
    outputs.push({ name: ONNX_OUTPUT, shape: ['N', 1] });
  } else {
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
    let dy: string | null = g.op('Mul', [
      g.op('Div', [g.op('Mul', [g.op('Sub', [p, y]), sw]), sumW]),
      inRange,
    ]);
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
      for (const { param, grad } of grads) {
        const m = momentName(param.name, 'm');
        const v = momentName(param.name, 'v');
        inputs.push({ name: m, shape: param.shape }, { name: v, shape: param.shape });
        const m2 = g.op(
          'Add',
          [g.op('Mul', [m, g.f(ADAM_BETA1)]), g.op('Mul', [grad, g.f(1 - ADAM_BETA1)])],
          undefined,
          newName(m),
        );
        const v2 = g.op(
          'Add',
          [g.op('Mul', [v, g.f(ADAM_BETA2)]), g.op('Mul', [g.op('Mul', [grad, grad]), g.f(1 - ADAM_BETA2)])],
          undefined,
          newName(v),
        );
        const denom = g.op('Add', [g.op('Sqrt', [g.op('Mul', [v2, ADAM_C2])]), g.f(ADAM_EPSILON)]);
        const stepSize = g.op('Mul', [g.op('Div', [g.op('Mul', [m2, ADAM_C1]), denom]), ADAM_LR]);
        g.op('Sub', [param.name, stepSize], undefined, newName(param.name));
        outputs.push(
          { name: newName(param.name), shape: param.shape },
          { name: newName(m), shape: param.shape },
          { name: newName(v), shape: param.shape },
        );
      }
      for (const { param, value } of updates) {
        g.op('Identity', [value], undefined, newName(param.name));
        outputs.push({ name: newName(param.name), shape: param.shape });
      }
    }
    const trained = new Set(grads.map((x) => x.param.name));
    const missing = params.filter((p) => p.role === 'train' && !trained.has(p.name));
    if (missing.length)
      throw new Error(`ONNX training graph: no gradient reaches ${missing.map((p) => p.name).join(', ')}`);
  }

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
      docString: `skysift ${spec.id} ${mode === 'infer' ? 'inference with weights as inputs' : `training step (${mode})`}`,
      metadata: { 'skysift.architecture': spec.id, 'skysift.graph': mode },
    },
  );
  return { bytes, mode, params, dropouts, columnFloatsPerSample };
}
