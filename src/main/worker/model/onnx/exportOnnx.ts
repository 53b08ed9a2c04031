/**
 * tfjs layers model -> ONNX (opset 13), for ONNX Runtime (the fast CPU inference path) and for
 * anyone scoring our stamps outside the app (Python onnxruntime, see README).
 *
 * The contract of the exported model:
 *   input  'stamps' float32 [N, H, W, C]: channels-last, exactly the tensor tfjs gets, i.e. the
 *          output of preprocessBatch(spec, triplets) (channel order and preprocessing in the
 *          model's metadata_props: skysift.channels, skysift.preprocessing, skysift.input_size).
 *   output 'score'  float32 [N, 1]: the sigmoid real/bogus score.
 *
 * Inside, the graph transposes the input once to NCHW (ONNX's convolution layout) and works in NCHW:
 *   Conv2D            -> Conv (kernel HWIO -> OIHW; 'same' padding as explicit pads, TF style:
 *                        the odd pixel at the end, so stride-2 convs match TF exactly)
 *   BatchNormalization-> folded into the preceding linear Conv's weights and bias
 *                        (w' = w*g/sqrt(v+eps), b' = (b-m)*g/sqrt(v+eps) + beta); when it cannot be
 *                        folded, an ONNX BatchNormalization node
 *   ReLU / activations-> Relu, Sigmoid, Tanh, Elu, Softplus, LeakyRelu
 *   MaxPooling2D, AveragePooling2D -> MaxPool, AveragePool (explicit pads; padding not counted)
 *   GlobalAveragePooling2D / GlobalMaxPooling2D -> GlobalAveragePool / GlobalMaxPool + Flatten
 *   Flatten           -> Transpose back to NHWC, then Flatten (so Dense weights keep tfjs's order)
 *   Dense             -> Gemm (kernel [in, out] as is, transB = 0)
 *   Dropout, InputLayer -> nothing (inference)
 * Any other layer throws an error naming it. Sequential-style chains only (one input, one output,
 * each layer feeding the next), which covers compact, space2vec and braai-d6_m7.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../architectures/spec';
import { encodeModel, type OnnxNode, type OnnxTensor } from './onnxProto';

export const ONNX_INPUT = 'stamps';
export const ONNX_OUTPUT = 'score';

type Layout = 'nchw' | 'flat';

interface LayerInfo {
  layer: tfl.layers.Layer;
  className: string;
  config: Record<string, unknown>;
}

function pair(v: unknown, fallback: number): [number, number] {
  if (v === undefined || v === null) return [fallback, fallback];
  if (Array.isArray(v)) return [Number(v[0]), Number(v[1] ?? v[0])];
  return [Number(v), Number(v)];
}

/** TF 'same'/'valid' padding as ONNX pads [top, left, bottom, right]: the extra pixel goes at the end. */
export function tfPads(
  padding: unknown,
  [ih, iw]: [number, number],
  [kh, kw]: [number, number],
  [sh, sw]: [number, number],
  [dh, dw]: [number, number] = [1, 1],
): { pads: number[]; out: [number, number] } {
  const one = (i: number, k: number, s: number, d: number) => {
    const ke = (k - 1) * d + 1;
    if (padding === 'valid') return { before: 0, after: 0, out: Math.floor((i - ke) / s) + 1 };
    if (padding !== 'same') throw new Error(`padding '${String(padding)}' is not supported`);
    const out = Math.ceil(i / s);
    const total = Math.max((out - 1) * s + ke - i, 0);
    const before = Math.floor(total / 2);
    return { before, after: total - before, out };
  };
  const h = one(ih, kh, sh, dh);
  const w = one(iw, kw, sw, dw);
  return { pads: [h.before, w.before, h.after, w.after], out: [h.out, w.out] };
}

/**
 * Where the exported weights come from: by default the layers' own tensors; a trainer that holds
 * the weights outside the model (training/ortTrainer.ts) gives them by layer name and index in
 * layer.weights, in tfjs's layouts. A weight it does not give is read from the layer.
 */
export type WeightSource = (layer: string, index: number) => Float32Array | undefined;

interface Weight {
  shape: number[];
  data: Float32Array;
}

