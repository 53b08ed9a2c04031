/**
 * The blocks both built architectures stack: [3x3 conv stride 1, 3x3 conv stride 2, batch norm, ReLU],
 * 'same' padding, layers named `block<i>_conv1`, `block<i>_conv2`, `block<i>_bn`, `block<i>_relu`
 * (stored models load their weights by these names, so they must not change).
 */
import * as tf from '@tensorflow/tfjs-layers';

type Initializer = ReturnType<typeof tf.initializers.heNormal>;

export interface ConvBlocksOptions {
  /** Filters of each block, in order; block i (1-based) names its layers `block<i>_*`. */
  filters: readonly number[];
  /** [H, W, C] of the model input (the first block's input). */
  inputShape: number[];
  /** Kernel initializer number k (0, 1, ... in layer order: two per block). */
  init: (k: number) => Initializer;
  /** Activation of the stride-1 conv; the stride-2 conv stays linear so the batch norm sees it raw. */
  conv1Activation?: 'relu';
  /** Whether the stride-2 conv has a bias (redundant before the batch norm's own offset). */
  conv2Bias: boolean;
}

/** Adds the blocks to `model`; returns how many initializers they took (the next free k). */
export function addConvBlocks(model: tf.Sequential, o: ConvBlocksOptions): number {
  let k = 0;
  for (const [i, filters] of o.filters.entries()) {
    const name = `block${i + 1}`;
    model.add(
      tf.layers.conv2d({
        ...(i === 0 ? { inputShape: o.inputShape } : {}),
        filters,
        kernelSize: 3,
        strides: 1,
        padding: 'same',
        ...(o.conv1Activation ? { activation: o.conv1Activation } : {}),
        kernelInitializer: o.init(k++),
        name: `${name}_conv1`,
      }),
    );
    model.add(
      tf.layers.conv2d({
        filters,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        ...(o.conv2Bias ? {} : { useBias: false }),
        kernelInitializer: o.init(k++),
        name: `${name}_conv2`,
      }),
    );
    model.add(tf.layers.batchNormalization({ name: `${name}_bn` }));
    model.add(tf.layers.reLU({ name: `${name}_relu` }));
  }
  return k;
}
