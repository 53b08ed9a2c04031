/**
 * The block both built architectures stack: [3x3 conv stride 1, 3x3 conv stride 2, batch norm, ReLU],
 * 'same' padding, layers named `block<i>_conv1`, `block<i>_conv2`, `block<i>_bn`, `block<i>_relu`
 * (stored models load their weights by these names, so they must not change).
 */
import * as tf from '@tensorflow/tfjs-layers';

type Initializer = ReturnType<typeof tf.initializers.heNormal>;

export interface ConvBlockOptions {
  /** 1-based block number, used in the layer names. */
  index: number;
  filters: number;
  /** Kernel initializers of the two convolutions, in order. */
  init: [Initializer, Initializer];
  /** Only for the model's first block. */
  inputShape?: number[];
  /** Activation of the stride-1 conv; the stride-2 conv stays linear so the batch norm sees it raw. */
  conv1Activation?: 'relu';
  /** Whether the stride-2 conv has a bias (redundant before the batch norm's own offset). */
  conv2Bias: boolean;
}

export function addConvBlock(model: tf.Sequential, o: ConvBlockOptions): void {
  model.add(
    tf.layers.conv2d({
      ...(o.inputShape ? { inputShape: o.inputShape } : {}),
      filters: o.filters,
      kernelSize: 3,
      strides: 1,
      padding: 'same',
      ...(o.conv1Activation ? { activation: o.conv1Activation } : {}),
      kernelInitializer: o.init[0],
      name: `block${o.index}_conv1`,
    }),
  );
  model.add(
    tf.layers.conv2d({
      filters: o.filters,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      ...(o.conv2Bias ? {} : { useBias: false }),
      kernelInitializer: o.init[1],
      name: `block${o.index}_conv2`,
    }),
  );
  model.add(tf.layers.batchNormalization({ name: `block${o.index}_bn` }));
  model.add(tf.layers.reLU({ name: `block${o.index}_relu` }));
}