function weightsOf(layer: tfl.layers.Layer, source: WeightSource | undefined): Map<string, Weight> {
  let tensors: tfc.Tensor[] | null = null;
  const out = new Map<string, Weight>();
  layer.weights.forEach((v, i) => {
    const short = v.name.split('/').pop()!.replace(/_\d+$/, '');
    const shape = v.shape as number[];
    const given = source?.(layer.name, i);
    if (given && given.length !== shape.reduce((a, b) => a * b, 1))
      throw new Error(
        `ONNX export: ${layer.name}.${short} given ${given.length} values for shape [${v.shape}]`,
      );
    out.set(short, {
      shape,
      data: given ?? Float32Array.from((tensors ??= layer.getWeights())[i].dataSync()),
    });
  });
  return out;
}

/** A copy: the emitters fold batch norms into it, and a given weight belongs to its trainer. */
function values(t: Weight | undefined): Float32Array | null {
  return t ? t.data.slice() : null;
}

const ACTIVATIONS: Record<string, string | null> = {
  linear: null,
  relu: 'Relu',
  sigmoid: 'Sigmoid',
  tanh: 'Tanh',
  elu: 'Elu',
  softplus: 'Softplus',
};

class GraphBuilder {
  nodes: OnnxNode[] = [];
  initializers: OnnxTensor[] = [];
  private counter = 0;

  fresh(base: string): string {
    return `${base}_${this.counter++}`;
  }

  init(name: string, dims: number[], data: Float32Array | BigInt64Array): string {
    this.initializers.push({ name, dims, data });
    return name;
  }

  node(opType: string, inputs: string[], name: string, attributes?: OnnxNode['attributes']): string {
    const out = this.fresh(name);
    this.nodes.push({ opType, inputs, outputs: [out], name, attributes });
    return out;
  }

  activation(act: unknown, x: string, name: string): string {
    const key = act === undefined || act === null ? 'linear' : String(act);
    if (!(key in ACTIVATIONS)) throw new Error(`activation '${key}' of layer ${name} is not supported`);
    const op = ACTIVATIONS[key];
    return op ? this.node(op, [x], `${name}_${key}`) : x;
  }
}

/** Where the chain is: the current value, its layout and its shape. */
interface ChainState {
  g: GraphBuilder;
  weights: WeightSource | undefined;
  x: string;
  layout: Layout;
  /** Spatial size and channels while NCHW. */
  h: number;
  w: number;
  c: number;
  /** Width of x when flat. */
  features: number;
}

/**
 * Emits the ONNX nodes of one layer. `next` is the layer after it (for fusions); the return value
 * is how many following layers the emitter consumed (a folded batch norm), 0 when none.
 */
type Emitter = (st: ChainState, info: LayerInfo, next: LayerInfo | undefined) => number | void;

function need(st: ChainState, info: LayerInfo, want: Layout): void {
  if (st.layout !== want)
    throw new Error(`ONNX export: layer ${info.layer.name} (${info.className}) after a ${st.layout} tensor`);
}

/** Dropout and noise layers do nothing at inference; InputLayer is only a shape. */
const skip: Emitter = () => 0;

function emitConv2D(st: ChainState, info: LayerInfo, next: LayerInfo | undefined): number {
  const { layer, config } = info;
  const name = layer.name;
  need(st, info, 'nchw');
  if (config.dataFormat && config.dataFormat !== 'channelsLast')
    throw new Error(`ONNX export: ${name} is not channels-last`);
  const wts = weightsOf(layer, st.weights);
  const kernel = wts.get('kernel')!;
  const [kh, kw, ci, co] = kernel.shape;
  const strides = pair(config.strides, 1);
  const dil = pair(config.dilationRate, 1);
  const { pads, out } = tfPads(config.padding, [st.h, st.w], [kh, kw], strides, dil);
  const k = kernel.data;
  const oihw = new Float32Array(co * ci * kh * kw);
  for (let y = 0; y < kh; y++)
    for (let xx = 0; xx < kw; xx++)
      for (let a = 0; a < ci; a++)
        for (let o = 0; o < co; o++)
          oihw[((o * ci + a) * kh + y) * kw + xx] = k[((y * kw + xx) * ci + a) * co + o];
  const bias = values(wts.get('bias')) ?? new Float32Array(co);
  // Fold a batch norm that follows a linear convolution.
  const act = config.activation ?? 'linear';
  let consumed = 0;
  if (next?.className === 'BatchNormalization' && act === 'linear' && bnFoldable(next)) {
    const { scale, shift } = bnScaleShift(next.layer, next.config, co, st.weights);
    for (let o = 0; o < co; o++) {
      const base = o * ci * kh * kw;
      for (let j = 0; j < ci * kh * kw; j++) oihw[base + j] *= scale[o];
      bias[o] = bias[o] * scale[o] + shift[o];
    }
    consumed = 1;
  }
  const { g } = st;
  const wName = g.init(`${name}_W`, [co, ci, kh, kw], oihw);
  const bName = g.init(`${name}_B`, [co], bias);
  st.x = g.node('Conv', [st.x, wName, bName], name, {
    kernel_shape: [kh, kw],
    strides,
    pads,
    dilations: dil,
    group: 1,
  });
  st.x = g.activation(act, st.x, name);
  [st.h, st.w, st.c] = [out[0], out[1], co];
  return consumed;
}

