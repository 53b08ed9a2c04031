/**
 * Cost of one stamp through a layers model, by walking its layers: multiply-accumulates of the
 * convolutions and dense layers (FLOPs = 2 x MACs), plus the cheap element-wise work. Used to
 * compare architectures and to estimate scoring time before running anything.
 */
import type * as tf from '@tensorflow/tfjs-layers';

export interface LayerCost {
  name: string;
  className: string;
  outputShape: number[];
  macs: number;
  flops: number;
  params: number;
}

export interface ModelCost {
  /** Floating-point operations for one stamp (inference, batch size 1). */
  flopsPerStamp: number;
  macsPerStamp: number;
  params: number;
  trainableParams: number;
  layers: LayerCost[];
}

type Shape = (number | null)[];

function firstShape(shape: Shape | Shape[]): number[] {
  const s = (Array.isArray(shape[0]) || shape[0] === undefined ? shape[0] : shape) as Shape;
  return (s ?? []).slice(1).map((d) => d ?? 1); // drop the batch dimension
}

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

function pair(v: unknown): [number, number] {
  if (Array.isArray(v)) return [Number(v[0]), Number(v[1] ?? v[0])];
  return [Number(v), Number(v)];
}

function layerCost(layer: tf.layers.Layer): LayerCost {
  const className = layer.getClassName();
  const config = layer.getConfig() as Record<string, unknown>;
  // Symbolic input of a built layer (Sequential/functional models have exactly one inbound node).
  const symbolic = (layer as unknown as { input: { shape: Shape } | { shape: Shape }[] }).input;
  const input = firstShape(Array.isArray(symbolic) ? symbolic.map((t) => t.shape) : symbolic.shape);
  const output = firstShape(layer.outputShape as Shape | Shape[]);
  const outElems = product(output);
  const inChannels = input[input.length - 1] ?? 1;
  let macs = 0;
  let other = 0; // non-MAC flops: bias adds, activations, normalisation, pooling
  const activation = config.activation && config.activation !== 'linear' ? outElems : 0;
  switch (className) {
    case 'Conv2D': {
      const [kh, kw] = pair(config.kernelSize);
      macs = outElems * kh * kw * inChannels;
      other = (config.useBias ? outElems : 0) + activation;
      break;
    }
    case 'DepthwiseConv2D': {
      const [kh, kw] = pair(config.kernelSize);
      macs = outElems * kh * kw;
      other = (config.useBias ? outElems : 0) + activation;
      break;
    }
    case 'SeparableConv2D': {
      const [kh, kw] = pair(config.kernelSize);
      const mult = Number(config.depthMultiplier ?? 1);
      const spatial = product(output.slice(0, -1));
      macs = spatial * inChannels * mult * kh * kw + outElems * inChannels * mult;
      other = (config.useBias ? outElems : 0) + activation;
      break;
    }
    case 'Dense':
      macs = outElems * input[input.length - 1];
      other = (config.useBias ? outElems : 0) + activation;
      break;
    case 'BatchNormalization':
      other = 2 * outElems; // folded into a scale and an offset at inference
      break;
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      const [ph, pw] = pair(config.poolSize);
      other = outElems * ph * pw;
      break;
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D':
      other = product(input);
      break;
    case 'ReLU':
    case 'LeakyReLU':
    case 'Activation':
      other = outElems;
      break;
    default:
      other = activation; // Flatten, Dropout, Reshape, InputLayer: free at inference
  }
  return {
    name: layer.name,
    className,
    outputShape: output,
    macs,
    flops: 2 * macs + other,
    params: layer.countParams(),
  };
}

export function modelCost(model: tf.LayersModel): ModelCost {
  const layers = model.layers.map(layerCost);
  const trainableParams = model.trainableWeights.reduce((n, w) => n + product(w.shape as number[]), 0);
  return {
    flopsPerStamp: layers.reduce((n, l) => n + l.flops, 0),
    macsPerStamp: layers.reduce((n, l) => n + l.macs, 0),
    params: layers.reduce((n, l) => n + l.params, 0),
    trainableParams,
    layers,
  };
}