function emitBatchNorm(st: ChainState, info: LayerInfo): void {
  const { layer, config } = info;
  const name = layer.name;
  need(st, info, 'nchw');
  if (!bnFoldable(info)) throw new Error(`ONNX export: ${name} normalises an axis other than channels`);
  const { scale, shift } = bnScaleShift(layer, config, st.c, st.weights);
  // y = x * scale + shift, per channel, as BatchNormalization(mean 0, var 1-eps would be
  // inexact): use Mul/Add with [C,1,1] constants instead.
  const s = st.g.init(`${name}_scale`, [st.c, 1, 1], scale);
  const b = st.g.init(`${name}_shift`, [st.c, 1, 1], shift);
  st.x = st.g.node('Add', [st.g.node('Mul', [st.x, s], `${name}_mul`), b], `${name}_add`);
}

function emitPool(st: ChainState, info: LayerInfo): void {
  const { layer, className, config } = info;
  need(st, info, 'nchw');
  const pool = pair(config.poolSize, 2);
  const strides = pair(config.strides ?? config.poolSize, 2);
  const { pads, out } = tfPads(config.padding ?? 'valid', [st.h, st.w], pool, strides);
  const attrs: OnnxNode['attributes'] = { kernel_shape: pool, strides, pads };
  if (className === 'AveragePooling2D') attrs.count_include_pad = 0;
  const op = className === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool';
  st.x = st.g.node(op, [st.x], layer.name, attrs);
  [st.h, st.w] = out;
}

function emitGlobalPool(st: ChainState, info: LayerInfo): void {
  const name = info.layer.name;
  need(st, info, 'nchw');
  const op = info.className === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool';
  st.x = st.g.node('Flatten', [st.g.node(op, [st.x], name)], `${name}_flatten`, { axis: 1 });
  st.layout = 'flat';
  st.features = st.c;
}

function emitFlatten(st: ChainState, info: LayerInfo): void {
  const name = info.layer.name;
  need(st, info, 'nchw');
  // tfjs flattens in NHWC order: go back to NHWC first so the next Dense's rows line up.
  st.x = st.g.node('Transpose', [st.x], `${name}_to_nhwc`, { perm: [0, 2, 3, 1] });
  st.x = st.g.node('Flatten', [st.x], name, { axis: 1 });
  st.layout = 'flat';
  st.features = st.h * st.w * st.c;
}

function emitDense(st: ChainState, info: LayerInfo): void {
  const { layer, config } = info;
  const name = layer.name;
  need(st, info, 'flat');
  const wts = weightsOf(layer, st.weights);
  const kernel = wts.get('kernel')!;
  const [nIn, nOut] = kernel.shape;
  if (nIn !== st.features) throw new Error(`ONNX export: ${name} expects ${nIn} inputs, got ${st.features}`);
  const wName = st.g.init(`${name}_W`, [nIn, nOut], kernel.data);
  const bName = st.g.init(`${name}_B`, [nOut], values(wts.get('bias')) ?? new Float32Array(nOut));
  st.x = st.g.node('Gemm', [st.x, wName, bName], name, { transB: 0 });
  st.x = st.g.activation(config.activation, st.x, name);
  st.features = nOut;
}

/** One emitter per tfjs layer class; a class not listed here cannot be exported. */
const EMITTERS: Record<string, Emitter> = {
  InputLayer: skip,
  Dropout: skip,
  SpatialDropout2D: skip,
  GaussianNoise: skip,
  GaussianDropout: skip,
  Conv2D: emitConv2D,
  BatchNormalization: emitBatchNorm,
  ReLU: (st, { layer, config }) => {
    if (config.maxValue !== null && config.maxValue !== undefined)
      throw new Error(`ONNX export: ${layer.name} has maxValue (ReLU6-like), not supported`);
    st.x = st.g.node('Relu', [st.x], layer.name);
  },
  LeakyReLU: (st, { layer, config }) => {
    st.x = st.g.node('LeakyRelu', [st.x], layer.name, { alpha: { float: Number(config.alpha ?? 0.3) } });
  },
  Activation: (st, { layer, config }) => {
    st.x = st.g.activation(config.activation, st.x, layer.name);
  },
  MaxPooling2D: emitPool,
  AveragePooling2D: emitPool,
  GlobalAveragePooling2D: emitGlobalPool,
  GlobalMaxPooling2D: emitGlobalPool,
  Flatten: emitFlatten,
  Dense: emitDense,
};

/**
 * Serialises `model` (a chain of supported layers) as an ONNX model; see the header for the
 * contract. `weights` replaces the layers' own values (see WeightSource).
 */
export function exportOnnx(model: tfl.LayersModel, spec: ModelSpec, weights?: WeightSource): Uint8Array {
  const inShape = model.inputs[0].shape; // [null, H, W, C]
  if (inShape.length !== 4) throw new Error(`ONNX export: expected a 4-D image input, got ${inShape}`);
  const g = new GraphBuilder();
  const st: ChainState = {
    g,
    weights,
    x: g.node('Transpose', [ONNX_INPUT], 'to_nchw', { perm: [0, 3, 1, 2] }),
    layout: 'nchw',
    h: Number(inShape[1]),
    w: Number(inShape[2]),
    c: Number(inShape[3]),
    features: 0,
  };

  const layers: LayerInfo[] = model.layers.map((layer) => ({
    layer,
    className: layer.getClassName(),
    config: layer.getConfig() as Record<string, unknown>,
  }));

  for (let i = 0; i < layers.length; i++) {
    const info = layers[i];
    const emit = Object.hasOwn(EMITTERS, info.className) ? EMITTERS[info.className] : undefined;
    if (!emit)
      throw new Error(
        `ONNX export: layer ${info.layer.name} (${info.className}) is not supported; supported: ` +
          Object.keys(EMITTERS).join(', '),
      );
    i += emit(st, info, layers[i + 1]) ?? 0;
  }
  const { x, layout, features } = st;
  if (layout !== 'flat' || features !== 1)
    throw new Error(
      `ONNX export: the model must end in one score per stamp (ends in ${layout}, ${features})`,
    );
  // Name the final value 'score'.
  g.nodes.push({ opType: 'Identity', inputs: [x], outputs: [ONNX_OUTPUT], name: 'score_out' });

  return encodeModel(
    {
      name: model.name || spec.id,
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: [
        { name: ONNX_INPUT, shape: ['N', Number(inShape[1]), Number(inShape[2]), Number(inShape[3])] },
      ],
      outputs: [{ name: ONNX_OUTPUT, shape: ['N', 1] }],
      docString: `skysift ${spec.id}: input NHWC float32 preprocessed stamps, output sigmoid score`,
    },
    {
      producerName: 'skysift',
      docString: spec.description,
      metadata: {
        'skysift.architecture': spec.id,
        'skysift.input_layout': 'NHWC',
        'skysift.input_size': spec.inputSize.join('x'),
        'skysift.channels': spec.channels.join(','),
        'skysift.preprocessing': spec.preprocessing,
        'skysift.masked_pixels': spec.maskedPixels,
      },
    },
  );
}

function bnFoldable(info: LayerInfo): boolean {
  const axis = info.config.axis;
  const a = Array.isArray(axis) ? axis : [axis ?? -1];
  return a.length === 1 && (a[0] === -1 || a[0] === 3);
}

/** A batch norm at inference as a per-channel scale and shift. */
function bnScaleShift(
  layer: tfl.layers.Layer,
  config: Record<string, unknown>,
  channels: number,
  source: WeightSource | undefined,
): { scale: Float32Array; shift: Float32Array } {
  const wts = weightsOf(layer, source);
  const eps = Number(config.epsilon ?? 1e-3);
  const gamma = values(wts.get('gamma'));
  const beta = values(wts.get('beta'));
  const mean = values(wts.get('moving_mean'))!;
  const variance = values(wts.get('moving_variance'))!;
  if (!mean || !variance || mean.length !== channels)
    throw new Error(`ONNX export: ${layer.name} lacks moving statistics for ${channels} channels`);
  const scale = new Float32Array(channels);
  const shift = new Float32Array(channels);
  for (let i = 0; i < channels; i++) {
    // In float64, then rounded once: closer to tfjs's own (x - m) * g / sqrt(v + eps) + b.
    const s = (gamma ? gamma[i] : 1) / Math.sqrt(variance[i] + eps);
    scale[i] = s;
    shift[i] = (beta ? beta[i] : 0) - mean[i] * s;
  }
  return { scale, shift };
}
